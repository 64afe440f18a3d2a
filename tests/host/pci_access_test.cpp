// Which configuration accesses a client may make: inside the 256 bytes, 1/2/4 bytes, aligned.
#include <gtest/gtest.h>

#include "pci/access.h"
#include "pci/config_layout.h"
#include "pci_fake_bus.h"

namespace {

using pci::Status;

Status check(int64_t offset, uint64_t size)
{
    return pci::check_config_access(offset, size, pci::config::space_size);
}

TEST(PciConfigAccess, Accepted)
{
    EXPECT_EQ(check(0, 1), Status::Ok);
    EXPECT_EQ(check(0, 2), Status::Ok);
    EXPECT_EQ(check(0, 4), Status::Ok);
    EXPECT_EQ(check(0x3d, 1), Status::Ok);
    EXPECT_EQ(check(0x0e, 2), Status::Ok);
    EXPECT_EQ(check(0xfc, 4), Status::Ok);
    EXPECT_EQ(check(0xfe, 2), Status::Ok);
    EXPECT_EQ(check(0xff, 1), Status::Ok);
}

TEST(PciConfigAccess, OutsideTheSpace)
{
    EXPECT_EQ(check(0x100, 1), Status::OutOfRange);
    EXPECT_EQ(check(0x100, 4), Status::OutOfRange);
    EXPECT_EQ(check(0xfff, 1), Status::OutOfRange);
    EXPECT_EQ(check(-1, 1), Status::OutOfRange);
    EXPECT_EQ(check(-4, 4), Status::OutOfRange);
    EXPECT_EQ(check(INT64_MIN, 4), Status::OutOfRange);
    EXPECT_EQ(check(INT64_MAX, 1), Status::OutOfRange);
}

TEST(PciConfigAccess, BadSizes)
{
    EXPECT_EQ(check(0, 0), Status::BadSize);
    EXPECT_EQ(check(0, 3), Status::BadSize);
    EXPECT_EQ(check(0, 8), Status::BadSize);
    EXPECT_EQ(check(0, 256), Status::BadSize);
    EXPECT_EQ(check(0, UINT64_MAX), Status::BadSize);
}

TEST(PciConfigAccess, Misaligned)
{
    EXPECT_EQ(check(1, 2), Status::Misaligned);
    EXPECT_EQ(check(2, 4), Status::Misaligned);
    EXPECT_EQ(check(0x3d, 2), Status::Misaligned);
    EXPECT_EQ(check(0xfd, 2), Status::Misaligned);
}

TEST(PciConfigAccess, StatusNames)
{
    EXPECT_STREQ(pci::status_name(Status::OutOfRange), "offset outside the configuration space");
    EXPECT_STREQ(pci::status_name(Status::NoSuchFunction), "no such function");
}

TEST(PciMechanism1, AddressEncoding)
{
    using pci::config::mechanism1::address;
    EXPECT_EQ(address(0, 0, 0, 0), 0x80000000u);
    EXPECT_EQ(address(0, 0x1f, 2, 0x24), 0x8000fa24u);
    EXPECT_EQ(address(1, 2, 0, 0x10), 0x80011010u);
    EXPECT_EQ(address(0xff, 0x1f, 7, 0xff), 0x80fffffcu);
    // The low two bits select a byte in the data window, not the register.
    EXPECT_EQ(address(0, 0, 0, 0x3d), 0x8000003cu);
}

} // namespace

// One function's configuration space as typed registers (base/register.h), on the simulated bus:
// each register is read and written at its own offset and width, and a field's write changes only
// its bits.
TEST(PciFunctionRegisters, TypedAccessesHitTheirOffsetsAndWidths)
{
    using namespace pci::config;
    pci::testing::FakeBus bus;
    pci::Address a { 0, 3, 0 };
    bus.add(a, 0x8086, 0x2922, 0x010601);
    pci::FunctionRegisters r(pci::FunctionAccess { &bus, a });
    EXPECT_EQ(r.read<VendorId>().word(), 0x8086);
    EXPECT_EQ(r.read<DeviceId>().word(), 0x2922);
    EXPECT_EQ(r.read<ClassCode>().word(), 0x01);
    EXPECT_EQ(r.read<Subclass>().word(), 0x06);
    EXPECT_EQ(r.read<ProgIf>().word(), 0x01);
    EXPECT_EQ(r.read<HeaderType::Layout>(), 0u);
    EXPECT_TRUE(r.read<Command::BusMaster>());

    bus.clear_log();
    r.write<Command::BusMaster>(0);
    ASSERT_EQ(bus.writes().size(), 1u);
    EXPECT_EQ(bus.writes()[0].offset, Command::offset);
    EXPECT_EQ(bus.writes()[0].size, 2u);
    EXPECT_EQ(bus.writes()[0].value, Command::Decode::mask);
    EXPECT_FALSE(r.read<Command::BusMaster>());
    EXPECT_EQ(r.read<Command::Decode>(), 3u);
}
