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
