// The load plan and fill() on crafted images: the regions of segments that share pages, the
// copies, and windows of every shape over them.
#include "elf_test_support.h"

namespace {

using elf_test::Bytes;
using elf_test::CraftedElf;
using elf_test::outcome;
using namespace elf::layout;
namespace p = elf::protection;

constexpr uint8_t rx = p::read | p::execute;
constexpr uint8_t rw = p::read | p::write;

struct ExpectedRegion {
    uint64_t start, end;
    uint8_t protection;
};

void expect_regions(const elf::LoadPlan& plan, std::vector<ExpectedRegion> expected)
{
    ASSERT_EQ(plan.region_count, expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(plan.regions[i].start, expected[i].start) << "region " << i;
        EXPECT_EQ(plan.regions[i].end, expected[i].end) << "region " << i;
        EXPECT_EQ(plan.regions[i].protection, expected[i].protection) << "region " << i;
    }
}

elf::Image parsed(const CraftedElf& f)
{
    auto r = f.parse();
    EXPECT_EQ(outcome(r), "ok");
    return r.is_error() ? elf::Image {} : r.value();
}

TEST(ElfPlan, SeparatePagesGiveOneRegionPerSegment)
{
    CraftedElf f;
    f.size = 0x3000;
    f.phdrs.push_back(CraftedElf::load(0x402000, 0x1000, 0x10, 0x10, pf_r));
    f.phdrs.push_back(CraftedElf::load(0x405123, 0x2123, 0x100, 0x3000, pf_r | pf_w));
    elf::Image image = parsed(f);
    EXPECT_FALSE(image.shares_pages);
    elf::LoadPlan plan = elf::plan(image);
    expect_regions(plan, { { 0x400000, 0x401000, rx }, { 0x402000, 0x403000, p::read }, { 0x405000, 0x409000, rw } });
    EXPECT_EQ(plan.start, 0x400000u);
    EXPECT_EQ(plan.end, 0x409000u);
    ASSERT_EQ(plan.copy_count, 3u);
    EXPECT_EQ(plan.copies[2].vaddr, 0x405123u);
    EXPECT_EQ(plan.copies[2].file_offset, 0x2123u);
    EXPECT_EQ(plan.copies[2].size, 0x100u);
}

TEST(ElfPlan, ASharedPageBecomesARegionWithBothProtections)
{
    CraftedElf f;
    f.size = 0x3000;
    f.phdrs[0].p_filesz = f.phdrs[0].p_memsz = 0x1800; // text 0x400000-0x401800
    f.phdrs.push_back(CraftedElf::load(0x401800, 0x1800, 0x800, 0x2000, pf_r | pf_w)); // data to 0x403800
    elf::Image image = parsed(f);
    EXPECT_TRUE(image.shares_pages);
    expect_regions(elf::plan(image),
        { { 0x400000, 0x401000, rx }, { 0x401000, 0x402000, rx | p::write }, { 0x402000, 0x404000, rw } });
}

TEST(ElfPlan, SeveralSegmentsInOnePage)
{
    CraftedElf f;
    f.phdrs[0].p_filesz = f.phdrs[0].p_memsz = 0x200; // text at 0x400000-0x400200, entry 0x400100
    f.phdrs.push_back(CraftedElf::load(0x400200, 0x200, 0x100, 0x100, pf_r));
    f.phdrs.push_back(CraftedElf::load(0x400300, 0x300, 0x100, 0x100, pf_r | pf_w));
    f.phdrs.push_back(CraftedElf::load(0x400400, 0x400, 0x10, 0x2000, pf_r | pf_w));
    elf::Image image = parsed(f);
    EXPECT_TRUE(image.shares_pages);
    expect_regions(elf::plan(image), { { 0x400000, 0x401000, rx | p::write }, { 0x401000, 0x403000, rw } });
}

TEST(ElfPlan, ASegmentWhollyInsideASharedPageAddsNoRegion)
{
    CraftedElf f;
    f.size = 0x3000;
    f.phdrs[0].p_filesz = f.phdrs[0].p_memsz = 0x1800;
    f.phdrs.push_back(CraftedElf::load(0x401800, 0x1800, 0x100, 0x100, pf_r | pf_w));
    f.phdrs.push_back(CraftedElf::load(0x405000, 0x2000, 0x1000, 0x1000, pf_r));
    expect_regions(elf::plan(parsed(f)),
        { { 0x400000, 0x401000, rx }, { 0x401000, 0x402000, rx | p::write }, { 0x405000, 0x406000, p::read } });
}

TEST(ElfPlan, TheMostSegmentsFitTheRegions)
{
    // Sixteen segments of a page and a half, end to end: every other one shares its first page
    // with the one before, and the regions are the 24 pages one by one, within max_regions.
    CraftedElf f;
    f.size = 0x40000;
    f.phdrs.clear();
    for (uint64_t i = 0; i < elf::max_segments; ++i)
        f.phdrs.push_back(
            CraftedElf::load(0x400000 + i * 0x1800, i * 0x1800, 0x1800, 0x1800, i % 2 ? pf_r | pf_w : pf_r | pf_x));
    elf::LoadPlan plan = elf::plan(parsed(f));
    EXPECT_LE(plan.region_count, elf::max_regions);
    EXPECT_EQ(plan.region_count, 24u);
    EXPECT_EQ(plan.copy_count, elf::max_segments);
}

// fill() over any window: zeros except the copies, and a copy's bytes never spill past its own
// file size even where the file goes on.
TEST(ElfPlan, FillWindows)
{
    CraftedElf f;
    f.size = 0x3000;
    f.phdrs[0].p_filesz = f.phdrs[0].p_memsz = 0x1800;
    f.phdrs.push_back(CraftedElf::load(0x401900, 0x1900, 0x100, 0x2000, pf_r | pf_w));
    Bytes file = f.bytes();
    for (size_t i = 64 + 2 * sizeof(Elf64_Phdr); i < file.size(); ++i)
        file[i] = static_cast<uint8_t>(i * 7 + 1); // no zero in a stretch, so zeros in memory mean "not copied"
    auto r = elf::parse(file.data(), file.size());
    ASSERT_EQ(outcome(r), "ok");
    elf::LoadPlan plan = elf::plan(r.value());

    // What memory must hold, byte by byte.
    auto expected = [&](uint64_t vaddr) -> uint8_t {
        if (vaddr >= 0x400000 && vaddr < 0x401800)
            return file[vaddr - 0x400000];
        if (vaddr >= 0x401900 && vaddr < 0x401a00)
            return file[0x1900 + (vaddr - 0x401900)];
        return 0;
    };
    struct Window {
        uint64_t start, size;
    } windows[] = {
        { 0x400000, 0x4000 }, // all
        { 0x401000, 0x1000 }, // the shared page
        { 0x4017ff, 0x102 }, // across the end of text and the gap
        { 0x401950, 0x10 }, // inside the data's file bytes
        { 0x401a00, 0x1000 }, // bss only
        { 0x300000, 0x100 }, // before everything
        { 0x3fff00, 0x200 }, // across the start
    };
    for (const Window& w : windows) {
        Bytes memory(w.size, 0xee);
        elf_test::CheckingReader reader(file);
        auto filled = elf::fill(plan, w.start, memory.data(), memory.size(), reader);
        ASSERT_FALSE(filled.is_error());
        for (uint64_t i = 0; i < w.size; ++i)
            ASSERT_EQ(memory[i], expected(w.start + i)) << std::hex << "at " << w.start + i << " in window " << w.start;
    }
}

TEST(ElfPlan, FillPassesUpReaderErrors)
{
    CraftedElf f;
    Bytes file = f.bytes();
    elf::LoadPlan plan = elf::plan(parsed(f));
    elf_test::CheckingReader reader(file);
    reader.fail_at = 0x800;
    Bytes memory(0x1000);
    auto filled = elf::fill(plan, 0x400000, memory.data(), memory.size(), reader);
    ASSERT_TRUE(filled.is_error());
    EXPECT_EQ(filled.error().code(), base::status::device_io_error);
}

} // namespace
