// Enumeration against a simulated machine: multi-function devices, bridges to secondary buses
// (and only those buses), bridges the firmware did not number, loops, and the table's bound.
#include <gtest/gtest.h>

#include "pci/enumerate.h"
#include "pci_fake_bus.h"

namespace {

using pci::Address;
using pci::Status;

std::vector<std::string> addresses(const pci::FunctionTable& table)
{
    std::vector<std::string> out;
    for (const auto& f : table)
        out.push_back(base::formatted<16>("{}", f.address).c_str());
    return out;
}

// Like q35 with a bridge: a host bridge, a VGA, a multi-function LPC/SATA/SMBus device at slot
// 0x1f, and a PCI bridge at 00:03.0 to bus 1 with a virtio disk behind it.
class PciEnumeration : public ::testing::Test {
protected:
    void SetUp() override
    {
        bus.add({ 0, 0, 0 }, 0x8086, 0x29c0, 0x060000);
        bus.add({ 0, 1, 0 }, 0x1234, 0x1111, 0x030000);
        bus.memory_bar32({ 0, 1, 0 }, 0, 0xfd000000, 0x1000000, true);
        bus.add_bridge({ 0, 3, 0 }, 1, 1);
        bus.memory_bar64({ 0, 3, 0 }, 0, 0xfea95000, 0x100);
        bus.add({ 0, 0x1f, 0 }, 0x8086, 0x2918, 0x060100, 0x80);
        bus.add({ 0, 0x1f, 2 }, 0x8086, 0x2922, 0x010601);
        bus.io_bar({ 0, 0x1f, 2 }, 4, 0xd060, 0x20);
        bus.memory_bar32({ 0, 0x1f, 2 }, 5, 0xfea96000, 0x1000);
        bus.add({ 0, 0x1f, 3 }, 0x8086, 0x2930, 0x0c0500);
        bus.add({ 1, 2, 0 }, 0x1af4, 0x1001, 0x010000);
        bus.io_bar({ 1, 2, 0 }, 0, 0xc000, 0x80);
        bus.memory_bar64({ 1, 2, 0 }, 4, 0xfe000000, 0x4000, true);
    }
    pci::testing::FakeBus bus;
    pci::FunctionTable table;
};

TEST_F(PciEnumeration, FindsEveryFunctionInAddressOrder)
{
    auto report = pci::enumerate(bus, table, pci::Sizing::ProbeRegions);
    EXPECT_EQ(report.status, Status::Ok);
    EXPECT_EQ(report.buses_scanned, 2u);
    EXPECT_EQ(report.unnumbered_bridges, 0u);
    EXPECT_EQ(report.repeated_buses, 0u);
    EXPECT_EQ(addresses(table),
        (std::vector<std::string> { "00:00.0", "00:01.0", "00:03.0", "00:1f.0", "00:1f.2", "00:1f.3", "01:02.0" }));
}

TEST_F(PciEnumeration, DecodesIdentityAndRegions)
{
    (void)pci::enumerate(bus, table, pci::Sizing::ProbeRegions);
    const pci::Function* sata = table.find({ 0, 0x1f, 2 });
    ASSERT_NE(sata, nullptr);
    EXPECT_EQ(sata->vendor_id, 0x8086);
    EXPECT_EQ(sata->device_id, 0x2922);
    EXPECT_EQ(sata->class_code, (pci::ClassCode { 0x01, 0x06, 0x01 }));
    EXPECT_EQ(sata->revision, 0x01);
    EXPECT_EQ(sata->layout, pci::config::HeaderLayout::General);
    EXPECT_EQ(sata->regions.bars[4].kind, pci::RegionKind::Io);
    EXPECT_EQ(sata->regions.bars[4].size, 0x20u);
    EXPECT_EQ(sata->regions.bars[5].base, 0xfea96000u);

    const pci::Function* lpc = table.find({ 0, 0x1f, 0 });
    ASSERT_NE(lpc, nullptr);
    EXPECT_TRUE(lpc->multi_function);

    const pci::Function* bridge = table.find({ 0, 3, 0 });
    ASSERT_NE(bridge, nullptr);
    EXPECT_TRUE(bridge->is_bridge());
    EXPECT_EQ(bridge->secondary_bus, 1);
    EXPECT_EQ(bridge->subordinate_bus, 1);
    EXPECT_EQ(bridge->regions.bars[0].size, 0x100u);
    EXPECT_TRUE(bridge->regions.bars[0].is_64);

    const pci::Function* disk = table.find({ 1, 2, 0 });
    ASSERT_NE(disk, nullptr);
    EXPECT_EQ(disk->regions.bars[4].size, 0x4000u);
    EXPECT_TRUE(disk->regions.bars[4].prefetchable);

    EXPECT_EQ(table.find({ 0, 4, 0 }), nullptr);
    EXPECT_EQ(table.find({ 2, 0, 0 }), nullptr);
}

TEST_F(PciEnumeration, IdentityOnlyWritesNothing)
{
    (void)pci::enumerate(bus, table, pci::Sizing::SkipRegions);
    EXPECT_EQ(table.size(), 7u);
    EXPECT_TRUE(bus.writes().empty());
    EXPECT_FALSE(table.find({ 0, 1, 0 })->regions.bars[0].present());
}

TEST_F(PciEnumeration, SizingLeavesEveryDeviceAsItWas)
{
    (void)pci::enumerate(bus, table, pci::Sizing::ProbeRegions);
    // Only the host bridge is sized with its decoding on (its 6 BARs and ROM), on purpose.
    EXPECT_EQ(bus.probes_while_decoding({ 0, 0, 0 }), 7u);
    EXPECT_EQ(bus.probes_while_decoding(), 7u);
    EXPECT_EQ(bus.at({ 0, 0x1f, 2 }).dword(pci::config::bar0 + 20), 0xfea96000u);
    EXPECT_EQ(bus.at({ 1, 2, 0 }).dword(pci::config::bar0 + 16), 0xfe00000cu);
    EXPECT_EQ(bus.at({ 1, 2, 0 }).space[pci::config::command] & pci::config::Command::Decode::mask,
        pci::config::Command::Decode::mask);
}

TEST_F(PciEnumeration, OnlyBusesBehindBridgesAreScanned)
{
    // A function on bus 5, which no bridge leads to, is not found: no blind sweep.
    bus.add({ 5, 0, 0 }, 0x1234, 0x0001, 0x020000);
    (void)pci::enumerate(bus, table, pci::Sizing::SkipRegions);
    EXPECT_EQ(table.find({ 5, 0, 0 }), nullptr);
    // Two buses of 32 slots and a few functions: a sweep of 256 buses would read 8192 times.
    EXPECT_LT(bus.reads(), 1000u);
}

TEST(PciEnumerationShapes, SingleFunctionDeviceHidesPhantoms)
{
    // Some devices answer on every function number; without the multi-function bit only
    // function 0 is real.
    pci::testing::FakeBus bus;
    bus.add({ 0, 2, 0 }, 0x8086, 0x100e, 0x020000);
    bus.add({ 0, 2, 1 }, 0x8086, 0x100e, 0x020000);
    pci::FunctionTable table;
    (void)pci::enumerate(bus, table, pci::Sizing::SkipRegions);
    EXPECT_EQ(addresses(table), (std::vector<std::string> { "00:02.0" }));
}

TEST(PciEnumerationShapes, MultiFunctionWithGaps)
{
    pci::testing::FakeBus bus;
    bus.add({ 0, 1, 0 }, 0x8086, 0x7000, 0x060100, 0x80);
    bus.add({ 0, 1, 1 }, 0x8086, 0x7010, 0x010180);
    bus.add({ 0, 1, 3 }, 0x8086, 0x7113, 0x068000);
    bus.add({ 0, 1, 7 }, 0x8086, 0x7020, 0x0c0300);
    pci::FunctionTable table;
    (void)pci::enumerate(bus, table, pci::Sizing::SkipRegions);
    EXPECT_EQ(addresses(table), (std::vector<std::string> { "00:01.0", "00:01.1", "00:01.3", "00:01.7" }));
}

TEST(PciEnumerationShapes, NoFunctionZeroNoDevice)
{
    pci::testing::FakeBus bus;
    bus.add({ 0, 4, 1 }, 0x8086, 0x7010, 0x010180);
    pci::FunctionTable table;
    (void)pci::enumerate(bus, table, pci::Sizing::SkipRegions);
    EXPECT_TRUE(table.empty());
}

TEST(PciEnumerationShapes, NestedBridges)
{
    // 00:1e.0 -> bus 1, whose 01:00.0 -> bus 2, where the disk is; 00:1c.0 -> bus 3.
    pci::testing::FakeBus bus;
    bus.add_bridge({ 0, 0x1c, 0 }, 3, 3);
    bus.add_bridge({ 0, 0x1e, 0 }, 1, 2);
    bus.add_bridge({ 1, 0, 0 }, 2, 2);
    bus.add({ 2, 5, 0 }, 0x1af4, 0x1001, 0x010000);
    bus.add({ 3, 0, 0 }, 0x8086, 0x10d3, 0x020000);
    pci::FunctionTable table;
    auto report = pci::enumerate(bus, table, pci::Sizing::ProbeRegions);
    EXPECT_EQ(report.buses_scanned, 4u);
    EXPECT_EQ(addresses(table), (std::vector<std::string> { "00:1c.0", "00:1e.0", "01:00.0", "02:05.0", "03:00.0" }));
}

TEST(PciEnumerationShapes, UnnumberedBridgeAndLoop)
{
    pci::testing::FakeBus bus;
    bus.add_bridge({ 0, 1, 0 }, 0, 0); // the firmware left it unnumbered
    bus.add_bridge({ 0, 2, 0 }, 1, 1);
    bus.add_bridge({ 1, 0, 0 }, 1, 1); // claims its own bus: a loop
    bus.add_bridge({ 1, 1, 0 }, 0, 0); // back to bus 0
    pci::FunctionTable table;
    auto report = pci::enumerate(bus, table, pci::Sizing::SkipRegions);
    EXPECT_EQ(report.buses_scanned, 2u);
    EXPECT_EQ(report.unnumbered_bridges, 2u);
    EXPECT_EQ(report.repeated_buses, 1u);
    EXPECT_EQ(table.size(), 4u);
}

TEST(PciEnumerationShapes, EveryFunctionOfEveryBusFillsTheTable)
{
    // 32 multi-function devices x 8 functions on bus 0 and one more on bus 1: 257 functions
    // for a table of 256.
    pci::testing::FakeBus bus;
    for (uint8_t d = 0; d < 32; ++d)
        for (uint8_t fn = 0; fn < 8; ++fn)
            if (d == 0 && fn == 0)
                bus.add_bridge({ 0, 0, 0 }, 1, 1, 0x80);
            else
                bus.add({ 0, d, fn }, 0x1234, uint16_t(d << 3 | fn), 0x020000, fn == 0 ? 0x80 : 0);
    bus.add({ 1, 0, 0 }, 0x1234, 0xffff, 0x020000);
    pci::FunctionTable table;
    auto report = pci::enumerate(bus, table, pci::Sizing::SkipRegions);
    EXPECT_EQ(report.status, Status::TableFull);
    EXPECT_EQ(table.size(), pci::FunctionTable::capacity);
    EXPECT_EQ(table.find({ 1, 0, 0 }), nullptr);
}

TEST(PciFunctionTable, InsertKeepsOrderAndFinds)
{
    pci::FunctionTable table;
    for (Address a : { Address { 1, 0, 0 }, Address { 0, 0x1f, 2 }, Address { 0, 0, 0 }, Address { 0, 0x1f, 0 } }) {
        pci::Function f;
        f.address = a;
        ASSERT_EQ(table.insert(f), Status::Ok);
    }
    EXPECT_EQ(addresses(table), (std::vector<std::string> { "00:00.0", "00:1f.0", "00:1f.2", "01:00.0" }));
    ASSERT_NE(table.find({ 0, 0x1f, 2 }), nullptr);
    EXPECT_EQ(table.find({ 0, 0x1f, 2 })->address, (Address { 0, 0x1f, 2 }));
    EXPECT_EQ(table.find({ 0, 0x1f, 1 }), nullptr);
}

TEST(PciReadFunction, AbsentSlots)
{
    pci::testing::FakeBus bus;
    pci::Function f;
    EXPECT_EQ(pci::read_function(bus, { 0, 9, 0 }, f), Status::NoSuchFunction);
    auto& broken = bus.add({ 0, 9, 0 }, 0x0000, 0x0000, 0);
    (void)broken;
    EXPECT_EQ(pci::read_function(bus, { 0, 9, 0 }, f), Status::NoSuchFunction);
}

} // namespace
