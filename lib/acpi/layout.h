// The ACPI tables as they lie in memory (ACPI specification, chapter 5.2): the byte offsets of
// the fields this project reads. Every field is little-endian and may be unaligned, so it is read
// with the helpers below, never through a cast.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace acpi::layout {

inline uint8_t u8(const uint8_t* p, size_t at)
{
    return p[at];
}
inline uint16_t u16(const uint8_t* p, size_t at)
{
    return static_cast<uint16_t>(p[at] | p[at + 1] << 8);
}
inline uint32_t u32(const uint8_t* p, size_t at)
{
    return u16(p, at) | static_cast<uint32_t>(u16(p, at + 2)) << 16;
}
inline uint64_t u64(const uint8_t* p, size_t at)
{
    return u32(p, at) | static_cast<uint64_t>(u32(p, at + 4)) << 32;
}

// The Root System Description Pointer: found by its signature on a 16-byte boundary.
namespace rsdp {
constexpr char signature[] = "RSD PTR ";
constexpr size_t signature_size = 8;
constexpr size_t checksum = 8; // over the first 20 bytes
constexpr size_t oem_id = 9; // 6 bytes
constexpr size_t revision = 15; // 0 for ACPI 1.0, 2 from ACPI 2.0 on
constexpr size_t rsdt_address = 16; // 32-bit
constexpr size_t length = 20; // of the whole structure, revision 2 on
constexpr size_t xsdt_address = 24; // 64-bit
constexpr size_t extended_checksum = 32; // over `length` bytes
constexpr size_t v1_size = 20;
constexpr size_t v2_size = 36;
constexpr size_t alignment = 16;
} // namespace rsdp

// Where firmware leaves the RSDP on a PC: the first KiB of the Extended BIOS Data Area (whose
// real-mode segment is the 16-bit word at 0x40e), then the BIOS area below 1 MiB.
namespace bios {
constexpr uint64_t ebda_segment_pointer = 0x40e;
constexpr size_t ebda_search_size = 1024;
constexpr uint64_t area_first = 0xe0000;
constexpr uint64_t area_last = 0xfffff;
} // namespace bios

// The header every description table starts with.
namespace header {
constexpr size_t signature = 0; // 4 bytes
constexpr size_t length = 4; // of the whole table, header included
constexpr size_t revision = 8;
constexpr size_t checksum = 9; // the table's bytes sum to 0 modulo 256
constexpr size_t oem_id = 10; // 6 bytes
constexpr size_t oem_table_id = 16; // 8 bytes
constexpr size_t size = 36;
} // namespace header

// The RSDT's entries are 32-bit addresses after the header, the XSDT's 64-bit.
constexpr size_t rsdt_entry_size = 4;
constexpr size_t xsdt_entry_size = 8;

// The Fixed ACPI Description Table ("FACP").
namespace fadt {
constexpr size_t dsdt = 40; // 32-bit
constexpr size_t smi_cmd = 48; // 32-bit I/O port; 0: no SMI command port (ACPI mode is fixed)
constexpr size_t acpi_enable = 52;
constexpr size_t acpi_disable = 53;
constexpr size_t pm1a_event_block = 56; // 32-bit I/O port
constexpr size_t pm1b_event_block = 60;
constexpr size_t pm1a_control_block = 64;
constexpr size_t pm1b_control_block = 68;
constexpr size_t pm1_event_length = 88;
constexpr size_t pm1_control_length = 89;
constexpr size_t flags = 112;
constexpr size_t reset_register = 116; // a Generic Address Structure
constexpr size_t reset_value = 128;
constexpr size_t x_dsdt = 140; // 64-bit, preferred when not 0
// A revision-1 FADT (ACPI 1.0) ends before the reset register.
constexpr size_t v1_size = 116;
// Long enough to hold the reset register and its value.
constexpr size_t reset_size = 129;
constexpr size_t x_dsdt_size = 148;
// The flag saying the reset register may be used.
constexpr uint32_t flag_reset_register_supported = 1u << 10;
} // namespace fadt

// A Generic Address Structure: where a register is and how to reach it.
namespace gas {
constexpr size_t space = 0;
constexpr size_t bit_width = 1;
constexpr size_t bit_offset = 2;
constexpr size_t access_size = 3;
constexpr size_t address = 4; // 64-bit
constexpr uint8_t space_memory = 0;
constexpr uint8_t space_io = 1;
constexpr uint8_t space_pci_config = 2;
} // namespace gas

// The PM1 control register's bits.
namespace pm1_control {
constexpr uint16_t sci_enable = 1u << 0;
constexpr unsigned sleep_type_shift = 10; // SLP_TYP, 3 bits
constexpr uint16_t sleep_type_mask = 7u << sleep_type_shift;
constexpr uint16_t sleep_enable = 1u << 13; // SLP_EN
} // namespace pm1_control

// The AML byte codes the \_S5 package is written with (ACPI specification, chapter 20).
namespace aml {
constexpr uint8_t zero_op = 0x00;
constexpr uint8_t one_op = 0x01;
constexpr uint8_t name_op = 0x08;
constexpr uint8_t byte_prefix = 0x0a;
constexpr uint8_t word_prefix = 0x0b;
constexpr uint8_t dword_prefix = 0x0c;
constexpr uint8_t qword_prefix = 0x0e;
constexpr uint8_t package_op = 0x12;
constexpr uint8_t root_char = 0x5c; // '\'
constexpr uint8_t ones_op = 0xff;
} // namespace aml

} // namespace acpi::layout
