// The PCI configuration space as the PCI Local Bus and PCI-to-PCI Bridge specifications lay it
// out, and configuration mechanism #1 (the 0xCF8/0xCFC port pair): offsets, fields and bits.
#pragma once

#include <stdint.h>

namespace pci::config {

// Mechanism #1 addresses 256 bytes per function; the extended 4 KiB space needs ECAM, which
// this project does not use.
constexpr uint32_t space_size = 256;

// Registers of every header layout.
constexpr uint16_t vendor_id = 0x00;
constexpr uint16_t device_id = 0x02;
constexpr uint16_t command = 0x04;
constexpr uint16_t status = 0x06;
constexpr uint16_t revision_id = 0x08;
constexpr uint16_t prog_if = 0x09;
constexpr uint16_t subclass = 0x0a;
constexpr uint16_t class_code = 0x0b;
constexpr uint16_t cache_line_size = 0x0c;
constexpr uint16_t latency_timer = 0x0d;
constexpr uint16_t header_type = 0x0e;
constexpr uint16_t bist = 0x0f;
constexpr uint16_t bar0 = 0x10;
constexpr uint16_t bar_stride = 4;
constexpr uint16_t interrupt_line = 0x3c;
constexpr uint16_t interrupt_pin = 0x3d;

// Layout 0, an ordinary function.
constexpr uint16_t subsystem_vendor_id = 0x2c;
constexpr uint16_t subsystem_id = 0x2e;
constexpr uint16_t rom_address = 0x30;

// Layouts 1 (PCI-to-PCI bridge) and 2 (CardBus bridge) share the bus number registers.
constexpr uint16_t primary_bus = 0x18;
constexpr uint16_t secondary_bus = 0x19;
constexpr uint16_t subordinate_bus = 0x1a;
constexpr uint16_t bridge_rom_address = 0x38;

// A vendor ID no function has: what an empty slot reads as (all ones), and the zero some
// broken chipsets return.
constexpr uint16_t vendor_absent = 0xffff;
constexpr uint16_t vendor_invalid = 0x0000;

namespace header {
constexpr uint8_t multi_function = 0x80;
constexpr uint8_t layout_mask = 0x7f;
} // namespace header

enum class HeaderLayout : uint8_t {
    general = 0,
    pci_bridge = 1,
    cardbus_bridge = 2,
};

// How many base address registers each layout has.
constexpr unsigned bar_count(HeaderLayout layout)
{
    switch (layout) {
    case HeaderLayout::general:
        return 6;
    case HeaderLayout::pci_bridge:
        return 2;
    case HeaderLayout::cardbus_bridge:
        // Its one register (the socket's registers) is not a resource a driver is handed.
        return 0;
    }
    return 0;
}

namespace command_bits {
constexpr uint16_t io_space = 1u << 0;
constexpr uint16_t memory_space = 1u << 1;
constexpr uint16_t bus_master = 1u << 2;
constexpr uint16_t decode = io_space | memory_space;
} // namespace command_bits

// A base address register: bit 0 tells I/O from memory; the rest depends on which.
namespace bar_bits {
constexpr uint32_t io_space = 1u << 0;
constexpr uint32_t io_address_mask = ~0x3u;
constexpr uint32_t memory_type_mask = 0x3u << 1;
constexpr uint32_t memory_type_32 = 0x0u << 1;
constexpr uint32_t memory_type_below_1m = 0x1u << 1; // PCI 2.x legacy; decoded as 32-bit
constexpr uint32_t memory_type_64 = 0x2u << 1;
constexpr uint32_t prefetchable = 1u << 3;
constexpr uint32_t memory_address_mask = ~0xfu;
// An I/O BAR whose upper half reads back zero decodes 16 address bits only.
constexpr uint32_t io_upper_half = 0xffff0000u;
} // namespace bar_bits

// The expansion ROM base address register.
namespace rom_bits {
constexpr uint32_t enable = 1u << 0;
constexpr uint32_t address_mask = 0xfffff800u;
} // namespace rom_bits

// Configuration mechanism #1: an address written to 0xCF8 selects a dword, 0xCFC..0xCFF is
// that dword's data window.
namespace mechanism1 {
constexpr uint16_t address_port = 0xcf8;
constexpr uint16_t data_port = 0xcfc;
constexpr uint16_t last_port = 0xcff;
constexpr uint32_t enable = 1u << 31;
constexpr unsigned bus_shift = 16;
constexpr unsigned device_shift = 11;
constexpr unsigned function_shift = 8;
constexpr uint32_t register_mask = 0xfc;

constexpr uint32_t address(uint8_t bus, uint8_t device, uint8_t function, uint16_t offset)
{
    return enable | (uint32_t(bus) << bus_shift) | (uint32_t(device & 0x1f) << device_shift)
        | (uint32_t(function & 0x7) << function_shift) | (offset & register_mask);
}
} // namespace mechanism1

} // namespace pci::config
