// The sentences and names of the ELF loader's errors.
#include "elf/error.h"

namespace elf {

namespace {

struct Description {
    const char* name;
    const char* sentence;
};

// In the order of the enum, from error_base + 1.
constexpr Description descriptions[] = {
    { "NotElf", "not an executable: the file does not start with the ELF magic number" },
    { "Elf32", "wrong class: the file is a 32-bit ELF (ELFCLASS32); only 64-bit programs run here" },
    { "BadClass", "corrupt ELF header: the class is neither ELFCLASS32 nor ELFCLASS64" },
    { "BigEndian", "wrong byte order: the file is big-endian (ELFDATA2MSB); x86-64 programs are little-endian" },
    { "BadByteOrder", "corrupt ELF header: the byte order is neither ELFDATA2LSB nor ELFDATA2MSB" },
    { "BadVersion", "corrupt ELF header: the ELF version is not 1 (EV_CURRENT)" },
    { "WrongMachine", "wrong architecture: the program is not for x86-64 (e_machine is not EM_X86_64)" },
    { "SharedObject",
        "not an executable: the file is a shared object or a position-independent executable (ET_DYN); "
        "only static executables (ET_EXEC) run here" },
    { "Relocatable", "not an executable: the file is a relocatable object (ET_REL) that was never linked" },
    { "CoreDump", "not an executable: the file is a core dump (ET_CORE)" },
    { "BadType", "not an executable: the ELF file type is not ET_EXEC" },
    { "Dynamic", "dynamically linked: the program asks for an interpreter (PT_INTERP); only static programs run here" },
    { "TruncatedHeader", "truncated ELF: the file ends inside the 64-byte ELF header" },
    { "BadProgramHeaderSize", "corrupt ELF header: the program header size (e_phentsize) is not 56" },
    { "BadProgramHeaderOffset", "corrupt ELF header: the program headers (e_phoff) overlap the ELF header" },
    { "TooManyProgramHeaders", "corrupt ELF header: more than 64 program headers" },
    { "TruncatedProgramHeaders", "truncated ELF: the program headers reach past the end of the file" },
    { "NoLoadableSegment", "not an executable: the file has no loadable segment (PT_LOAD)" },
    { "TooManySegments", "too many segments: more than 16 loadable segments (PT_LOAD)" },
    { "SegmentFileSizeTooLarge",
        "corrupt program header: a segment's size in the file is larger than its size in memory" },
    { "SegmentOutsideFile", "truncated ELF: a segment's bytes reach past the end of the file" },
    { "SegmentOutsideUserSpace", "bad segment: a segment lies outside the user address space (below 0x800000000000)" },
    { "SegmentInPageZero", "bad segment: a segment maps page 0, which stays unmapped to catch null pointers" },
    { "BadAlignment", "corrupt program header: a segment's alignment (p_align) is not a power of two" },
    { "SegmentMisaligned", "corrupt program header: a segment's address and file offset differ modulo its alignment" },
    { "SegmentsOverlap", "bad segments: two loadable segments overlap" },
    { "EntryOutsideSegments",
        "bad entry point: the entry address is not inside the file bytes of an executable segment" },
    { "ArgumentsTooLong", "arguments too long: the arguments and the environment exceed 64 KiB" },
    { "StackBufferTooSmall", "initial stack: the buffer is too small for the arguments and the environment" },
    { "BadStackTop", "initial stack: the stack top is not 16-byte aligned or not in the user address space" },
    { "ImageTooLarge", "too large: the program's loadable segments need more than 1 GiB of memory" },
};

constexpr size_t error_count = sizeof descriptions / sizeof descriptions[0];
static_assert(static_cast<int>(last_error) - error_base == error_count, "one description per error");

// The description of a code of this library, nullptr for any other code.
const Description* find(int code)
{
    long long index = static_cast<long long>(code) - error_base - 1;
    if (index < 0 || static_cast<size_t>(index) >= error_count)
        return nullptr;
    return &descriptions[index];
}

const Description& describe(Error e)
{
    static constexpr Description unknown { "Unknown", "unknown ELF loader error" };
    const Description* d = find(static_cast<int>(e));
    return d ? *d : unknown;
}

const char* code_name(int code)
{
    const Description* d = find(code);
    return d ? d->name : nullptr;
}

const char* code_sentence(int code)
{
    const Description* d = find(code);
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
    return base::Error(domain, static_cast<int>(e), error_sentence(e));
}

Error elf_error(const base::Error& e)
{
    if (!e.is(domain))
        __builtin_trap(); // asking another domain's error which ELF error it is: a bug
    return static_cast<Error>(e.code());
}

} // namespace elf
