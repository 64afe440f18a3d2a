// The ACPI table walk on machines the tests build: QEMU-like tables found and checked, and every
// kind of damage reported by a sentence while what is still sound is used.
#include <gtest/gtest.h>

#include "acpi_machine.h"

namespace {

using namespace acpi_test;
namespace L = acpi::layout;

TEST(AcpiTables, FindsEveryTableOfAQemuLikeMachine)
{
    Machine m;
    acpi::Platform p = m.discover();
    EXPECT_EQ(p.finding_count, 0u) << findings(p);
    ASSERT_TRUE(p.has_rsdp);
    EXPECT_EQ(p.rsdp_address, Machine::rsdp_at);
    EXPECT_EQ(p.rsdp_revision, 2);
    EXPECT_STREQ(p.rsdp_oem_id, "BOCHS");
    ASSERT_EQ(p.table_count, 4u);
    EXPECT_STREQ(p.tables[0].signature, "XSDT");
    EXPECT_STREQ(p.tables[1].signature, "FACP");
    EXPECT_STREQ(p.tables[2].signature, "SSDT");
    EXPECT_STREQ(p.tables[3].signature, "DSDT");
    EXPECT_EQ(p.tables[3].address, Machine::dsdt_at);
    EXPECT_EQ(p.tables[3].length, m.dsdt.size());
    EXPECT_STREQ(p.tables[3].oem_id, "BOCHS");
    for (size_t i = 0; i < p.table_count; ++i)
        EXPECT_TRUE(p.tables[i].valid) << p.tables[i].signature;
    ASSERT_TRUE(p.has_fadt);
    EXPECT_EQ(p.fadt.smi_command, 0xb2u);
    EXPECT_EQ(p.fadt.acpi_enable, 0xf1);
    EXPECT_EQ(p.fadt.pm1a_control, 0x604u);
    EXPECT_EQ(p.fadt.pm1b_control, 0u);
    EXPECT_EQ(p.fadt.dsdt, Machine::dsdt_at);
    ASSERT_TRUE(p.fadt.has_reset);
    EXPECT_EQ(p.fadt.reset.space, L::gas::space_io);
    EXPECT_EQ(p.fadt.reset.address, 0xcf9u);
    EXPECT_EQ(p.fadt.reset_value, 6);
    ASSERT_TRUE(p.has_s5);
    EXPECT_EQ(p.s5.a, 5);
    EXPECT_EQ(p.s5.b, 5);
}

TEST(AcpiTables, RevisionZeroRsdpUsesTheRsdt)
{
    Machine m(s5_name({ 0x00, 0x00 }, 2), 0);
    acpi::Platform p = m.discover();
    EXPECT_EQ(p.finding_count, 0u) << findings(p);
    ASSERT_GE(p.table_count, 1u);
    EXPECT_STREQ(p.tables[0].signature, "RSDT");
    EXPECT_TRUE(p.has_fadt);
    EXPECT_TRUE(p.has_s5);
}

TEST(AcpiTables, RsdpInTheEbdaIsFoundFirst)
{
    Machine m;
    // The EBDA at 0x9fc00: segment 0x9fc0 at 0x40e; an RSDP there with an RSDT only.
    m.memory.put(L::bios::ebda_segment_pointer, { 0xc0, 0x9f });
    m.memory.put(0x9fc00 + 0x40, rsdp(0, uint32_t(Machine::rsdt_at), 0));
    acpi::Platform p = m.discover();
    EXPECT_EQ(p.rsdp_address, 0x9fc40u);
    EXPECT_EQ(p.rsdp_revision, 0);
    EXPECT_STREQ(p.tables[0].signature, "RSDT");
    EXPECT_TRUE(p.has_s5);
}

TEST(AcpiTables, RevisionOneFadtHasNoResetRegister)
{
    Machine m(s5_name({ 0x00, 0x00 }, 2), 0, L::fadt::v1_size);
    acpi::Platform p = m.discover();
    EXPECT_EQ(p.finding_count, 0u) << findings(p);
    ASSERT_TRUE(p.has_fadt);
    EXPECT_EQ(p.fadt.revision, 1);
    EXPECT_FALSE(p.fadt.has_reset);
    EXPECT_EQ(p.fadt.pm1a_control, 0x604u);
    EXPECT_TRUE(p.has_s5);
}

TEST(AcpiTables, ResetRegisterUnusedWithoutItsFlag)
{
    Machine m;
    FadtFields f;
    f.dsdt = uint32_t(Machine::dsdt_at);
    f.reset_port = 0xcf9;
    f.flags = 0;
    m.fadt_bytes = fadt(f, 244, 3);
    m.place();
    acpi::Platform p = m.discover();
    ASSERT_TRUE(p.has_fadt);
    EXPECT_FALSE(p.fadt.has_reset);
}

TEST(AcpiTables, XDsdtIsPreferred)
{
    Machine m;
    FadtFields f;
    f.dsdt = 0x1234; // nothing there
    f.x_dsdt = Machine::dsdt_at;
    m.fadt_bytes = fadt(f, 244, 3);
    m.place();
    acpi::Platform p = m.discover();
    EXPECT_EQ(p.fadt.dsdt, Machine::dsdt_at);
    EXPECT_TRUE(p.has_s5) << findings(p);
}

TEST(AcpiTables, NoRsdpIsOneSentence)
{
    FakeMemory memory;
    memory.region(0, 0x1000);
    memory.region(0xe0000, 0x20000);
    acpi::Platform p;
    acpi::discover(memory, p);
    EXPECT_FALSE(p.has_rsdp);
    EXPECT_EQ(p.table_count, 0u);
    EXPECT_TRUE(has_finding(p, "no valid RSDP")) << findings(p);
}

TEST(AcpiTables, UnreadableBiosAreaIsASentence)
{
    FakeMemory memory;
    acpi::Platform p;
    acpi::discover(memory, p);
    EXPECT_FALSE(p.has_rsdp);
    EXPECT_TRUE(has_finding(p, "cannot be read")) << findings(p);
}

TEST(AcpiTables, RsdpWithABadChecksumIsSkipped)
{
    Machine m;
    m.rsdp_bytes[L::rsdp::checksum] ^= 1;
    m.place();
    acpi::Platform p = m.discover();
    EXPECT_FALSE(p.has_rsdp);
    EXPECT_TRUE(has_finding(p, "an RSDP at 0xf5a40 has a wrong checksum")) << findings(p);
}

TEST(AcpiTables, BadExtendedChecksumIsRefused)
{
    auto r = rsdp(2, 0x1000, 0x2000);
    EXPECT_TRUE(acpi::rsdp_valid(r.data(), r.size()));
    r[L::rsdp::extended_checksum] ^= 0x40;
    EXPECT_FALSE(acpi::rsdp_valid(r.data(), r.size()));
    EXPECT_FALSE(acpi::rsdp_valid(r.data(), 20)); // revision 2 needs all 36 bytes
}

TEST(AcpiTables, BrokenXsdtFallsBackToTheRsdt)
{
    Machine m;
    m.xsdt[L::header::checksum] ^= 1;
    m.place();
    acpi::Platform p = m.discover();
    EXPECT_TRUE(has_finding(p, "the table XSDT at 0x7ffe0100 has a wrong checksum")) << findings(p);
    EXPECT_TRUE(has_finding(p, "falling back to the RSDT")) << findings(p);
    EXPECT_NE(p.find("RSDT"), nullptr);
    EXPECT_TRUE(p.has_fadt);
    EXPECT_TRUE(p.has_s5);
}

TEST(AcpiTables, ExtraTableWithABadChecksumIsNamedAndTheRestUsed)
{
    Machine m;
    // A third XSDT entry: a table "BADT" whose checksum is wrong (as QEMU's -acpitable can make).
    auto bad = table("BADT", { 1, 2, 3, 4 });
    bad[L::header::checksum] ^= 0x55;
    m.memory.put(Machine::tables_at + 0x800, bad);
    std::vector<uint8_t> body(24);
    put64(body, 0, Machine::fadt_at);
    put64(body, 8, Machine::ssdt_at);
    put64(body, 16, Machine::tables_at + 0x800);
    m.xsdt = table("XSDT", body);
    m.place();
    acpi::Platform p = m.discover();
    EXPECT_EQ(p.finding_count, 1u) << findings(p);
    EXPECT_TRUE(has_finding(p, "the table BADT at 0x7ffe0800 has a wrong checksum: not used")) << findings(p);
    EXPECT_EQ(p.find("BADT"), nullptr);
    EXPECT_TRUE(p.has_fadt);
    EXPECT_TRUE(p.has_s5);
}

TEST(AcpiTables, ImpossibleLengthIsRefused)
{
    Machine m;
    put32(m.ssdt, L::header::length, 0xffffff00);
    m.place();
    acpi::Platform p = m.discover();
    EXPECT_TRUE(has_finding(p, "the table SSDT at 0x7ffe0400 claims 4294967040 bytes")) << findings(p);
    EXPECT_TRUE(p.has_s5);
}

TEST(AcpiTables, MissingFadtIsASentence)
{
    Machine m;
    m.fadt_bytes[0] = 'X';
    m.place();
    acpi::Platform p = m.discover();
    EXPECT_FALSE(p.has_fadt);
    EXPECT_TRUE(has_finding(p, "no valid FADT")) << findings(p);
    EXPECT_FALSE(p.has_s5);
}

TEST(AcpiTables, DsdtWithTheWrongSignatureIsNotUsed)
{
    Machine m;
    m.dsdt[0] = 'Q';
    m.place();
    acpi::Platform p = m.discover();
    EXPECT_TRUE(has_finding(p, "should be DSDT but is 'QSDT'")) << findings(p);
    EXPECT_FALSE(p.has_s5);
    EXPECT_TRUE(has_finding(p, "no \\_S5 package")) << findings(p);
}

TEST(AcpiTables, S5InAnSsdtIsFound)
{
    Machine m({ 0x10, 0x05, 0x5c, 0x00 }); // a DSDT without \_S5
    m.ssdt = table("SSDT", s5_name({ 0x0a, 0x07, 0x0a, 0x07 }, 2, true));
    m.place();
    acpi::Platform p = m.discover();
    ASSERT_TRUE(p.has_s5) << findings(p);
    EXPECT_EQ(p.s5.a, 7);
}

TEST(AcpiTables, FindingsAreBounded)
{
    Machine m;
    std::vector<uint8_t> body(8 * 30);
    for (size_t i = 0; i < 30; ++i)
        put64(body, 8 * i, 0x100000000ull + i * 0x1000); // nowhere
    // Elsewhere than the machine's own XSDT, whose place holds 0x100 bytes.
    m.memory.put(Machine::tables_at + 0x8000, table("XSDT", body));
    m.memory.put(Machine::rsdp_at, rsdp(2, 0, Machine::tables_at + 0x8000));
    acpi::Platform p = m.discover();
    EXPECT_EQ(p.finding_count, acpi::max_findings);
    EXPECT_GT(p.findings_dropped, 0u);
    EXPECT_LE(p.table_count, acpi::max_tables);
}

// \_S5 in each of its usual encodings.
TEST(AcpiS5, ZeroAndOneOps)
{
    acpi::SleepType s;
    auto aml = s5_name({ L::aml::zero_op, L::aml::one_op, L::aml::zero_op, L::aml::zero_op }, 4);
    ASSERT_TRUE(acpi::find_s5(aml.data(), aml.size(), s));
    EXPECT_EQ(s.a, 0);
    EXPECT_EQ(s.b, 1);
}

TEST(AcpiS5, BytePrefixAfterOtherAml)
{
    std::vector<uint8_t> aml { 0x10, 0x20, 0x5c, 0x5f, 0x53, 0x42, 0x5f }; // Scope (\_SB_) ...
    auto name = s5_name({ L::aml::byte_prefix, 0x05, L::aml::byte_prefix, 0x06 }, 2, true);
    aml.insert(aml.end(), name.begin(), name.end());
    acpi::SleepType s;
    ASSERT_TRUE(acpi::find_s5(aml.data(), aml.size(), s));
    EXPECT_EQ(s.a, 5);
    EXPECT_EQ(s.b, 6);
}

TEST(AcpiS5, WordAndDwordPrefixes)
{
    acpi::SleepType s;
    auto aml = s5_name({ L::aml::word_prefix, 0x03, 0x00, L::aml::dword_prefix, 0x04, 0, 0, 0 }, 2);
    ASSERT_TRUE(acpi::find_s5(aml.data(), aml.size(), s));
    EXPECT_EQ(s.a, 3);
    EXPECT_EQ(s.b, 4);
}

TEST(AcpiS5, TwoBytePackageLength)
{
    // PkgLength with one following byte: lead 0x40 | low nibble, then the next 8 bits.
    std::vector<uint8_t> aml { L::aml::name_op, '_', 'S', '5', '_', L::aml::package_op, 0x49, 0x00, 4,
        L::aml::byte_prefix, 2, L::aml::byte_prefix, 3, L::aml::zero_op, L::aml::zero_op };
    acpi::SleepType s;
    ASSERT_TRUE(acpi::find_s5(aml.data(), aml.size(), s));
    EXPECT_EQ(s.a, 2);
    EXPECT_EQ(s.b, 3);
}

TEST(AcpiS5, OneElementGivesZeroForB)
{
    acpi::SleepType s;
    auto aml = s5_name({ L::aml::byte_prefix, 0x07 }, 1);
    ASSERT_TRUE(acpi::find_s5(aml.data(), aml.size(), s));
    EXPECT_EQ(s.a, 7);
    EXPECT_EQ(s.b, 0);
}

TEST(AcpiS5, NotANameOrAMethodIsIgnored)
{
    acpi::SleepType s;
    // The name used in a method call, not declared: no NameOp before it.
    std::vector<uint8_t> call { 0x70, '_', 'S', '5', '_', L::aml::package_op, 4, 2, 0, 0 };
    EXPECT_FALSE(acpi::find_s5(call.data(), call.size(), s));
    // Elements that are not integers (a method returning the package is out of reach).
    auto string_element = s5_name({ 0x0d, 'a', 0, 0x00 }, 2);
    EXPECT_FALSE(acpi::find_s5(string_element.data(), string_element.size(), s));
    // No elements.
    auto empty = s5_name({}, 0);
    EXPECT_FALSE(acpi::find_s5(empty.data(), empty.size(), s));
}

TEST(AcpiS5, TruncatedStreamsStayInBounds)
{
    auto aml = s5_name({ L::aml::byte_prefix, 0x05, L::aml::byte_prefix, 0x05 }, 2);
    for (size_t cut = 0; cut < aml.size(); ++cut) {
        std::vector<uint8_t> part(aml.begin(), aml.begin() + cut);
        acpi::SleepType s;
        // Under AddressSanitizer: no read past the cut. A package cut inside is not taken.
        EXPECT_FALSE(acpi::find_s5(part.data(), part.size(), s)) << cut;
    }
}

} // namespace
