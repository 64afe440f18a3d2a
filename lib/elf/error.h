// What can be wrong with a program that exec is asked to run, each with its own sentence for the
// person who asked. Portable: no Mach, no heap.
#pragma once

#include "base/result.h"

namespace elf {

// The codes of elf errors in a base::Error of elf::domain. Errors carry their domain, so the
// range is not what tells them from a Mach or device status that a FileReader passes up
// unchanged; it stays apart all the same because exec sends these codes to its clients as the
// reply's status, where only the number travels (execclient names them by it).
constexpr int error_base = 0x454c4600; // "ELF\0"

enum class Error : int {
    // The file is not a program for this machine.
    NotElf = error_base + 1,
    Elf32, // ELFCLASS32: a 32-bit program
    BadClass, // neither ELFCLASS32 nor ELFCLASS64
    BigEndian, // ELFDATA2MSB
    BadByteOrder, // neither ELFDATA2LSB nor ELFDATA2MSB
    BadVersion, // e_ident[EI_VERSION] or e_version is not EV_CURRENT
    WrongMachine, // e_machine is not EM_X86_64
    SharedObject, // ET_DYN: a shared library or a position-independent executable
    Relocatable, // ET_REL: an object file
    CoreDump, // ET_CORE
    BadType, // any other e_type
    Dynamic, // a PT_INTERP: the program wants a dynamic linker
    // Corrupt or truncated headers.
    TruncatedHeader,
    BadProgramHeaderSize, // e_phentsize is not sizeof(Elf64_Phdr)
    BadProgramHeaderOffset, // e_phoff inside the ELF header
    TooManyProgramHeaders, // more than max_program_headers (or extended numbering)
    TruncatedProgramHeaders,
    NoLoadableSegment,
    TooManySegments, // more than max_segments PT_LOADs
    // Bad segments.
    SegmentFileSizeTooLarge, // p_filesz > p_memsz
    SegmentOutsideFile,
    SegmentOutsideUserSpace,
    SegmentInPageZero,
    BadAlignment, // p_align not a power of two
    SegmentMisaligned, // p_vaddr and p_offset differ modulo the alignment
    SegmentsOverlap,
    EntryOutsideSegments,
    // The initial stack.
    ArgumentsTooLong,
    StackBufferTooSmall,
    BadStackTop,
    // A bound of the loader (after the others, so that their codes stay what they were).
    ImageTooLarge, // the PT_LOAD segments need more than max_image_size of memory
};

constexpr Error last_error = Error::ImageTooLarge;

// A sentence that says what is wrong, such as "wrong class: the file is a 32-bit ELF
// (ELFCLASS32); only 64-bit programs run here". Never null.
const char* error_sentence(Error);

// A short name such as "Elf32", for logs and test output.
const char* error_name(Error);

// The domain of this library's errors: "elf", each code named as error_name names it.
extern const base::ErrorDomain domain;

// The error as a base::Error of elf::domain: the code is the enum's value, the context its
// sentence.
base::Error make_error(Error);

// Which error it is; only for errors of elf::domain (`e.is(elf::domain)`; the others are ones a
// FileReader passed up).
Error elf_error(const base::Error&);

} // namespace elf
