// The AHCI driver's command memory: Register H2D FIS bytes, task files of the transfers, PRD
// tables and command headers, as the AHCI 1.3 and SATA specifications lay them out.
#include <gtest/gtest.h>

#include <cstring>

#include "ata/ahci_command.h"

using namespace ata::ahci;

TEST(AhciFis, ReadDmaExtCarriesAll48AddressBits)
{
    auto t = dma_transfer(Addressing::Lba48, Transfer::Read, 0x123456789abcull, 0x1234);
    ASSERT_FALSE(t.is_error());
    uint8_t fis[fis::register_h2d_bytes];
    std::memset(fis, 0xee, sizeof fis);
    encode_register_h2d(t.value(), fis);
    // clang-format off
    const uint8_t expected[20] = {
        0x27, 0x80, 0x25, 0x00, // type, C bit, READ DMA EXT, features
        0xbc, 0x9a, 0x78, 0x40, // LBA 7:0, 15:8, 23:16, device (LBA mode)
        0x56, 0x34, 0x12, 0x00, // LBA 31:24, 39:32, 47:40, features 15:8
        0x34, 0x12, 0x00, 0x00, // count, ICC, control
        0x00, 0x00, 0x00, 0x00,
    };
    // clang-format on
    for (size_t i = 0; i < sizeof expected; ++i)
        EXPECT_EQ(fis[i], expected[i]) << "byte " << i;
}

TEST(AhciFis, WriteDmaExtOpcode)
{
    auto t = dma_transfer(Addressing::Lba48, Transfer::Write, 7, 1);
    ASSERT_FALSE(t.is_error());
    EXPECT_EQ(t.value().command, 0x35);
    EXPECT_EQ(t.value().count, 1);
}

TEST(AhciFis, LargestCountsAreEncodedAsZero)
{
    auto wide = dma_transfer(Addressing::Lba48, Transfer::Read, 0, 65536);
    ASSERT_FALSE(wide.is_error());
    EXPECT_EQ(wide.value().count, 0);
    auto narrow = dma_transfer(Addressing::Lba28, Transfer::Read, 0, 256);
    ASSERT_FALSE(narrow.is_error());
    EXPECT_EQ(narrow.value().count, 0);
    EXPECT_EQ(narrow.value().command, 0xc8);
}

TEST(AhciFis, Lba28PutsBits24To27InTheDeviceRegister)
{
    auto t = dma_transfer(Addressing::Lba28, Transfer::Write, 0x0abcdef1, 2);
    ASSERT_FALSE(t.is_error());
    EXPECT_EQ(t.value().command, 0xca);
    EXPECT_EQ(t.value().device, 0x4a);
    uint8_t fis[fis::register_h2d_bytes];
    encode_register_h2d(t.value(), fis);
    EXPECT_EQ(fis[4], 0xf1);
    EXPECT_EQ(fis[5], 0xde);
    EXPECT_EQ(fis[6], 0xbc);
    EXPECT_EQ(fis[8], 0x00); // no 48-bit bytes
    EXPECT_EQ(fis[9], 0x00);
    EXPECT_EQ(fis[10], 0x00);
}

TEST(AhciFis, RefusesCountsAndRangesTheCommandCannotCarry)
{
    EXPECT_TRUE(dma_transfer(Addressing::Lba48, Transfer::Read, 0, 0).is_error());
    EXPECT_TRUE(dma_transfer(Addressing::Lba48, Transfer::Read, 0, 65537).is_error());
    EXPECT_TRUE(dma_transfer(Addressing::Lba28, Transfer::Read, 0, 257).is_error());
    // The last sector of 28-bit space is reachable, one past it is not.
    EXPECT_FALSE(dma_transfer(Addressing::Lba28, Transfer::Read, (1u << 28) - 1, 1).is_error());
    EXPECT_TRUE(dma_transfer(Addressing::Lba28, Transfer::Read, (1u << 28) - 1, 2).is_error());
    EXPECT_TRUE(dma_transfer(Addressing::Lba48, Transfer::Read, (1ull << 48) - 1, 2).is_error());
    EXPECT_TRUE(dma_transfer(Addressing::Lba48, Transfer::Read, ~0ull, 1).is_error());
}

TEST(AhciFis, FlushAndIdentify)
{
    EXPECT_EQ(flush_cache(Addressing::Lba48).command, 0xea);
    EXPECT_EQ(flush_cache(Addressing::Lba28).command, 0xe7);
    uint8_t fis[fis::register_h2d_bytes];
    encode_register_h2d(simple_command(ata::command::identify_device), fis);
    EXPECT_EQ(fis[2], 0xec);
    EXPECT_EQ(fis[7], 0x00);
    EXPECT_EQ(fis[12], 0x00);
}

TEST(AhciFis, PacketWithDmaAndByteCountLimit)
{
    uint8_t fis[fis::register_h2d_bytes];
    encode_register_h2d(packet_dma(0xfffe), fis);
    EXPECT_EQ(fis[2], 0xa0);
    EXPECT_EQ(fis[3], 0x01); // DMA
    EXPECT_EQ(fis[4], 0x00);
    EXPECT_EQ(fis[5], 0xfe); // byte count limit, low
    EXPECT_EQ(fis[6], 0xff); // and high
}

TEST(AhciPrdt, OneContiguousMegabyteIsOneEntry)
{
    PrdEntry table[4] = {};
    Segment s { 0x0ff00000, 1 << 20 };
    auto n = build_prdt(&s, 1, table, 4);
    ASSERT_FALSE(n.is_error());
    EXPECT_EQ(n.value(), 1u);
    EXPECT_EQ(table[0].address_low, 0x0ff00000u);
    EXPECT_EQ(table[0].address_high, 0u);
    EXPECT_EQ(table[0].count, (1u << 20) - 1); // byte count minus one, no interrupt bit
}

TEST(AhciPrdt, SegmentsOverFourMegabytesAreSplit)
{
    PrdEntry table[4] = {};
    Segment s { 0x1'2000'0000ull, (9u << 20) + 2 };
    auto n = build_prdt(&s, 1, table, 4);
    ASSERT_FALSE(n.is_error());
    ASSERT_EQ(n.value(), 3u);
    EXPECT_EQ(table[0].count, (4u << 20) - 1);
    EXPECT_EQ(table[1].count, (4u << 20) - 1);
    EXPECT_EQ(table[2].count, (1u << 20) + 1);
    EXPECT_EQ(table[0].address_high, 1u);
    EXPECT_EQ(table[1].address_low, 0x2040'0000u);
    EXPECT_EQ(table[2].address_low, 0x2080'0000u);
}

TEST(AhciPrdt, SeveralSegmentsInOrder)
{
    PrdEntry table[3] = {};
    Segment s[2] = { { 0x1000, 0x200 }, { 0x9000, 0x1000 } };
    auto n = build_prdt(s, 2, table, 3);
    ASSERT_FALSE(n.is_error());
    ASSERT_EQ(n.value(), 2u);
    EXPECT_EQ(table[0].address_low, 0x1000u);
    EXPECT_EQ(table[0].count, 0x1ffu);
    EXPECT_EQ(table[1].address_low, 0x9000u);
    EXPECT_EQ(table[1].count, 0xfffu);
}

TEST(AhciPrdt, RefusesWhatTheHbaCannotDo)
{
    PrdEntry table[2] = {};
    Segment empty { 0x1000, 0 };
    EXPECT_TRUE(build_prdt(&empty, 1, table, 2).is_error());
    Segment odd_size { 0x1000, 511 };
    EXPECT_TRUE(build_prdt(&odd_size, 1, table, 2).is_error());
    Segment odd_address { 0x1001, 512 };
    EXPECT_TRUE(build_prdt(&odd_address, 1, table, 2).is_error());
    Segment too_long { 0x1000, 9u << 20 }; // three entries
    EXPECT_TRUE(build_prdt(&too_long, 1, table, 2).is_error());
    Segment fits { 0x1000, 8u << 20 }; // exactly two
    EXPECT_FALSE(build_prdt(&fits, 1, table, 2).is_error());
}

TEST(AhciHeader, FlagsLengthAndTable)
{
    CommandHeader read = command_header(5, DataDirection::FromDevice, Protocol::Ata, 1, 0x0ffd8500);
    EXPECT_EQ(read.flags, 5u | (1u << 16));
    EXPECT_EQ(read.transferred, 0u);
    EXPECT_EQ(read.table_low, 0x0ffd8500u);
    EXPECT_EQ(read.table_high, 0u);

    CommandHeader write = command_header(5, DataDirection::ToDevice, Protocol::Ata, 3, 0x2'0000'0080ull);
    EXPECT_EQ(write.flags, 5u | (1u << 6) | (3u << 16));
    EXPECT_EQ(write.table_low, 0x80u);
    EXPECT_EQ(write.table_high, 2u);

    CommandHeader packet = command_header(5, DataDirection::FromDevice, Protocol::Atapi, 1, 0x1000);
    EXPECT_EQ(packet.flags, 5u | (1u << 5) | (1u << 16));

    CommandHeader none = command_header(5, DataDirection::None, Protocol::Ata, 0, 0x1000);
    EXPECT_EQ(none.flags, 5u);
}

TEST(AhciTransferCount, ShortCountIsAnIoError)
{
    auto r = check_transferred(4096, 4094);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), base::status::device_io_error);
    EXPECT_STREQ(r.error().context(), "the controller moved fewer bytes than the command asked for");
    // One sector short of a 1 MiB read, as an HBA that ran out of PRD entries would report it.
    EXPECT_TRUE(check_transferred(1u << 20, (1u << 20) - 512).is_error());
}

TEST(AhciTransferCount, ExactCountIsSuccess)
{
    EXPECT_FALSE(check_transferred(512, 512).is_error());
    EXPECT_FALSE(check_transferred(1u << 20, 1u << 20).is_error());
}

TEST(AhciTransferCount, ZeroMovedIsAnErrorUnlessNothingWasAsked)
{
    auto none_moved = check_transferred(65536, 0);
    ASSERT_TRUE(none_moved.is_error());
    EXPECT_EQ(none_moved.error().code(), base::status::device_io_error);
    // A command without data (FLUSH CACHE) moves nothing and succeeds.
    EXPECT_FALSE(check_transferred(0, 0).is_error());
}

TEST(AhciTransferCount, MoreThanAskedIsAnError)
{
    auto r = check_transferred(512, 1024);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), base::status::device_io_error);
}

TEST(AhciRuns, ARangeInsideOneRun)
{
    const Segment runs[] = { { 0x10000, 0x4000 } };
    Segment out[4] = {};
    auto n = slice_runs(runs, 1, 0x200, 0x1000, out, 4);
    ASSERT_FALSE(n.is_error());
    ASSERT_EQ(n.value(), 1u);
    EXPECT_EQ(out[0].physical, 0x10200u);
    EXPECT_EQ(out[0].bytes, 0x1000u);
}

TEST(AhciRuns, ARangeSpanningSeveralRunsTakesEachPart)
{
    // Three runs as scattered pages give them: the range starts in the first, ends in the third.
    const Segment runs[] = { { 0x50000, 0x2000 }, { 0x9000, 0x1000 }, { 0x70000, 0x3000 } };
    Segment out[4] = {};
    auto n = slice_runs(runs, 3, 0x1e00, 0x1400, out, 4);
    ASSERT_FALSE(n.is_error());
    ASSERT_EQ(n.value(), 3u);
    EXPECT_EQ(out[0].physical, 0x51e00u);
    EXPECT_EQ(out[0].bytes, 0x200u);
    EXPECT_EQ(out[1].physical, 0x9000u);
    EXPECT_EQ(out[1].bytes, 0x1000u);
    EXPECT_EQ(out[2].physical, 0x70000u);
    EXPECT_EQ(out[2].bytes, 0x200u);
    // And the PRDT of it has one entry per segment.
    PrdEntry prdt[4] = {};
    auto entries = build_prdt(out, n.value(), prdt, 4);
    ASSERT_FALSE(entries.is_error());
    EXPECT_EQ(entries.value(), 3u);
    EXPECT_EQ(prdt[1].address_low, 0x9000u);
    EXPECT_EQ(prdt[1].count, 0xfffu);
}

TEST(AhciRuns, RefusesARangePastTheMemoryOrTooManyRuns)
{
    const Segment runs[] = { { 0x1000, 0x1000 }, { 0x3000, 0x1000 } };
    Segment out[1] = {};
    EXPECT_TRUE(slice_runs(runs, 2, 0x1000, 0x1200, out, 1).is_error()); // past the end
    EXPECT_TRUE(slice_runs(runs, 2, 0x800, 0x1000, out, 1).is_error()); // two runs, room for one
    EXPECT_FALSE(slice_runs(runs, 2, 0x1000, 0x1000, out, 1).is_error()); // exactly the second run
}
