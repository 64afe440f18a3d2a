// Class names, the listing format rumpdisk and the arbiter share, and the layouts carried on
// the wire (the Hurd's struct pci_bar, pci_enum entries).
#include <gtest/gtest.h>

#include <cstring>

#include "pci/class_names.h"
#include "pci/enum_layout.h"
#include "pci/hurd_layout.h"
#include "pci/listing.h"

namespace {

using pci::ClassCode;

std::string line(const pci::Function& f)
{
    base::BufferSink<256> s;
    pci::format_function_line(s, f);
    return s.c_str();
}

std::string regions(const pci::Function& f)
{
    base::BufferSink<1024> s;
    pci::format_region_lines(s, f);
    return s.c_str();
}

pci::Function sata()
{
    pci::Function f;
    f.address = { 0, 0x1f, 2 };
    f.vendor_id = 0x8086;
    f.device_id = 0x2922;
    f.class_code = { 0x01, 0x06, 0x01 };
    f.revision = 0x02;
    f.interrupt_pin = 1;
    f.regions.bars[4] = { pci::RegionKind::Io, false, false, 0xd060, 0x20 };
    f.regions.bars[5] = { pci::RegionKind::Memory, false, false, 0xfea96000, 0x1000 };
    return f;
}

TEST(PciClassNames, MostSpecificWins)
{
    EXPECT_STREQ(pci::class_name({ 0x01, 0x06, 0x01 }), "SATA controller (AHCI)");
    EXPECT_STREQ(pci::class_name({ 0x01, 0x06, 0x00 }), "SATA controller");
    EXPECT_STREQ(pci::class_name({ 0x01, 0x01, 0x80 }), "IDE controller");
    EXPECT_STREQ(pci::class_name({ 0x01, 0x00, 0x00 }), "SCSI controller");
    EXPECT_STREQ(pci::class_name({ 0x01, 0x08, 0x02 }), "NVM Express controller");
    EXPECT_STREQ(pci::class_name({ 0x01, 0x42, 0x00 }), "mass storage controller");
    EXPECT_STREQ(pci::class_name({ 0x06, 0x00, 0x00 }), "host bridge");
    EXPECT_STREQ(pci::class_name({ 0x06, 0x01, 0x00 }), "ISA bridge");
    EXPECT_STREQ(pci::class_name({ 0x06, 0x04, 0x00 }), "PCI-to-PCI bridge");
    EXPECT_STREQ(pci::class_name({ 0x06, 0x80, 0x00 }), "bridge");
    EXPECT_STREQ(pci::class_name({ 0x03, 0x00, 0x00 }), "VGA controller");
    EXPECT_STREQ(pci::class_name({ 0x02, 0x00, 0x00 }), "Ethernet controller");
    EXPECT_STREQ(pci::class_name({ 0x0c, 0x05, 0x00 }), "SMBus controller");
    EXPECT_STREQ(pci::class_name({ 0x0c, 0x03, 0x30 }), "USB controller (xHCI)");
    EXPECT_STREQ(pci::class_name({ 0x0c, 0x03, 0xfe }), "USB controller");
    EXPECT_STREQ(pci::class_name({ 0x20, 0x00, 0x00 }), "unknown class");
}

TEST(PciListing, FunctionLine)
{
    EXPECT_EQ(line(sata()), "00:1f.2 8086:2922 class 010601 SATA controller (AHCI)");
    pci::Function f;
    f.address = { 0x12, 0x03, 7 };
    f.vendor_id = 0x1af4;
    f.device_id = 0x0001;
    f.class_code = { 0x02, 0x00, 0x00 };
    EXPECT_EQ(line(f), "12:03.7 1af4:0001 class 020000 Ethernet controller");
}

TEST(PciListing, RegionLines)
{
    pci::Function f = sata();
    f.regions.bars[0] = { pci::RegionKind::Memory, true, true, 0x800000000ull, 0x4000 };
    f.regions.rom = { pci::RegionKind::Memory, false, false, 0xfeb80000, 0x10000 };
    EXPECT_EQ(regions(f),
        "00:1f.2 bar 0: memory 64-bit prefetchable at 0x800000000 size 0x4000\n"
        "00:1f.2 bar 4: io at 0xd060 size 0x20\n"
        "00:1f.2 bar 5: memory 32-bit at 0xfea96000 size 0x1000\n"
        "00:1f.2 rom: memory at 0xfeb80000 size 0x10000\n");
    EXPECT_EQ(regions(pci::Function {}), "");
}

TEST(PciHurdLayout, StructPciBarAsHurdTypesDeclaresIt)
{
    // hurd/hurd_types.h: uint64_t base_addr, size; then is_IO:1, is_prefetchable:1, is_64:1.
    EXPECT_EQ(offsetof(pci::hurd::Bar, base_addr), 0u);
    EXPECT_EQ(offsetof(pci::hurd::Bar, size), 8u);
    EXPECT_EQ(pci::hurd::regions_bytes, 144u);

    pci::Region r { pci::RegionKind::Memory, true, true, 0xfe000000, 0x4000 };
    pci::hurd::Bar b = pci::hurd::to_bar(r);
    unsigned char bytes[sizeof b];
    std::memcpy(bytes, &b, sizeof b);
    uint32_t flags;
    std::memcpy(&flags, bytes + 16, sizeof flags);
    EXPECT_EQ(flags & 0x7, 0x6u); // not I/O, prefetchable, 64-bit

    pci::hurd::Bar io = pci::hurd::to_bar({ pci::RegionKind::Io, false, false, 0xc000, 0x80 });
    std::memcpy(bytes, &io, sizeof io);
    std::memcpy(&flags, bytes + 16, sizeof flags);
    EXPECT_EQ(flags & 0x7, 0x1u);

    pci::Region back = pci::hurd::from_bar(b);
    EXPECT_EQ(back.kind, pci::RegionKind::Memory);
    EXPECT_EQ(back.base, 0xfe000000u);
    EXPECT_EQ(back.size, 0x4000u);
    EXPECT_TRUE(back.is_64);
    EXPECT_TRUE(back.prefetchable);

    pci::hurd::Bar none = pci::hurd::to_bar(pci::Region {});
    EXPECT_EQ(none.size, 0u);
    EXPECT_FALSE(pci::hurd::from_bar(none).present());

    pci::hurd::XromBar rom = pci::hurd::to_xrom_bar({ pci::RegionKind::Memory, false, false, 0xfeb80000, 0x10000 });
    EXPECT_EQ(rom.base_addr, 0xfeb80000u);
    EXPECT_EQ(rom.size, 0x10000u);
}

TEST(PciEnumLayout, RoundTrip)
{
    pci::Function f = sata();
    f.multi_function = true;
    auto e = pci::enumeration::encode(f);
    EXPECT_EQ(e.words[0], 0x00fau);
    EXPECT_EQ(e.words[1], 0x29228086u);
    EXPECT_EQ(e.words[2], 0x02010601u);
    EXPECT_EQ(e.words[3], 0x0180u);
    pci::Function g = pci::enumeration::decode(e);
    EXPECT_EQ(g.address, f.address);
    EXPECT_EQ(g.vendor_id, f.vendor_id);
    EXPECT_EQ(g.device_id, f.device_id);
    EXPECT_EQ(g.class_code, f.class_code);
    EXPECT_EQ(g.revision, f.revision);
    EXPECT_EQ(g.layout, f.layout);
    EXPECT_TRUE(g.multi_function);
    EXPECT_EQ(g.interrupt_pin, 1);
    EXPECT_EQ(line(g), line(f));
}

TEST(PciAddress, KeyOrderAndFormat)
{
    EXPECT_LT((pci::Address { 0, 0x1f, 7 }).key(), (pci::Address { 1, 0, 0 }).key());
    EXPECT_LT((pci::Address { 0, 2, 7 }).key(), (pci::Address { 0, 3, 0 }).key());
    EXPECT_EQ(pci::Address::from_key(0x01fa), (pci::Address { 1, 0x1f, 2 }));
    EXPECT_TRUE(pci::Address::valid(255, 31, 7));
    EXPECT_FALSE(pci::Address::valid(256, 0, 0));
    EXPECT_FALSE(pci::Address::valid(0, 32, 0));
    EXPECT_FALSE(pci::Address::valid(0, 0, 8));
    EXPECT_EQ(std::string(base::formatted<16>("{}", pci::Address { 0xab, 0x1f, 7 }).c_str()), "ab:1f.7");
}

} // namespace
