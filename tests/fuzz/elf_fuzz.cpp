// libFuzzer target for the ELF loader: the input is a whole file. parse() must neither crash nor
// read outside the file, and what it accepts must keep every promise of elf/loader.h; the plan
// must cover the segments with page-aligned, disjoint regions, and fill() must lay out exactly
// the file's bytes where the copies say and zeros elsewhere. The input's bytes also feed the
// initial stack builder as packed argv and envp blocks.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "elf/initial_stack.h"
#include "elf/loader.h"

namespace {

#define CHECK(condition)                                                                                               \
    do {                                                                                                               \
        if (!(condition))                                                                                              \
            __builtin_trap();                                                                                          \
    } while (0)

class InputFile final : public elf::FileReader {
public:
    InputFile(const uint8_t* data, size_t size)
        : m_data(data)
        , m_size(size)
    {
    }

    base::Result<void> read(uint64_t offset, void* buffer, size_t size) override
    {
        CHECK(offset <= m_size && size <= m_size - offset); // the loader promises never to ask for this
        memcpy(buffer, m_data + offset, size);
        return {};
    }

private:
    const uint8_t* m_data;
    size_t m_size;
};

void check_image(const elf::Image& image, size_t file_size)
{
    CHECK(image.count >= 1 && image.count <= elf::max_segments);
    bool entry_found = false;
    for (size_t i = 0; i < image.count; ++i) {
        const elf::Segment& s = image.segments[i];
        CHECK(s.memsz > 0 && s.filesz <= s.memsz);
        CHECK(s.vaddr >= elf::page_size && s.end() <= elf::user_space_end && s.end() > s.vaddr);
        CHECK(s.filesz == 0 || (s.file_offset <= file_size && s.filesz <= file_size - s.file_offset));
        CHECK((s.protection & ~7) == 0);
        if (i > 0)
            CHECK(image.segments[i - 1].end() <= s.vaddr);
        if ((s.protection & elf::protection::execute) && image.entry >= s.vaddr && image.entry < s.vaddr + s.filesz)
            entry_found = true;
    }
    CHECK(entry_found);
    CHECK(image.lowest % elf::page_size == 0 && image.highest % elf::page_size == 0);
    CHECK(image.lowest <= image.segments[0].vaddr && image.highest >= image.segments[image.count - 1].end());
    CHECK(image.highest - image.segments[image.count - 1].end() < elf::page_size);
    // The pages of all segments together stay within the loader's bound (no 127 TiB bss).
    uint64_t pages = 0;
    for (size_t i = 0; i < image.count; ++i) {
        const elf::Segment& s = image.segments[i];
        pages += ((s.end() + elf::page_size - 1) & ~(elf::page_size - 1)) - (s.vaddr & ~(elf::page_size - 1));
    }
    CHECK(pages <= elf::max_image_size);
}

void check_plan(const elf::Image& image, const elf::LoadPlan& plan)
{
    CHECK(plan.region_count >= 1 && plan.region_count <= elf::max_regions);
    CHECK(plan.start == image.lowest && plan.end == image.highest);
    CHECK(plan.regions[0].start == plan.start && plan.regions[plan.region_count - 1].end == plan.end);
    for (size_t i = 0; i < plan.region_count; ++i) {
        const elf::Region& r = plan.regions[i];
        CHECK(r.start % elf::page_size == 0 && r.end % elf::page_size == 0 && r.start < r.end);
        if (i > 0)
            CHECK(plan.regions[i - 1].end <= r.start);
    }
    // Every page of every segment is in a region with at least the segment's protection; the
    // walk is bounded by the regions, not by the (possibly huge) segment sizes.
    for (size_t s = 0; s < image.count; ++s) {
        const elf::Segment& segment = image.segments[s];
        uint64_t covered = segment.vaddr & ~(elf::page_size - 1);
        for (size_t i = 0; i < plan.region_count && covered < segment.end(); ++i) {
            const elf::Region& r = plan.regions[i];
            if (r.end <= covered)
                continue;
            CHECK(r.start <= covered);
            CHECK((r.protection & segment.protection) == segment.protection);
            covered = r.end;
        }
        CHECK(covered >= segment.end());
    }
    size_t copies = 0;
    for (size_t s = 0; s < image.count; ++s)
        copies += image.segments[s].filesz > 0;
    CHECK(plan.copy_count == copies);
}

// Fills a window of two pages and compares it with a copy built here range by range.
void check_fill(const elf::LoadPlan& plan, uint64_t window, const uint8_t* data, size_t size)
{
    constexpr size_t window_size = 2 * elf::page_size;
    static uint8_t memory[window_size], expected[window_size];
    InputFile file(data, size);
    auto filled = elf::fill(plan, window, memory, window_size, file);
    CHECK(!filled.is_error());
    memset(expected, 0, window_size);
    for (size_t c = 0; c < plan.copy_count; ++c) {
        const elf::Copy& copy = plan.copies[c];
        for (uint64_t vaddr = copy.vaddr > window ? copy.vaddr : window;
             vaddr < window + window_size && vaddr - copy.vaddr < copy.size; ++vaddr) {
            expected[vaddr - window] = data[copy.file_offset + (vaddr - copy.vaddr)];
        }
    }
    CHECK(memcmp(memory, expected, window_size) == 0);
}

void check_stack(const uint8_t* data, size_t size)
{
    // argv up to the first 0xff byte, envp after it; the stack top from the first bytes.
    size_t split = 0;
    while (split < size && data[split] != 0xff)
        ++split;
    base::StringView argv(reinterpret_cast<const char*>(data), split);
    base::StringView envp = split < size
        ? base::StringView(reinterpret_cast<const char*>(data) + split + 1, size - split - 1)
        : base::StringView();
    uint64_t top = elf::user_space_end;
    if (size >= 2)
        top -= (uint64_t(data[0]) << 20 | uint64_t(data[1]) << 4);
    static uint8_t out[elf::max_argument_bytes];
    auto r = elf::build_initial_stack_packed(top, argv, envp, out, sizeof out);
    if (r.is_error()) {
        CHECK(r.error().is(elf::domain));
        return;
    }
    const elf::StackImage& image = r.value();
    CHECK(image.rsp % 16 == 0 && image.rsp + image.size == top && image.size <= elf::max_argument_bytes);
    uint64_t argc;
    memcpy(&argc, out, 8);
    CHECK(argc == elf::packed_count(argv));
    // Every pointer of argv and envp names a NUL-terminated string inside the block.
    size_t words = 1 + argc + 1 + elf::packed_count(envp) + 1;
    for (size_t w = 1; w < words; ++w) {
        uint64_t p;
        memcpy(&p, out + 8 * w, 8);
        if (p == 0) {
            CHECK(w == argc + 1 || w == words - 1);
            continue;
        }
        CHECK(p >= image.rsp + 8 * words && p < top);
        CHECK(memchr(out + (p - image.rsp), 0, top - p) != nullptr);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    InputFile file(data, size);
    auto parsed = elf::parse(file, size);
    if (parsed.is_error()) {
        CHECK(parsed.error().is(elf::domain));
        CHECK(elf::error_sentence(elf::elf_error(parsed.error()))[0] != 0);
    } else {
        const elf::Image& image = parsed.value();
        check_image(image, size);
        elf::LoadPlan plan = elf::plan(image);
        check_plan(image, plan);
        check_fill(plan, plan.start, data, size);
        check_fill(plan, image.entry & ~(elf::page_size - 1), data, size);
        if (plan.end - plan.start > 2 * elf::page_size)
            check_fill(plan, plan.end - 2 * elf::page_size, data, size);
    }
    check_stack(data, size);
    return 0;
}
