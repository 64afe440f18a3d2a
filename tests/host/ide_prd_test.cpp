// PRD tables for bus-master IDE DMA: pieces never cross 64 KiB, 64 KiB is written as 0, the
// last entry ends the table.
#include <gtest/gtest.h>

#include "ata/ide_prd.h"

TEST(IdePrd, SmallRangeIsOneEntry)
{
    ata::ide::PrdEntry t[4];
    auto n = ata::ide::build_prd_table(0x100000, 512, t, 4);
    ASSERT_FALSE(n.is_error());
    ASSERT_EQ(n.value(), 1u);
    EXPECT_EQ(t[0].physical, 0x100000u);
    EXPECT_EQ(t[0].byte_count, 512);
    EXPECT_EQ(t[0].flags, ata::ide::prd::end_of_table);
}

TEST(IdePrd, AlignedSixtyFourKibIsWrittenAsZero)
{
    ata::ide::PrdEntry t[4];
    auto n = ata::ide::build_prd_table(0x20000, 0x10000, t, 4);
    ASSERT_FALSE(n.is_error());
    ASSERT_EQ(n.value(), 1u);
    EXPECT_EQ(t[0].byte_count, 0);
}

TEST(IdePrd, RangeIsSplitAtEverySixtyFourKibBoundary)
{
    ata::ide::PrdEntry t[8];
    // 0x0ffd8000 + 128 KiB crosses 0x0ffe0000 and 0x0fff0000.
    auto n = ata::ide::build_prd_table(0x0ffd8000, 0x20000, t, 8);
    ASSERT_FALSE(n.is_error());
    ASSERT_EQ(n.value(), 3u);
    EXPECT_EQ(t[0].physical, 0x0ffd8000u);
    EXPECT_EQ(t[0].byte_count, 0x8000);
    EXPECT_EQ(t[0].flags, 0);
    EXPECT_EQ(t[1].physical, 0x0ffe0000u);
    EXPECT_EQ(t[1].byte_count, 0);
    EXPECT_EQ(t[1].flags, 0);
    EXPECT_EQ(t[2].physical, 0x0fff0000u);
    EXPECT_EQ(t[2].byte_count, 0x8000);
    EXPECT_EQ(t[2].flags, ata::ide::prd::end_of_table);
    uint64_t total = 0;
    for (size_t i = 0; i < n.value(); ++i)
        total += t[i].byte_count ? t[i].byte_count : 0x10000;
    EXPECT_EQ(total, 0x20000u);
}

TEST(IdePrd, Refusals)
{
    ata::ide::PrdEntry t[2];
    EXPECT_TRUE(ata::ide::build_prd_table(0x1000, 0, t, 2).is_error());
    EXPECT_TRUE(ata::ide::build_prd_table(0x1000, 511, t, 2).is_error());
    EXPECT_TRUE(ata::ide::build_prd_table(0x1001, 512, t, 2).is_error());
    EXPECT_TRUE(ata::ide::build_prd_table(0xffffff00ull, 0x200, t, 2).is_error());
    // Three pieces do not fit two entries.
    EXPECT_TRUE(ata::ide::build_prd_table(0x8000, 0x20000, t, 2).is_error());
    // Ending exactly at 4 GiB is fine.
    EXPECT_FALSE(ata::ide::build_prd_table(0xffffff00ull, 0x100, t, 2).is_error());
}

// ---- Tables from several physical runs --------------------------------------------------------------

namespace {

uint64_t described(const ata::ide::PrdEntry* t, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; ++i)
        total += t[i].byte_count ? t[i].byte_count : 0x10000;
    return total;
}

} // namespace

TEST(IdePrdRuns, ScatteredPagesTakeAnEntryEach)
{
    const ata::ide::PhysicalRun runs[] = { { 0x345000, 0x1000 }, { 0x120000, 0x1000 }, { 0x9000, 0x1000 } };
    ata::ide::PrdEntry t[8];
    auto fill = ata::ide::build_prd_table(runs, 3, t, 8);
    ASSERT_FALSE(fill.is_error());
    ASSERT_EQ(fill.value().entries, 3u);
    EXPECT_EQ(fill.value().bytes, 0x3000u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(t[i].physical, runs[i].physical) << "entry " << i;
        EXPECT_EQ(t[i].byte_count, 0x1000) << "entry " << i;
        EXPECT_EQ(t[i].flags, i == 2 ? ata::ide::prd::end_of_table : 0) << "entry " << i;
    }
}

TEST(IdePrdRuns, ContiguousPagesShareAnEntry)
{
    const ata::ide::PhysicalRun runs[] = { { 0x210000, 0x1000 }, { 0x211000, 0x1000 }, { 0x212000, 0x2000 } };
    ata::ide::PrdEntry t[4];
    auto fill = ata::ide::build_prd_table(runs, 3, t, 4);
    ASSERT_FALSE(fill.is_error());
    ASSERT_EQ(fill.value().entries, 1u);
    EXPECT_EQ(t[0].physical, 0x210000u);
    EXPECT_EQ(t[0].byte_count, 0x4000);
    EXPECT_EQ(t[0].flags, ata::ide::prd::end_of_table);
}

TEST(IdePrdRuns, ContiguousPagesFillingAWindowAreWrittenAsZero)
{
    ata::ide::PhysicalRun runs[16];
    for (uint32_t i = 0; i < 16; ++i)
        runs[i] = { 0x30000 + uint64_t(i) * 0x1000, 0x1000 };
    ata::ide::PrdEntry t[2];
    auto fill = ata::ide::build_prd_table(runs, 16, t, 2);
    ASSERT_FALSE(fill.is_error());
    ASSERT_EQ(fill.value().entries, 1u);
    EXPECT_EQ(t[0].physical, 0x30000u);
    EXPECT_EQ(t[0].byte_count, 0); // 64 KiB
    EXPECT_EQ(fill.value().bytes, 0x10000u);
}

TEST(IdePrdRuns, ContiguousRunsAcrossABoundaryAreSplitThere)
{
    // Contiguous, but the second starts on a 64 KiB boundary; the third crosses the next one.
    const ata::ide::PhysicalRun runs[] = { { 0x1f000, 0x1000 }, { 0x20000, 0x1000 }, { 0x21000, 0x10000 } };
    ata::ide::PrdEntry t[4];
    auto fill = ata::ide::build_prd_table(runs, 3, t, 4);
    ASSERT_FALSE(fill.is_error());
    ASSERT_EQ(fill.value().entries, 3u);
    EXPECT_EQ(t[0].physical, 0x1f000u);
    EXPECT_EQ(t[0].byte_count, 0x1000);
    EXPECT_EQ(t[1].physical, 0x20000u);
    EXPECT_EQ(t[1].byte_count, 0); // 0x20000 to 0x30000, the second run and most of the third
    EXPECT_EQ(t[2].physical, 0x30000u);
    EXPECT_EQ(t[2].byte_count, 0x1000);
    EXPECT_EQ(t[2].flags, ata::ide::prd::end_of_table);
    EXPECT_EQ(described(t, 3), fill.value().bytes);
    EXPECT_EQ(fill.value().bytes, 0x12000u);
}

TEST(IdePrdRuns, OneRunIsTheContiguousTable)
{
    const ata::ide::PhysicalRun run { 0x0ffd8000, 0x20000 };
    ata::ide::PrdEntry from_runs[8], from_range[8];
    auto fill = ata::ide::build_prd_table(&run, 1, from_runs, 8);
    auto n = ata::ide::build_prd_table(run.physical, run.bytes, from_range, 8);
    ASSERT_FALSE(fill.is_error());
    ASSERT_FALSE(n.is_error());
    ASSERT_EQ(fill.value().entries, n.value());
    for (size_t i = 0; i < n.value(); ++i) {
        EXPECT_EQ(from_runs[i].physical, from_range[i].physical);
        EXPECT_EQ(from_runs[i].byte_count, from_range[i].byte_count);
        EXPECT_EQ(from_runs[i].flags, from_range[i].flags);
    }
}

TEST(IdePrdRuns, Refusals)
{
    ata::ide::PrdEntry t[4];
    EXPECT_TRUE(ata::ide::build_prd_table(nullptr, 0, t, 4).is_error());
    const ata::ide::PhysicalRun empty[] = { { 0x1000, 0x1000 }, { 0x5000, 0 } };
    EXPECT_TRUE(ata::ide::build_prd_table(empty, 2, t, 4).is_error());
    const ata::ide::PhysicalRun odd_length[] = { { 0x1000, 0x1001 } };
    EXPECT_TRUE(ata::ide::build_prd_table(odd_length, 1, t, 4).is_error());
    const ata::ide::PhysicalRun odd_address[] = { { 0x1000, 0x200 }, { 0x3001, 0x200 } };
    EXPECT_TRUE(ata::ide::build_prd_table(odd_address, 2, t, 4).is_error());
    const ata::ide::PhysicalRun high[] = { { 0xfffff000ull, 0x2000 } };
    EXPECT_TRUE(ata::ide::build_prd_table(high, 1, t, 4).is_error());
    // Five scattered pages do not fit four entries.
    const ata::ide::PhysicalRun five[]
        = { { 0x1000, 0x1000 }, { 0x3000, 0x1000 }, { 0x5000, 0x1000 }, { 0x7000, 0x1000 }, { 0x9000, 0x1000 } };
    EXPECT_TRUE(ata::ide::build_prd_table(five, 5, t, 4).is_error());
    EXPECT_FALSE(ata::ide::build_prd_table(five, 4, t, 4).is_error());
}
