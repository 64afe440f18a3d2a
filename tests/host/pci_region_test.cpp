// BAR and ROM sizing: the arithmetic on probe values, then the whole dance against a simulated
// function (registers restored, decoding off while a BAR holds all ones, 64-bit pairs).
#include <gtest/gtest.h>

#include "pci/region.h"
#include "pci_fake_bus.h"

namespace {

using pci::BarProbe;
using pci::RegionKind;

TEST(PciBarDecode, Memory32)
{
    // 4 KiB non-prefetchable at 0xfebd5000: the low 12 bits do not decode.
    auto r = pci::decode_memory_bar({ 0xfebd5000, 0xfffff000 }, {});
    EXPECT_EQ(r.kind, RegionKind::Memory);
    EXPECT_EQ(r.base, 0xfebd5000u);
    EXPECT_EQ(r.size, 0x1000u);
    EXPECT_FALSE(r.is_64);
    EXPECT_FALSE(r.prefetchable);
}

TEST(PciBarDecode, Memory32Prefetchable)
{
    auto r = pci::decode_memory_bar({ 0xfd000008, 0xff000008 }, {});
    EXPECT_EQ(r.kind, RegionKind::Memory);
    EXPECT_EQ(r.base, 0xfd000000u);
    EXPECT_EQ(r.size, 0x1000000u);
    EXPECT_TRUE(r.prefetchable);
}

TEST(PciBarDecode, Memory64)
{
    // 16 KiB, 64-bit, prefetchable, above 4 GiB.
    auto r = pci::decode_memory_bar({ 0x0000400c, 0xffffc00c }, { 0x00000008, 0xffffffff });
    EXPECT_EQ(r.kind, RegionKind::Memory);
    EXPECT_TRUE(r.is_64);
    EXPECT_TRUE(r.prefetchable);
    EXPECT_EQ(r.base, 0x800004000ull);
    EXPECT_EQ(r.size, 0x4000u);
}

TEST(PciBarDecode, Memory64LargerThan4GiB)
{
    // 8 GiB: no address bit of the low half decodes.
    auto r = pci::decode_memory_bar({ 0x0000000c, 0x0000000c }, { 0x00000004, 0xfffffffe });
    EXPECT_EQ(r.kind, RegionKind::Memory);
    EXPECT_EQ(r.size, 0x200000000ull);
    EXPECT_EQ(r.base, 0x400000000ull);
}

TEST(PciBarDecode, Io16Bit)
{
    // A 16-bit I/O decoder reads back zero in the upper half; 32 ports at 0xd040.
    auto r = pci::decode_io_bar({ 0xd041, 0x0000ffe1 });
    EXPECT_EQ(r.kind, RegionKind::Io);
    EXPECT_EQ(r.base, 0xd040u);
    EXPECT_EQ(r.size, 0x20u);
    EXPECT_FALSE(r.is_64);
    EXPECT_FALSE(r.prefetchable);
}

TEST(PciBarDecode, Io32Bit)
{
    auto r = pci::decode_io_bar({ 0xc001, 0xffffff81 });
    EXPECT_EQ(r.kind, RegionKind::Io);
    EXPECT_EQ(r.base, 0xc000u);
    EXPECT_EQ(r.size, 0x80u);
}

TEST(PciBarDecode, Unimplemented)
{
    EXPECT_EQ(pci::decode_memory_bar({ 0, 0 }, {}).kind, RegionKind::None);
    EXPECT_EQ(pci::decode_io_bar({ 0x1, 0x1 }).kind, RegionKind::None);
    EXPECT_EQ(pci::decode_memory_bar({ 0x4, 0x4 }, { 0, 0 }).kind, RegionKind::None);
    EXPECT_EQ(pci::decode_rom_bar({ 0, 0 }).kind, RegionKind::None);
}

TEST(PciBarDecode, Rom)
{
    // A 64 KiB ROM, disabled: the address is still reported.
    auto r = pci::decode_rom_bar({ 0xfeb80000, 0xffff0000 });
    EXPECT_EQ(r.kind, RegionKind::Memory);
    EXPECT_EQ(r.base, 0xfeb80000u);
    EXPECT_EQ(r.size, 0x10000u);
    // The enable bit is not part of the address.
    EXPECT_EQ(pci::decode_rom_bar({ 0xfeb80001, 0xffff0001 }).base, 0xfeb80000u);
}

TEST(PciBarDecode, MalformedMaskGivesLowestBit)
{
    // A broken device with a hole in its mask: the size is the alignment it insists on.
    auto r = pci::decode_memory_bar({ 0, 0xff00f000 }, {});
    EXPECT_EQ(r.size, 0x1000u);
}

TEST(PciBarDecode, Types)
{
    EXPECT_TRUE(pci::is_io_bar(0xd041));
    EXPECT_FALSE(pci::is_io_bar(0xd040));
    EXPECT_TRUE(pci::is_64bit_memory_bar(0x4));
    EXPECT_TRUE(pci::is_64bit_memory_bar(0xc));
    EXPECT_FALSE(pci::is_64bit_memory_bar(0x0));
    EXPECT_FALSE(pci::is_64bit_memory_bar(0x2)); // below 1 MiB: a 32-bit BAR
    EXPECT_FALSE(pci::is_64bit_memory_bar(0x5)); // I/O
}

class PciSizing : public ::testing::Test {
protected:
    pci::testing::FakeBus bus;
    pci::Address a { 0, 3, 0 };
};

TEST_F(PciSizing, AllKindsAndRestore)
{
    auto& f = bus.add(a, 0x1af4, 0x1001, 0x010000);
    bus.io_bar(a, 0, 0xc000, 0x80);
    bus.memory_bar32(a, 1, 0xfe800000, 0x1000);
    bus.memory_bar64(a, 4, 0xfe000000, 0x4000, true);
    bus.rom(a, pci::config::rom_address, 0xfeb00000, 0x40000);
    uint8_t before[256];
    std::copy(std::begin(f.space), std::end(f.space), before);

    auto regions
        = pci::size_regions(bus, a, pci::config::HeaderLayout::General, pci::DecodeControl::DisableWhileSizing);

    EXPECT_EQ(regions.bars[0].kind, RegionKind::Io);
    EXPECT_EQ(regions.bars[0].base, 0xc000u);
    EXPECT_EQ(regions.bars[0].size, 0x80u);
    EXPECT_EQ(regions.bars[1].kind, RegionKind::Memory);
    EXPECT_EQ(regions.bars[1].base, 0xfe800000u);
    EXPECT_EQ(regions.bars[1].size, 0x1000u);
    EXPECT_EQ(regions.bars[2].kind, RegionKind::None);
    EXPECT_EQ(regions.bars[3].kind, RegionKind::None);
    EXPECT_EQ(regions.bars[4].kind, RegionKind::Memory);
    EXPECT_TRUE(regions.bars[4].is_64);
    EXPECT_TRUE(regions.bars[4].prefetchable);
    EXPECT_EQ(regions.bars[4].base, 0xfe000000u);
    EXPECT_EQ(regions.bars[4].size, 0x4000u);
    // The upper half of the 64-bit BAR is not a region of its own.
    EXPECT_EQ(regions.bars[5].kind, RegionKind::None);
    EXPECT_EQ(regions.rom.kind, RegionKind::Memory);
    EXPECT_EQ(regions.rom.base, 0xfeb00000u);
    EXPECT_EQ(regions.rom.size, 0x40000u);

    // Every register is as it was: a device in use keeps its addresses and decoding.
    for (unsigned i = 0; i < 256; ++i)
        EXPECT_EQ(f.space[i], before[i]) << "config byte " << i;
    EXPECT_EQ(bus.probes_while_decoding(), 0u);
    EXPECT_FALSE(bus.writes().empty());
}

TEST_F(PciSizing, DecodingOffWhileProbingThenRestored)
{
    bus.add(a, 0x8086, 0x100e, 0x020000);
    bus.memory_bar32(a, 0, 0xfeb80000, 0x20000);
    (void)pci::size_regions(bus, a, pci::config::HeaderLayout::General, pci::DecodeControl::DisableWhileSizing);
    const auto& w = bus.writes();
    ASSERT_GE(w.size(), 2u);
    // First the command register loses I/O and memory decoding (bus mastering stays), last it
    // gets them back.
    EXPECT_EQ(w.front().offset, pci::config::command);
    EXPECT_EQ(w.front().value & pci::config::Command::Decode::mask, 0u);
    EXPECT_EQ(w.front().value & pci::config::Command::BusMaster::mask, pci::config::Command::BusMaster::mask);
    EXPECT_EQ(w.back().offset, pci::config::command);
    EXPECT_EQ(w.back().value & pci::config::Command::Decode::mask, pci::config::Command::Decode::mask);
}

TEST_F(PciSizing, DecodingLeftAloneWhenAlreadyOff)
{
    auto& f = bus.add(a, 0x8086, 0x100e, 0x020000);
    f.set16(pci::config::command, 0);
    bus.memory_bar32(a, 0, 0xfeb80000, 0x20000);
    (void)pci::size_regions(bus, a, pci::config::HeaderLayout::General, pci::DecodeControl::DisableWhileSizing);
    for (const auto& w : bus.writes())
        EXPECT_NE(w.offset, pci::config::command);
}

TEST_F(PciSizing, HostBridgeKeepsDecoding)
{
    bus.add(a, 0x8086, 0x29c0, 0x060000);
    bus.memory_bar32(a, 0, 0xe0000000, 0x10000000);
    auto regions = pci::size_regions(bus, a, pci::config::HeaderLayout::General, pci::DecodeControl::KeepEnabled);
    EXPECT_EQ(regions.bars[0].size, 0x10000000u);
    for (const auto& w : bus.writes())
        EXPECT_NE(w.offset, pci::config::command);
}

TEST_F(PciSizing, SixtyFourBitInLastSlotIsIgnored)
{
    auto& f = bus.add(a, 0x1234, 0x5678, 0x020000);
    f.set_dword(pci::config::bar0 + 20, 0x4);
    f.write_masks[pci::config::bar0 + 20] = 0xfffff000;
    auto regions
        = pci::size_regions(bus, a, pci::config::HeaderLayout::General, pci::DecodeControl::DisableWhileSizing);
    EXPECT_EQ(regions.bars[5].kind, RegionKind::None);
    EXPECT_EQ(f.dword(pci::config::bar0 + 20), 0x4u);
}

TEST_F(PciSizing, BridgeHasTwoBarsAndItsOwnRomRegister)
{
    auto& f = bus.add_bridge(a, 1, 1);
    bus.memory_bar64(a, 0, 0xfea95000, 0x100);
    bus.rom(a, pci::config::bridge_rom_address, 0xfe600000, 0x800);
    // Offsets 0x18..0x1b of a bridge are bus numbers, not a BAR: sizing must not touch them.
    uint32_t buses = f.dword(pci::config::primary_bus);
    auto regions
        = pci::size_regions(bus, a, pci::config::HeaderLayout::PciBridge, pci::DecodeControl::DisableWhileSizing);
    EXPECT_EQ(regions.bars[0].kind, RegionKind::Memory);
    EXPECT_TRUE(regions.bars[0].is_64);
    EXPECT_EQ(regions.bars[0].base, 0xfea95000u);
    EXPECT_EQ(regions.bars[0].size, 0x100u);
    EXPECT_EQ(regions.bars[1].kind, RegionKind::None);
    EXPECT_EQ(regions.rom.size, 0x800u);
    EXPECT_EQ(regions.rom.base, 0xfe600000u);
    for (const auto& w : bus.writes())
        EXPECT_FALSE(w.offset >= 0x18 && w.offset < 0x30) << "wrote bridge register " << w.offset;
    EXPECT_EQ(f.dword(pci::config::primary_bus), buses);
    EXPECT_EQ(bus.probes_while_decoding(), 0u);
}

TEST_F(PciSizing, EnabledRomStaysEnabled)
{
    auto& f = bus.add(a, 0x1234, 0x1111, 0x030000);
    bus.rom(a, pci::config::rom_address, 0xfeb00000, 0x10000, true);
    auto regions
        = pci::size_regions(bus, a, pci::config::HeaderLayout::General, pci::DecodeControl::DisableWhileSizing);
    EXPECT_EQ(regions.rom.size, 0x10000u);
    EXPECT_EQ(f.dword(pci::config::rom_address), 0xfeb00001u);
}

} // namespace
