// Channel resources of an IDE controller from its programming interface and BARs.
#include <gtest/gtest.h>

#include "ata/ide_ports.h"

namespace {

pci::Region io(uint64_t base, uint64_t size)
{
    pci::Region r;
    r.kind = pci::RegionKind::Io;
    r.base = base;
    r.size = size;
    return r;
}

} // namespace

TEST(IdePorts, Piix3InCompatibilityModeUsesLegacyPortsAndBar4)
{
    // QEMU -M pc: 8086:7010, class 01.01.80, only BAR4 (16 ports) implemented.
    pci::Regions r;
    r.bars[4] = io(0xc040, 16);
    ata::ide::Ports p = ata::ide::decode_ports(0x80, r, 0);
    ASSERT_TRUE(p.channels[0].present);
    EXPECT_FALSE(p.channels[0].native);
    EXPECT_EQ(p.channels[0].command, 0x1f0);
    EXPECT_EQ(p.channels[0].control, 0x3f6);
    EXPECT_EQ(p.channels[0].irq, 14);
    EXPECT_EQ(p.channels[0].bus_master, 0xc040);
    ASSERT_TRUE(p.channels[1].present);
    EXPECT_EQ(p.channels[1].command, 0x170);
    EXPECT_EQ(p.channels[1].control, 0x376);
    EXPECT_EQ(p.channels[1].irq, 15);
    EXPECT_EQ(p.channels[1].bus_master, 0xc048);
}

TEST(IdePorts, WithoutBar4ThereIsNoBusMaster)
{
    pci::Regions r;
    ata::ide::Ports p = ata::ide::decode_ports(0x00, r, 0);
    EXPECT_TRUE(p.channels[0].present);
    EXPECT_EQ(p.channels[0].bus_master, 0);
    EXPECT_EQ(p.channels[1].bus_master, 0);
    // A memory BAR4 is not a bus-master block.
    r.bars[4].kind = pci::RegionKind::Memory;
    r.bars[4].base = 0xfebf0000;
    r.bars[4].size = 16;
    EXPECT_EQ(ata::ide::decode_ports(0x80, r, 0).channels[0].bus_master, 0);
}

TEST(IdePorts, NativeChannelsUseTheirBarsAndThePciInterrupt)
{
    pci::Regions r;
    r.bars[0] = io(0xc000, 8);
    r.bars[1] = io(0xc010, 4);
    r.bars[2] = io(0xc020, 8);
    r.bars[3] = io(0xc030, 4);
    r.bars[4] = io(0xc040, 16);
    ata::ide::Ports p = ata::ide::decode_ports(0x85, r, 11);
    for (unsigned i = 0; i < 2; ++i) {
        ASSERT_TRUE(p.channels[i].present);
        EXPECT_TRUE(p.channels[i].native);
        EXPECT_EQ(p.channels[i].irq, 11);
    }
    EXPECT_EQ(p.channels[0].command, 0xc000);
    EXPECT_EQ(p.channels[0].control, 0xc012);
    EXPECT_EQ(p.channels[1].command, 0xc020);
    EXPECT_EQ(p.channels[1].control, 0xc032);
}

TEST(IdePorts, MixedModes)
{
    pci::Regions r;
    r.bars[2] = io(0xc020, 8);
    r.bars[3] = io(0xc030, 4);
    ata::ide::Ports p = ata::ide::decode_ports(0x04, r, 10);
    EXPECT_FALSE(p.channels[0].native);
    EXPECT_EQ(p.channels[0].command, 0x1f0);
    EXPECT_TRUE(p.channels[1].native);
    EXPECT_EQ(p.channels[1].command, 0xc020);
}

TEST(IdePorts, NativeChannelWithoutBarsOrInterruptIsAbsent)
{
    pci::Regions r;
    r.bars[0] = io(0xc000, 8);
    // No control block BAR.
    EXPECT_FALSE(ata::ide::decode_ports(0x01, r, 11).channels[0].present);
    r.bars[1] = io(0xc010, 4);
    EXPECT_TRUE(ata::ide::decode_ports(0x01, r, 11).channels[0].present);
    // No interrupt routed.
    EXPECT_FALSE(ata::ide::decode_ports(0x01, r, 0xff).channels[0].present);
    EXPECT_FALSE(ata::ide::decode_ports(0x01, r, 0).channels[0].present);
    // A command block too small.
    r.bars[0] = io(0xc000, 4);
    EXPECT_FALSE(ata::ide::decode_ports(0x01, r, 11).channels[0].present);
}
