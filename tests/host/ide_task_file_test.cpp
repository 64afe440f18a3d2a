// Task-file encoding of read, write and flush commands: 28-bit where it fits, 48-bit beyond.
#include <gtest/gtest.h>

#include "ata/ata_layout.h"
#include "ata/ide_task_file.h"

using ata::ide::Direction;
using ata::ide::Protocol;

TEST(IdeTaskFile, Lba28ReadCarriesBits24To27InTheDeviceRegister)
{
    auto t = ata::ide::transfer(Direction::Read, Protocol::Pio, 0x0abcdef1, 8, true);
    ASSERT_FALSE(t.is_error());
    const ata::ide::Registers& f = t.value();
    EXPECT_FALSE(f.lba48);
    EXPECT_EQ(f.command, ata::command::read_sectors);
    EXPECT_EQ(f.current.count, 8);
    EXPECT_EQ(f.current.lba_low, 0xf1);
    EXPECT_EQ(f.current.lba_mid, 0xde);
    EXPECT_EQ(f.current.lba_high, 0xbc);
    EXPECT_EQ(f.device, 0x40 | 0x0a);
}

TEST(IdeTaskFile, Lba28CountOf256IsWrittenAsZero)
{
    auto t = ata::ide::transfer(Direction::Write, Protocol::Dma, 0, 256, false);
    ASSERT_FALSE(t.is_error());
    EXPECT_FALSE(t.value().lba48);
    EXPECT_EQ(t.value().command, ata::command::write_dma);
    EXPECT_EQ(t.value().current.count, 0);
}

TEST(IdeTaskFile, CommandsForEachDirectionAndProtocol)
{
    struct Case {
        Direction d;
        Protocol p;
        uint64_t lba;
        uint8_t expected;
    } cases[] = {
        { Direction::Read, Protocol::Pio, 0, ata::command::read_sectors },
        { Direction::Write, Protocol::Pio, 0, ata::command::write_sectors },
        { Direction::Read, Protocol::Dma, 0, ata::command::read_dma },
        { Direction::Write, Protocol::Dma, 0, ata::command::write_dma },
        { Direction::Read, Protocol::Pio, 1ull << 28, ata::command::read_sectors_ext },
        { Direction::Write, Protocol::Pio, 1ull << 28, ata::command::write_sectors_ext },
        { Direction::Read, Protocol::Dma, 1ull << 28, ata::command::read_dma_ext },
        { Direction::Write, Protocol::Dma, 1ull << 28, ata::command::write_dma_ext },
    };
    for (const Case& c : cases) {
        auto t = ata::ide::transfer(c.d, c.p, c.lba, 1, true);
        ASSERT_FALSE(t.is_error());
        EXPECT_EQ(t.value().command, c.expected);
    }
}

TEST(IdeTaskFile, RangeEndingPastTheLba28LimitUses48Bit)
{
    // The last sector of the range is 2^28: 28-bit addressing cannot name it.
    auto t = ata::ide::transfer(Direction::Read, Protocol::Dma, (1ull << 28) - 1, 2, true);
    ASSERT_FALSE(t.is_error());
    EXPECT_TRUE(t.value().lba48);
    // Ending exactly at the limit still fits 28-bit.
    auto u = ata::ide::transfer(Direction::Read, Protocol::Dma, (1ull << 28) - 2, 2, true);
    ASSERT_FALSE(u.is_error());
    EXPECT_FALSE(u.value().lba48);
}

TEST(IdeTaskFile, Lba48SplitsAddressAndCountIntoPreviousAndCurrent)
{
    auto t = ata::ide::transfer(Direction::Read, Protocol::Pio, 0x123456789abcull, 0x1234, true);
    ASSERT_FALSE(t.is_error());
    const ata::ide::Registers& f = t.value();
    EXPECT_TRUE(f.lba48);
    EXPECT_EQ(f.command, ata::command::read_sectors_ext);
    EXPECT_EQ(f.current.count, 0x34);
    EXPECT_EQ(f.previous.count, 0x12);
    EXPECT_EQ(f.current.lba_low, 0xbc);
    EXPECT_EQ(f.current.lba_mid, 0x9a);
    EXPECT_EQ(f.current.lba_high, 0x78);
    EXPECT_EQ(f.previous.lba_low, 0x56);
    EXPECT_EQ(f.previous.lba_mid, 0x34);
    EXPECT_EQ(f.previous.lba_high, 0x12);
    EXPECT_EQ(f.device, 0x40);
}

TEST(IdeTaskFile, MoreThan256SectorsNeed48Bit)
{
    auto t = ata::ide::transfer(Direction::Read, Protocol::Dma, 0, 257, true);
    ASSERT_FALSE(t.is_error());
    EXPECT_TRUE(t.value().lba48);
    EXPECT_EQ(t.value().current.count, 1);
    EXPECT_EQ(t.value().previous.count, 1);
    EXPECT_TRUE(ata::ide::transfer(Direction::Read, Protocol::Dma, 0, 257, false).is_error());
}

TEST(IdeTaskFile, Count65536IsWrittenAsZero)
{
    auto t = ata::ide::transfer(Direction::Read, Protocol::Dma, 0, 65536, true);
    ASSERT_FALSE(t.is_error());
    EXPECT_EQ(t.value().current.count, 0);
    EXPECT_EQ(t.value().previous.count, 0);
}

TEST(IdeTaskFile, Refusals)
{
    EXPECT_TRUE(ata::ide::transfer(Direction::Read, Protocol::Pio, 0, 0, true).is_error());
    EXPECT_TRUE(ata::ide::transfer(Direction::Read, Protocol::Pio, 0, 65537, true).is_error());
    EXPECT_TRUE(ata::ide::transfer(Direction::Read, Protocol::Pio, 1ull << 28, 1, false).is_error());
    EXPECT_TRUE(ata::ide::transfer(Direction::Read, Protocol::Pio, (1ull << 48) - 1, 2, true).is_error());
    EXPECT_FALSE(ata::ide::transfer(Direction::Read, Protocol::Pio, (1ull << 48) - 1, 1, true).is_error());
}

TEST(IdeTaskFile, FlushPicksTheExtendedFormFor48BitDevices)
{
    EXPECT_EQ(ata::ide::flush(true).command, ata::command::flush_cache_ext);
    EXPECT_TRUE(ata::ide::flush(true).lba48);
    EXPECT_EQ(ata::ide::flush(false).command, ata::command::flush_cache);
    EXPECT_FALSE(ata::ide::flush(false).lba48);
}

TEST(IdeTaskFile, MultipleCommands)
{
    auto t = ata::ide::transfer(Direction::Read, Protocol::PioMultiple, 10, 32, true);
    ASSERT_FALSE(t.is_error());
    EXPECT_EQ(t.value().command, 0xc4);
    EXPECT_EQ(t.value().current.count, 32);
    auto u = ata::ide::transfer(Direction::Write, Protocol::PioMultiple, 10, 32, true);
    EXPECT_EQ(u.value().command, 0xc5);
    auto v = ata::ide::transfer(Direction::Read, Protocol::PioMultiple, 1ull << 30, 300, true);
    ASSERT_FALSE(v.is_error());
    EXPECT_TRUE(v.value().lba48);
    EXPECT_EQ(v.value().command, 0x29);
    auto w = ata::ide::transfer(Direction::Write, Protocol::PioMultiple, 1ull << 30, 300, true);
    EXPECT_EQ(w.value().command, 0x39);
}

TEST(IdeTaskFile, SetMultipleMode)
{
    ata::ide::Registers r = ata::ide::set_multiple_mode(16);
    EXPECT_EQ(r.command, 0xc6);
    EXPECT_EQ(r.current.count, 16);
    EXPECT_FALSE(r.lba48);
}

TEST(IdeTaskFile, MultipleBlockSizeIsAPowerOfTwoWithinBothLimits)
{
    // QEMU: bit 15 set, 16 sectors at most.
    EXPECT_EQ(ata::ide::multiple_block_sectors(0x8010, 16), 16);
    EXPECT_EQ(ata::ide::multiple_block_sectors(0x8010, 8), 8);
    EXPECT_EQ(ata::ide::multiple_block_sectors(0x8080, 16), 16);
    EXPECT_EQ(ata::ide::multiple_block_sectors(0x800c, 16), 8);
    EXPECT_EQ(ata::ide::multiple_block_sectors(0x8001, 16), 0);
    EXPECT_EQ(ata::ide::multiple_block_sectors(0x0000, 16), 0);
}
