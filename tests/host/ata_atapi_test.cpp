// ATAPI: reset signatures, SCSI packets and READ CAPACITY data.
#include <gtest/gtest.h>

#include "ata/atapi.h"

TEST(AtaSignature, Classes)
{
    EXPECT_EQ(ata::classify_signature(0x00, 0x00), ata::DeviceClass::Ata);
    EXPECT_EQ(ata::classify_signature(0x3c, 0xc3), ata::DeviceClass::Ata);
    EXPECT_EQ(ata::classify_signature(0x14, 0xeb), ata::DeviceClass::Atapi);
    // What QEMU's empty slave position and a floating bus show.
    EXPECT_EQ(ata::classify_signature(0xff, 0xff), ata::DeviceClass::Unknown);
    // A port multiplier.
    EXPECT_EQ(ata::classify_signature(0x69, 0x96), ata::DeviceClass::Unknown);
}

TEST(Atapi, Read10IsBigEndian)
{
    ata::atapi::Packet p = ata::atapi::read_10(0x01020304, 0x0506);
    const uint8_t expected[12] = { 0x28, 0, 0x01, 0x02, 0x03, 0x04, 0, 0x05, 0x06, 0, 0, 0 };
    for (int i = 0; i < 12; ++i)
        EXPECT_EQ(p.bytes[i], expected[i]) << "byte " << i;
}

TEST(Atapi, SimplePackets)
{
    ata::atapi::Packet capacity = ata::atapi::read_capacity_10();
    EXPECT_EQ(capacity.bytes[0], 0x25);
    for (int i = 1; i < 12; ++i)
        EXPECT_EQ(capacity.bytes[i], 0);
    ata::atapi::Packet ready = ata::atapi::test_unit_ready();
    for (int i = 0; i < 12; ++i)
        EXPECT_EQ(ready.bytes[i], 0);
    ata::atapi::Packet sense = ata::atapi::request_sense(18);
    EXPECT_EQ(sense.bytes[0], 0x03);
    EXPECT_EQ(sense.bytes[4], 18);
}

TEST(Atapi, CapacityOfACd)
{
    // A 2 MiB ISO: last LBA 1023, blocks of 2048 bytes.
    const uint8_t data[8] = { 0, 0, 0x03, 0xff, 0, 0, 0x08, 0x00 };
    auto c = ata::atapi::decode_capacity(data);
    ASSERT_FALSE(c.is_error());
    EXPECT_EQ(c.value().blocks, 1024u);
    EXPECT_EQ(c.value().block_size, 2048u);
}

TEST(Atapi, LargestLastLbaDoesNotWrap)
{
    const uint8_t data[8] = { 0xff, 0xff, 0xff, 0xfe, 0, 0, 0x08, 0x00 };
    auto c = ata::atapi::decode_capacity(data);
    ASSERT_FALSE(c.is_error());
    EXPECT_EQ(c.value().blocks, 0xffffffffull);
}

TEST(Atapi, ImpossibleBlockSizesAreRefused)
{
    const uint8_t zero[8] = { 0, 0, 0, 1, 0, 0, 0, 0 };
    EXPECT_TRUE(ata::atapi::decode_capacity(zero).is_error());
    const uint8_t odd[8] = { 0, 0, 0, 1, 0, 0, 0x08, 0x01 };
    EXPECT_TRUE(ata::atapi::decode_capacity(odd).is_error());
    const uint8_t huge[8] = { 0, 0, 0, 1, 0, 2, 0, 0 };
    EXPECT_TRUE(ata::atapi::decode_capacity(huge).is_error());
}

TEST(Atapi, SenseKey)
{
    const uint8_t sense[18] = { 0x70, 0, 0xf6 };
    EXPECT_EQ(ata::atapi::sense_key(sense), ata::atapi::sense::unit_attention);
}
