// Checks a static ELF64 x86-64 executable and says how to load it: the segments, then a
// page-level plan of what exec allocates, copies, zero-fills and protects in the new task.
// Portable: no Mach, no heap; every array is bounded.
//
// What parse accepts: an ELF64, little-endian, EV_CURRENT, EM_X86_64, ET_EXEC file without
// PT_INTERP, whose program headers (56 bytes each, at most max_program_headers) lie in the file
// after the ELF header, with 1 to max_segments PT_LOAD segments (those of size 0 in memory are
// ignored), each with:
// - p_filesz <= p_memsz, and [p_offset, p_offset + p_filesz) inside the file;
// - [p_vaddr, p_vaddr + p_memsz) inside the user address space [page_size, user_space_end)
//   (page 0 stays unmapped, so that a null pointer faults);
// - p_align 0, 1 or a power of two, with p_vaddr == p_offset modulo min(p_align, page_size);
// - no byte in common with another PT_LOAD;
// - pages that all PT_LOADs together cover (each segment's span rounded out to whole pages)
//   of at most max_image_size, so that a segment of 127 TiB is refused here, at once, and
//   nothing later allocates, plans or walks memory in proportion to p_memsz;
// and with e_entry inside the file bytes of an executable PT_LOAD. Every other failure is the
// Error that names it (elf/error.h); an error of the FileReader is passed up unchanged.
//
// Segments that share a page: GNU Mach's own loader panics on them (the project's modules are
// linked so that they never do). exec copies pages rather than mapping the file, so it can load
// them: a page that two segments share is one region with the union of their protections (for
// example a text and a data segment make that one page read-write-execute). Bytes of the page
// that neither segment covers are zero. Image::shares_pages says when this happened.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "elf/error.h"

namespace elf {

constexpr uint64_t page_size = 4096;
// The end of the user address space of GNU Mach on x86_64 (VM_MAX_ADDRESS of
// mach/x86_64/vm_param.h): user addresses are below it.
constexpr uint64_t user_space_end = 0x800000000000;
constexpr size_t max_program_headers = 64;
constexpr size_t max_segments = 16;
// The most memory a program's segments may ask for, bss included: 1 GiB, far above what the
// project's programs need (a few MiB) and above what the machines it runs on have, so a
// program this check refuses could never have run. Every check of parse is a pass over the
// headers: nothing in parse, plan or fill takes time in proportion to p_memsz or p_filesz
// (fill reads only the file bytes that fall in the window it is given).
constexpr uint64_t max_image_size = 1ull << 30;
// Each segment gives at most two regions: a page it shares with the segment before it, and the
// rest of its pages.
constexpr size_t max_regions = 2 * max_segments;

// Protections as bits with the values of Mach's VM_PROT_READ, VM_PROT_WRITE and VM_PROT_EXECUTE,
// so that exec passes them to vm_protect as they are.
namespace protection {
constexpr uint8_t none = 0;
constexpr uint8_t read = 1;
constexpr uint8_t write = 2;
constexpr uint8_t execute = 4;
} // namespace protection

// Reads bytes of the file being loaded. parse and fill never ask for bytes past the file size
// they were given, nor for more than a few KiB at once from parse.
class FileReader {
public:
    virtual base::Result<void> read(uint64_t offset, void* buffer, size_t size) = 0;

protected:
    ~FileReader() = default;
};

// A file that is wholly in memory.
class MemoryReader final : public FileReader {
public:
    MemoryReader(const uint8_t* bytes, size_t size)
        : m_bytes(bytes)
        , m_size(size)
    {
    }
    base::Result<void> read(uint64_t offset, void* buffer, size_t size) override;

private:
    const uint8_t* m_bytes;
    size_t m_size;
};

// One PT_LOAD segment: memory [vaddr, vaddr + memsz) holds the file's bytes
// [file_offset, file_offset + filesz), then zeros (the bss) up to memsz.
struct Segment {
    uint64_t vaddr;
    uint64_t memsz;
    uint64_t file_offset;
    uint64_t filesz;
    uint8_t protection; // protection::read | write | execute, from p_flags

    uint64_t end() const { return vaddr + memsz; }
};

struct Image {
    uint64_t entry = 0;
    // In increasing vaddr (the order the ELF specification asks for; parse sorts them anyway).
    Segment segments[max_segments] = {};
    size_t count = 0;
    // The page-aligned span of all segments: [lowest, highest).
    uint64_t lowest = 0;
    uint64_t highest = 0;
    // PT_GNU_STACK: the stack size the program asked for (its p_memsz; 0 when it names none, as
    // GNU ld writes it unless given -z stack-size), and the protection it asked for
    // (read | write without PT_GNU_STACK).
    uint64_t stack_size_hint = 0;
    uint8_t stack_protection = protection::read | protection::write;
    // Two segments share a page (see above).
    bool shares_pages = false;
};

base::Result<Image> parse(FileReader&, uint64_t file_size);
// The whole file in memory.
base::Result<Image> parse(const uint8_t* file, size_t size);

// A page-aligned range of the new task's memory with one protection.
struct Region {
    uint64_t start;
    uint64_t end;
    uint8_t protection;

    uint64_t size() const { return end - start; }
};

// File bytes [file_offset, file_offset + size) go to [vaddr, vaddr + size).
struct Copy {
    uint64_t vaddr;
    uint64_t file_offset;
    uint64_t size;
};

// What exec does with a parsed image, in this order:
// 1. allocate [start, end) in the new task (vm_allocate at that fixed address: it is zero-filled);
//    the regions cover exactly the pages of the segments, so a gap of whole pages between two
//    segments may be deallocated again or left inaccessible;
// 2. write each region's bytes (vm_write of whole pages): zeros, over which the copies that fall
//    inside it are laid; fill() builds those bytes for any page-aligned window. Everything no copy
//    covers stays zero: the bss, the rest of the page after a segment's file bytes (even where the
//    file goes on with other bytes), and the bytes of a first page before a segment starts;
// 3. vm_protect each region with its protection.
struct LoadPlan {
    Region regions[max_regions] = {};
    size_t region_count = 0;
    Copy copies[max_segments] = {};
    size_t copy_count = 0;
    uint64_t start = 0;
    uint64_t end = 0;
};

LoadPlan plan(const Image&);

// Fills window[0, size) with the bytes that belong at [window_vaddr, window_vaddr + size): zeros
// and the parts of the copies that fall inside the window, read through the reader. Any window
// works (a region, a page, a chunk of a large region), so exec can load with a bounded buffer.
base::Result<void> fill(const LoadPlan&, uint64_t window_vaddr, uint8_t* window, size_t size, FileReader&);

} // namespace elf
