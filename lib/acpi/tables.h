// Finding and checking a PC's ACPI tables, without an AML interpreter: the RSDP (in the EBDA or
// the BIOS area), the RSDT or XSDT, every table they list (FADT, DSDT, SSDTs and the rest), the
// FADT's power-management ports and reset register, and the DSDT's \_S5 sleep types. Every
// checksum and length is checked; each defect found becomes one sentence in the result, and
// what can still be used is used. Portable: physical memory is reached through an interface,
// so the host tests and the fuzzer run this very code on tables they build.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/format.h"

namespace acpi {

// Physical memory, as the tables are read from it.
class PhysicalMemory {
public:
    // The bytes [address, address + size), valid until the next call; null when they cannot
    // be reached.
    virtual const uint8_t* map(uint64_t address, size_t size) = 0;

protected:
    ~PhysicalMemory() = default;
};

// A table as the RSDT or XSDT lists it.
struct TableInfo {
    char signature[5] = {};
    char oem_id[7] = {};
    uint64_t address = 0;
    uint32_t length = 0;
    uint8_t revision = 0;
    // Its length is sane and its checksum right; a table that is not is listed but not used.
    bool valid = false;
};

// A register as a Generic Address Structure names it.
struct GenericAddress {
    uint8_t space = 0; // layout::gas::space_*
    uint8_t bit_width = 0;
    uint8_t bit_offset = 0;
    uint8_t access_size = 0;
    uint64_t address = 0;
};

// What the FADT says about power management.
struct Fadt {
    uint8_t revision = 0;
    uint64_t dsdt = 0; // X_DSDT when the FADT has one that is not 0, else DSDT
    uint32_t smi_command = 0; // 0: the firmware has no SMI command port
    uint8_t acpi_enable = 0;
    uint8_t acpi_disable = 0;
    uint32_t pm1a_event = 0;
    uint32_t pm1b_event = 0; // 0: none
    uint8_t pm1_event_length = 0;
    uint32_t pm1a_control = 0;
    uint32_t pm1b_control = 0; // 0: none
    uint8_t pm1_control_length = 0;
    uint32_t flags = 0;
    // The reset register, when the FADT is long enough to hold one and its flag says so.
    bool has_reset = false;
    GenericAddress reset;
    uint8_t reset_value = 0;
};

// The SLP_TYPa and SLP_TYPb values of a sleep state.
struct SleepType {
    uint8_t a = 0;
    uint8_t b = 0;
};

constexpr size_t max_tables = 32;
constexpr size_t max_findings = 16;
constexpr size_t finding_size = 160;
// Longer tables than this are taken for corrupt (a real DSDT is a few hundred KiB at most).
constexpr uint32_t max_table_length = 4u << 20;

using Finding = base::BoundedString<finding_size>;

// Everything discover() found, and the sentences of what was wrong.
struct Platform {
    bool has_rsdp = false;
    uint64_t rsdp_address = 0;
    uint8_t rsdp_revision = 0;
    char rsdp_oem_id[7] = {};
    // The RSDT or XSDT first, then the tables it lists, then the DSDT.
    TableInfo tables[max_tables];
    size_t table_count = 0;
    bool has_fadt = false;
    Fadt fadt;
    bool has_s5 = false;
    SleepType s5;
    Finding findings[max_findings];
    size_t finding_count = 0;
    // Findings past max_findings, counted.
    size_t findings_dropped = 0;

    // The first valid table with that signature, or null.
    const TableInfo* find(const char* signature) const;
};

// Reads the tables from memory. Never fails as a whole: what is missing or corrupt is a finding.
void discover(PhysicalMemory&, Platform&);

// The pieces discover() is made of, for the tests.

// Whether the bytes sum to 0 modulo 256.
bool checksum_ok(const uint8_t* bytes, size_t size);
// Whether `bytes` (at least layout::rsdp::v1_size long) hold a valid RSDP: signature, checksum,
// and for revision 2 on the length and extended checksum (size: how many bytes are readable).
bool rsdp_valid(const uint8_t* bytes, size_t size);
// The FADT's fields; `table` holds the whole table of `length` bytes (at least the header).
// A FADT too short for a field leaves it 0; findings go to `platform`.
Fadt parse_fadt(const uint8_t* table, size_t length, Platform& platform);
// The first two elements of the \_S5 package in an AML byte stream (a DSDT's or SSDT's body),
// found by its usual encoding: NameOp, the name _S5_ (optionally after '\'), PackageOp, a
// package length, an element count, then integer elements (ZeroOp, OneOp, OnesOp, or a
// Byte/Word/DWord/QWord prefix with its data). False when there is none in that form.
bool find_s5(const uint8_t* aml, size_t size, SleepType& out);

} // namespace acpi
