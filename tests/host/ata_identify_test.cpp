// IDENTIFY data as QEMU's and real disks return it.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "ata/ata_layout.h"
#include "ata/identify.h"

namespace {

struct IdentifyData {
    uint16_t w[256] = {};
    void model(const char* text)
    {
        char padded[40];
        std::memset(padded, ' ', sizeof padded);
        std::memcpy(padded, text, std::strlen(text));
        for (int i = 0; i < 20; ++i)
            w[27 + i] = uint16_t(uint8_t(padded[2 * i]) << 8 | uint8_t(padded[2 * i + 1]));
    }
};

} // namespace

TEST(AtaIdentify, Lba48DiskWithModel)
{
    IdentifyData d;
    d.model("QEMU HARDDISK");
    d.w[49] = 1 << 9;
    d.w[83] = 1 << 10;
    d.w[86] = 1 << 10;
    d.w[60] = 0xffff;
    d.w[61] = 0x0fff;
    d.w[100] = 0x0000;
    d.w[101] = 0x0010; // 0x100000 sectors = 512 MiB
    auto id = ata::decode_identify(d.w);
    ASSERT_FALSE(id.is_error());
    EXPECT_EQ(std::string(id.value().model.c_str()), "QEMU HARDDISK");
    EXPECT_EQ(id.value().sectors, 0x100000u);
    EXPECT_TRUE(id.value().lba48);
    EXPECT_EQ(id.value().sector_size, 512u);
}

TEST(AtaIdentify, Lba28OnlyUsesWords60And61)
{
    IdentifyData d;
    d.model("OLD DISK");
    d.w[49] = 1 << 9;
    d.w[60] = 0x2000;
    d.w[61] = 0x0001; // 0x12000 sectors
    d.w[100] = 0x5555; // ignored without 48-bit support
    auto id = ata::decode_identify(d.w);
    ASSERT_FALSE(id.is_error());
    EXPECT_EQ(id.value().sectors, 0x12000u);
    EXPECT_FALSE(id.value().lba48);
}

TEST(AtaIdentify, RefusesWhatCannotBeADisk)
{
    IdentifyData d;
    EXPECT_TRUE(ata::decode_identify(d.w).is_error()) << "no LBA";
    d.w[49] = 1 << 9;
    EXPECT_TRUE(ata::decode_identify(d.w).is_error()) << "no sectors";
    d.w[60] = 100;
    d.w[106] = 0x4000 | 1 << 12;
    d.w[117] = 300; // 600-byte sectors
    EXPECT_TRUE(ata::decode_identify(d.w).is_error()) << "sector size not a power of two";
    d.w[117] = 2048; // 4096-byte sectors
    auto id = ata::decode_identify(d.w);
    ASSERT_FALSE(id.is_error());
    EXPECT_EQ(id.value().sector_size, 4096u);
}

TEST(AtaIdentify, ModelIsTrimmedAndPrintable)
{
    IdentifyData d;
    d.model("  WDC  X\x01Y");
    EXPECT_EQ(std::string(ata::decode_model(d.w).c_str()), "WDC  X?Y");
}
