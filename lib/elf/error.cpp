// The sentences and names of the ELF loader's errors.
#include "elf/error.h"

namespace elf {

namespace {

constexpr int code(Error e)
{
    return static_cast<int>(e);
}

constexpr base::CodeText descriptions[] = {
    { code(Error::NotElf), "NotElf", "not an executable: the file does not start with the ELF magic number" },
    { code(Error::Elf32), "Elf32",
        "wrong class: the file is a 32-bit ELF (ELFCLASS32); only 64-bit programs run here" },
    { code(Error::BadClass), "BadClass", "corrupt ELF header: the class is neither ELFCLASS32 nor ELFCLASS64" },
    { code(Error::BigEndian), "BigEndian",
        "wrong byte order: the file is big-endian (ELFDATA2MSB); x86-64 programs are little-endian" },
    { code(Error::BadByteOrder), "BadByteOrder",
        "corrupt ELF header: the byte order is neither ELFDATA2LSB nor ELFDATA2MSB" },
    { code(Error::BadVersion), "BadVersion", "corrupt ELF header: the ELF version is not 1 (EV_CURRENT)" },
    { code(Error::WrongMachine), "WrongMachine",
        "wrong architecture: the program is not for x86-64 (e_machine is not EM_X86_64)" },
    { code(Error::SharedObject), "SharedObject",
        "not an executable: the file is a shared object or a position-independent executable (ET_DYN); "
        "only static executables (ET_EXEC) run here" },
    { code(Error::Relocatable), "Relocatable",
        "not an executable: the file is a relocatable object (ET_REL) that was never linked" },
    { code(Error::CoreDump), "CoreDump", "not an executable: the file is a core dump (ET_CORE)" },
    { code(Error::BadType), "BadType", "not an executable: the ELF file type is not ET_EXEC" },
    { code(Error::Dynamic), "Dynamic",
        "dynamically linked: the program asks for an interpreter (PT_INTERP); only static programs run here" },
    { code(Error::TruncatedHeader), "TruncatedHeader", "truncated ELF: the file ends inside the 64-byte ELF header" },
    { code(Error::BadProgramHeaderSize), "BadProgramHeaderSize",
        "corrupt ELF header: the program header size (e_phentsize) is not 56" },
    { code(Error::BadProgramHeaderOffset), "BadProgramHeaderOffset",
        "corrupt ELF header: the program headers (e_phoff) overlap the ELF header" },
    { code(Error::TooManyProgramHeaders), "TooManyProgramHeaders", "corrupt ELF header: more than 64 program headers" },
    { code(Error::TruncatedProgramHeaders), "TruncatedProgramHeaders",
        "truncated ELF: the program headers reach past the end of the file" },
    { code(Error::NoLoadableSegment), "NoLoadableSegment",
        "not an executable: the file has no loadable segment (PT_LOAD)" },
    { code(Error::TooManySegments), "TooManySegments", "too many segments: more than 16 loadable segments (PT_LOAD)" },
    { code(Error::SegmentFileSizeTooLarge), "SegmentFileSizeTooLarge",
        "corrupt program header: a segment's size in the file is larger than its size in memory" },
    { code(Error::SegmentOutsideFile), "SegmentOutsideFile",
        "truncated ELF: a segment's bytes reach past the end of the file" },
    { code(Error::SegmentOutsideUserSpace), "SegmentOutsideUserSpace",
        "bad segment: a segment lies outside the user address space (below 0x800000000000)" },
    { code(Error::SegmentInPageZero), "SegmentInPageZero",
        "bad segment: a segment maps page 0, which stays unmapped to catch null pointers" },
    { code(Error::BadAlignment), "BadAlignment",
        "corrupt program header: a segment's alignment (p_align) is not a power of two" },
    { code(Error::SegmentMisaligned), "SegmentMisaligned",
        "corrupt program header: a segment's address and file offset differ modulo its alignment" },
    { code(Error::SegmentsOverlap), "SegmentsOverlap", "bad segments: two loadable segments overlap" },
    { code(Error::EntryOutsideSegments), "EntryOutsideSegments",
        "bad entry point: the entry address is not inside the file bytes of an executable segment" },
    { code(Error::ArgumentsTooLong), "ArgumentsTooLong",
        "arguments too long: the arguments and the environment exceed 64 KiB" },
    { code(Error::StackBufferTooSmall), "StackBufferTooSmall",
        "initial stack: the buffer is too small for the arguments and the environment" },
    { code(Error::BadStackTop), "BadStackTop",
        "initial stack: the stack top is not 16-byte aligned or not in the user address space" },
    { code(Error::ImageTooLarge), "ImageTooLarge",
        "too large: the program's loadable segments need more than 1 GiB of memory" },
};

constexpr size_t error_count = sizeof descriptions / sizeof descriptions[0];
static_assert(code(last_error) - error_base == error_count, "one description per error");

const base::CodeText& describe(Error e)
{
    static constexpr base::CodeText unknown { 0, "Unknown", "unknown ELF loader error" };
    const base::CodeText* d = base::find_code(descriptions, code(e));
    return d ? *d : unknown;
}

const char* code_name(int code)
{
    const base::CodeText* d = base::find_code(descriptions, code);
    return d ? d->name : nullptr;
}

const char* code_sentence(int code)
{
    const base::CodeText* d = base::find_code(descriptions, code);
    return d ? d->sentence : nullptr;
}

} // namespace

constexpr base::ErrorDomain domain { "elf", code_name, code_sentence };

const char* error_sentence(Error e)
{
    return describe(e).sentence;
}

const char* error_name(Error e)
{
    return describe(e).name;
}

base::Error make_error(Error e)
{
    return base::Error(domain, code(e), error_sentence(e));
}

Error elf_error(const base::Error& e)
{
    if (!e.is(domain))
        __builtin_trap(); // asking another domain's error which ELF error it is: a bug
    return static_cast<Error>(e.code());
}

} // namespace elf
