// The PCI configuration space as the PCI Local Bus and PCI-to-PCI Bridge specifications lay it
// out, and configuration mechanism #1 (the 0xCF8/0xCFC port pair): registers, fields and bits.
#pragma once

#include <stdint.h>

#include "base/register.h"

namespace pci::config {

// Mechanism #1 addresses 256 bytes per function; the extended 4 KiB space needs ECAM, which
// this project does not use.
constexpr uint32_t space_size = 256;

// The registers, as base/register.h declares them. Clients of the arbiter pass offsets through
// its RPCs: the lower-case names below are those offsets, taken from the types.
struct Space { };
template<typename Self, uint16_t Offset, unsigned Bits> using Register = base::Register<Space, Self, Offset, Bits>;

// Registers of every header layout.
struct VendorId : Register<VendorId, 0x00, 16> { };
struct DeviceId : Register<DeviceId, 0x02, 16> { };
struct Command : Register<Command, 0x04, 16> {
    using IoSpace = Field<0, 1>;
    using MemorySpace = Field<1, 1>;
    using Decode = Field<0, 2>; // I/O and memory space both
    using BusMaster = Field<2, 1>;
    using InterruptDisable = Field<10, 1>; // INTx off
};
struct Status : Register<Status, 0x06, 16> { };
struct RevisionId : Register<RevisionId, 0x08, 8> { };
struct ProgIf : Register<ProgIf, 0x09, 8> { };
struct Subclass : Register<Subclass, 0x0a, 8> { };
struct ClassCode : Register<ClassCode, 0x0b, 8> { };
struct CacheLineSize : Register<CacheLineSize, 0x0c, 8> { };
struct LatencyTimer : Register<LatencyTimer, 0x0d, 8> { };
struct HeaderType : Register<HeaderType, 0x0e, 8> {
    using Layout = Field<0, 7>; // a HeaderLayout
    using MultiFunction = Field<7, 1>;
};
struct Bist : Register<Bist, 0x0f, 8> { };
// The first base address register; the others follow every bar_stride bytes. Bit 0 tells I/O
// from memory; the rest depends on which.
struct Bar : Register<Bar, 0x10, 32> {
    using IoSpace = Field<0, 1>;
    using IoAddress = Field<2, 30>;
    // An I/O BAR whose upper half reads back zero decodes 16 address bits only.
    using IoUpperHalf = Field<16, 16>;
    using MemoryType = Field<1, 2>;
    using Prefetchable = Field<3, 1>;
    using MemoryAddress = Field<4, 28>;
    static constexpr uint32_t memory_type_32 = 0;
    static constexpr uint32_t memory_type_below_1m = 1; // PCI 2.x legacy; decoded as 32-bit
    static constexpr uint32_t memory_type_64 = 2;
};
constexpr uint16_t bar_stride = 4;
struct InterruptLine : Register<InterruptLine, 0x3c, 8> { };
struct InterruptPin : Register<InterruptPin, 0x3d, 8> { };

// Layout 0, an ordinary function.
struct SubsystemVendorId : Register<SubsystemVendorId, 0x2c, 16> { };
struct SubsystemId : Register<SubsystemId, 0x2e, 16> { };
struct RomAddress : Register<RomAddress, 0x30, 32> {
    using Enable = Field<0, 1>;
    using Address = Field<11, 21>;
};

// Layouts 1 (PCI-to-PCI bridge) and 2 (CardBus bridge) share the bus number registers.
struct PrimaryBus : Register<PrimaryBus, 0x18, 8> { };
struct SecondaryBus : Register<SecondaryBus, 0x19, 8> { };
struct SubordinateBus : Register<SubordinateBus, 0x1a, 8> { };
struct BridgeRomAddress : Register<BridgeRomAddress, 0x38, 32> { }; // laid out as RomAddress

constexpr uint16_t vendor_id = VendorId::offset;
constexpr uint16_t device_id = DeviceId::offset;
constexpr uint16_t command = Command::offset;
constexpr uint16_t status = Status::offset;
constexpr uint16_t revision_id = RevisionId::offset;
constexpr uint16_t prog_if = ProgIf::offset;
constexpr uint16_t subclass = Subclass::offset;
constexpr uint16_t class_code = ClassCode::offset;
constexpr uint16_t header_type = HeaderType::offset;
constexpr uint16_t bar0 = Bar::offset;
constexpr uint16_t interrupt_line = InterruptLine::offset;
constexpr uint16_t interrupt_pin = InterruptPin::offset;
constexpr uint16_t subsystem_vendor_id = SubsystemVendorId::offset;
constexpr uint16_t subsystem_id = SubsystemId::offset;
constexpr uint16_t rom_address = RomAddress::offset;
constexpr uint16_t primary_bus = PrimaryBus::offset;
constexpr uint16_t secondary_bus = SecondaryBus::offset;
constexpr uint16_t subordinate_bus = SubordinateBus::offset;
constexpr uint16_t bridge_rom_address = BridgeRomAddress::offset;

// A vendor ID no function has: what an empty slot reads as (all ones), and the zero some
// broken chipsets return.
constexpr uint16_t vendor_absent = 0xffff;
constexpr uint16_t vendor_invalid = 0x0000;

enum class HeaderLayout : uint8_t {
    General = 0,
    PciBridge = 1,
    CardbusBridge = 2,
};

// How many base address registers each layout has.
constexpr unsigned bar_count(HeaderLayout layout)
{
    switch (layout) {
    case HeaderLayout::General:
        return 6;
    case HeaderLayout::PciBridge:
        return 2;
    case HeaderLayout::CardbusBridge:
        // Its one register (the socket's registers) is not a resource a driver is handed.
        return 0;
    }
    return 0;
}

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
