// Checking a static ELF64 executable and planning its load; the rules are in loader.h.
#include "elf/loader.h"

#include "base/status.h"
#include "elf/elf_layout.h"

namespace elf {

namespace {

using layout::Elf64_Ehdr;
using layout::Elf64_Phdr;

uint64_t trunc_page(uint64_t a)
{
    return a & ~(page_size - 1);
}
// Only for addresses below user_space_end, where it cannot overflow.
uint64_t round_page(uint64_t a)
{
    return (a + page_size - 1) & ~(page_size - 1);
}

// [first, first + count) lies inside [0, limit), without overflow.
bool fits(uint64_t first, uint64_t count, uint64_t limit)
{
    return first <= limit && count <= limit - first;
}

uint8_t protection_of(uint32_t p_flags)
{
    uint8_t p = protection::none;
    if (p_flags & layout::pf_r)
        p |= protection::read;
    if (p_flags & layout::pf_w)
        p |= protection::write;
    if (p_flags & layout::pf_x)
        p |= protection::execute;
    return p;
}

base::Result<void> check_ident(const uint8_t* ident, size_t available)
{
    for (size_t i = 0; i < sizeof layout::magic; ++i)
        if (i >= available || ident[i] != layout::magic[i])
            return make_error(Error::NotElf);
    // A file that is a whole 32-bit header but shorter than a 64-bit one is a 32-bit ELF, not a
    // truncated one: judge the class, byte order and version before the length.
    if (available < layout::ident_size)
        return make_error(Error::TruncatedHeader);
    switch (ident[layout::ei_class]) {
    case layout::elfclass64:
        break;
    case layout::elfclass32:
        return make_error(Error::Elf32);
    default:
        return make_error(Error::BadClass);
    }
    switch (ident[layout::ei_data]) {
    case layout::elfdata2lsb:
        break;
    case layout::elfdata2msb:
        return make_error(Error::BigEndian);
    default:
        return make_error(Error::BadByteOrder);
    }
    if (ident[layout::ei_version] != layout::ev_current)
        return make_error(Error::BadVersion);
    return {};
}

base::Result<void> check_header(const Elf64_Ehdr& h, uint64_t file_size)
{
    if (h.e_version != layout::ev_current)
        return make_error(Error::BadVersion);
    if (h.e_machine != layout::em_x86_64)
        return make_error(Error::WrongMachine);
    switch (h.e_type) {
    case layout::et_exec:
        break;
    case layout::et_dyn:
        return make_error(Error::SharedObject);
    case layout::et_rel:
        return make_error(Error::Relocatable);
    case layout::et_core:
        return make_error(Error::CoreDump);
    default:
        return make_error(Error::BadType);
    }
    if (h.e_phnum == 0)
        return make_error(Error::NoLoadableSegment);
    if (h.e_phentsize != sizeof(Elf64_Phdr))
        return make_error(Error::BadProgramHeaderSize);
    if (h.e_phnum > max_program_headers) // also PN_XNUM, extended numbering
        return make_error(Error::TooManyProgramHeaders);
    if (h.e_phoff < sizeof(Elf64_Ehdr))
        return make_error(Error::BadProgramHeaderOffset);
    if (!fits(h.e_phoff, uint64_t(h.e_phnum) * sizeof(Elf64_Phdr), file_size))
        return make_error(Error::TruncatedProgramHeaders);
    return {};
}

base::Result<Segment> check_load(const Elf64_Phdr& p, uint64_t file_size)
{
    if (p.p_filesz > p.p_memsz)
        return make_error(Error::SegmentFileSizeTooLarge);
    if (p.p_filesz > 0 && !fits(p.p_offset, p.p_filesz, file_size))
        return make_error(Error::SegmentOutsideFile);
    if (p.p_align & (p.p_align - 1))
        return make_error(Error::BadAlignment);
    uint64_t modulus = p.p_align < page_size ? p.p_align : page_size;
    if (modulus > 1 && (p.p_vaddr - p.p_offset) % modulus != 0)
        return make_error(Error::SegmentMisaligned);
    if (!fits(p.p_vaddr, p.p_memsz, user_space_end))
        return make_error(Error::SegmentOutsideUserSpace);
    if (p.p_vaddr < page_size)
        return make_error(Error::SegmentInPageZero);
    // Inside user space, so the rounding cannot overflow.
    if (round_page(p.p_vaddr + p.p_memsz) - trunc_page(p.p_vaddr) > max_image_size)
        return make_error(Error::ImageTooLarge);
    return Segment { p.p_vaddr, p.p_memsz, p.p_offset, p.p_filesz, protection_of(p.p_flags) };
}

void sort_by_address(Segment* s, size_t count)
{
    for (size_t i = 1; i < count; ++i) {
        Segment moving = s[i];
        size_t j = i;
        for (; j > 0 && s[j - 1].vaddr > moving.vaddr; --j)
            s[j] = s[j - 1];
        s[j] = moving;
    }
}

} // namespace

base::Result<void> MemoryReader::read(uint64_t offset, void* buffer, size_t size)
{
    if (!fits(offset, size, m_size))
        return base::Error(base::status::invalid_address, "read past the end of an ELF file in memory");
    __builtin_memcpy(buffer, m_bytes + offset, size);
    return {};
}

base::Result<Image> parse(FileReader& reader, uint64_t file_size)
{
    Elf64_Ehdr header {};
    size_t available = file_size < sizeof header ? static_cast<size_t>(file_size) : sizeof header;
    TRY(reader.read(0, &header, available));
    TRY(check_ident(header.e_ident, available));
    if (available < sizeof header)
        return make_error(Error::TruncatedHeader);
    TRY(check_header(header, file_size));

    Elf64_Phdr headers[max_program_headers];
    TRY(reader.read(header.e_phoff, headers, header.e_phnum * sizeof(Elf64_Phdr)));

    // A dynamically linked program is refused as such, whatever else is wrong with it.
    for (size_t i = 0; i < header.e_phnum; ++i)
        if (headers[i].p_type == layout::pt_interp)
            return make_error(Error::Dynamic);

    Image image;
    image.entry = header.e_entry;
    // The pages of the segments so far (each at most max_image_size: no overflow).
    uint64_t pages = 0;
    for (size_t i = 0; i < header.e_phnum; ++i) {
        const Elf64_Phdr& p = headers[i];
        if (p.p_type == layout::pt_gnu_stack) {
            image.stack_size_hint = p.p_memsz;
            image.stack_protection = protection_of(p.p_flags);
            continue;
        }
        if (p.p_type != layout::pt_load)
            continue;
        Segment segment = TRY(check_load(p, file_size));
        if (segment.memsz == 0)
            continue;
        if (image.count == max_segments)
            return make_error(Error::TooManySegments);
        pages += round_page(segment.end()) - trunc_page(segment.vaddr);
        if (pages > max_image_size)
            return make_error(Error::ImageTooLarge);
        image.segments[image.count++] = segment;
    }
    if (image.count == 0)
        return make_error(Error::NoLoadableSegment);

    sort_by_address(image.segments, image.count);
    for (size_t i = 1; i < image.count; ++i) {
        const Segment& before = image.segments[i - 1];
        const Segment& s = image.segments[i];
        if (s.vaddr < before.end())
            return make_error(Error::SegmentsOverlap);
        if (trunc_page(s.vaddr) < round_page(before.end()))
            image.shares_pages = true;
    }

    bool entry_found = false;
    for (size_t i = 0; i < image.count; ++i) {
        const Segment& s = image.segments[i];
        if ((s.protection & protection::execute) && image.entry >= s.vaddr && image.entry - s.vaddr < s.filesz)
            entry_found = true;
    }
    if (!entry_found)
        return make_error(Error::EntryOutsideSegments);

    image.lowest = trunc_page(image.segments[0].vaddr);
    image.highest = round_page(image.segments[image.count - 1].end());
    return image;
}

base::Result<Image> parse(const uint8_t* file, size_t size)
{
    MemoryReader reader(file, size);
    return parse(reader, size);
}

LoadPlan plan(const Image& image)
{
    LoadPlan result;
    for (size_t i = 0; i < image.count; ++i) {
        const Segment& s = image.segments[i];
        uint64_t start = trunc_page(s.vaddr);
        uint64_t end = round_page(s.end());
        if (result.region_count > 0) {
            // Segments are sorted and disjoint, so this one can only share the last page of the
            // regions so far, and it ends no earlier than they do.
            Region& last = result.regions[result.region_count - 1];
            if (start < last.end) {
                if (last.size() > page_size) {
                    last.end -= page_size;
                    result.regions[result.region_count++] = { start, start + page_size, last.protection };
                }
                result.regions[result.region_count - 1].protection |= s.protection;
                start += page_size;
            }
        }
        if (start < end)
            result.regions[result.region_count++] = { start, end, s.protection };
        if (s.filesz > 0)
            result.copies[result.copy_count++] = { s.vaddr, s.file_offset, s.filesz };
    }
    result.start = image.lowest;
    result.end = image.highest;
    return result;
}

base::Result<void> fill(const LoadPlan& plan, uint64_t window_vaddr, uint8_t* window, size_t size, FileReader& reader)
{
    __builtin_memset(window, 0, size);
    uint64_t window_end = window_vaddr + size;
    if (window_end < window_vaddr)
        window_end = ~uint64_t(0);
    for (size_t i = 0; i < plan.copy_count; ++i) {
        const Copy& c = plan.copies[i];
        uint64_t from = c.vaddr > window_vaddr ? c.vaddr : window_vaddr;
        uint64_t to = c.vaddr + c.size < window_end ? c.vaddr + c.size : window_end;
        if (from >= to)
            continue;
        TRY(reader.read(c.file_offset + (from - c.vaddr), window + (from - window_vaddr), to - from));
    }
    return {};
}

} // namespace elf
