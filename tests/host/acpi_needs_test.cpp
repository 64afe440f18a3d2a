// What the acpi link is granted: the search areas, each valid table's pages and the FADT's
// ports, and only the header's page of a table that is not used.
#include <gtest/gtest.h>

#include "acpi/needs.h"
#include "acpi_machine.h"

namespace {

using namespace acpi_test;

bool covers(const acpi::Needs& n, uint64_t first, uint64_t last)
{
    for (size_t i = 0; i < n.memory_count; ++i)
        if (n.memory[i].first <= first && last <= n.memory[i].last)
            return true;
    return false;
}

TEST(AcpiNeeds, SearchAreasAreWholePages)
{
    acpi::Needs n = acpi::search_needs();
    ASSERT_EQ(n.memory_count, 3u);
    EXPECT_TRUE(covers(n, 0x40e, 0x40f));
    EXPECT_TRUE(covers(n, 0x9fc00, 0x9ffff));
    EXPECT_TRUE(covers(n, 0xe0000, 0xfffff));
    for (size_t i = 0; i < n.memory_count; ++i) {
        EXPECT_EQ(n.memory[i].first % 0x1000, 0u);
        EXPECT_EQ((n.memory[i].last + 1) % 0x1000, 0u);
    }
    EXPECT_EQ(n.port_count, 0u);
}

TEST(AcpiNeeds, TablesAndFadtPorts)
{
    Machine m;
    acpi::Platform p = m.discover();
    acpi::Needs n = acpi::needs(p);
    EXPECT_TRUE(covers(n, Machine::dsdt_at, Machine::dsdt_at + m.dsdt.size() - 1));
    EXPECT_TRUE(covers(n, Machine::fadt_at, Machine::fadt_at + m.fadt_bytes.size() - 1));
    // PM1a control (2 bytes), the SMI command port, the reset register.
    ASSERT_EQ(n.port_count, 3u);
    EXPECT_EQ(n.ports[0].first, 0x604);
    EXPECT_EQ(n.ports[0].last, 0x605);
    EXPECT_EQ(n.ports[1].first, 0xb2);
    EXPECT_EQ(n.ports[2].first, 0xcf9);
    EXPECT_TRUE(n.overlaps_ports(0x600, 0x607));
    EXPECT_TRUE(n.overlaps_ports(0xcf8, 0xcff));
    EXPECT_FALSE(n.overlaps_ports(0x1f0, 0x1f7));
    EXPECT_FALSE(n.overlaps_ports(0xf4, 0xf7));
}

TEST(AcpiNeeds, RevisionOneFadtHasNoResetPort)
{
    Machine m(s5_name({ 0x00, 0x00 }, 2), 0, acpi::layout::fadt::v1_size);
    acpi::Needs n = acpi::needs(m.discover());
    ASSERT_EQ(n.port_count, 2u);
    EXPECT_FALSE(n.overlaps_ports(0xcf9, 0xcf9));
}

TEST(AcpiNeeds, BrokenTableGetsItsHeaderPageOnly)
{
    Machine m;
    m.ssdt[acpi::layout::header::checksum] ^= 1;
    // A corrupt length as well: it must not widen the grant.
    m.ssdt[acpi::layout::header::length + 2] = 0x10;
    m.place();
    acpi::Platform p = m.discover();
    acpi::Needs n = acpi::needs(p);
    // Three search areas, the valid tables (XSDT, FACP, DSDT) and the SSDT's header page, so
    // that acpi can name it.
    ASSERT_EQ(p.table_count, 4u);
    EXPECT_EQ(n.memory_count, 3u + 4u);
    EXPECT_TRUE(covers(n, Machine::ssdt_at, Machine::ssdt_at + acpi::layout::header::size - 1));
    EXPECT_FALSE(covers(n, Machine::ssdt_at, Machine::ssdt_at + 0x1000));
}

} // namespace
