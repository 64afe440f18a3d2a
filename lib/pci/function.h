// What the arbiter knows about one function: identity and class from its header, bus numbers
// if it is a bridge, and its sized regions.
#pragma once

#include <stdint.h>

#include "pci/address.h"
#include "pci/config_layout.h"
#include "pci/region.h"

namespace pci {

// The class code register: base class, subclass, programming interface.
struct ClassCode {
    uint8_t base = 0;
    uint8_t sub = 0;
    uint8_t prog_if = 0;

    // The 24-bit value as the specification writes it (0x010601 for an AHCI controller).
    constexpr uint32_t value() const { return uint32_t(base) << 16 | uint32_t(sub) << 8 | prog_if; }
    static constexpr ClassCode from_value(uint32_t v) { return { uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v) }; }
    constexpr bool operator==(const ClassCode&) const = default;
};

namespace classes {
constexpr uint8_t mass_storage = 0x01;
constexpr uint8_t bridge = 0x06;
constexpr uint8_t host_bridge = 0x00; // subclass of bridge
} // namespace classes

struct Function {
    Address address;
    uint16_t vendor_id = 0;
    uint16_t device_id = 0;
    ClassCode class_code;
    uint8_t revision = 0;
    config::HeaderLayout layout = config::HeaderLayout::General;
    bool multi_function = false;
    // Layout 0 only.
    uint16_t subsystem_vendor_id = 0;
    uint16_t subsystem_id = 0;
    uint8_t interrupt_line = 0;
    uint8_t interrupt_pin = 0;
    // Bridges (layouts 1 and 2) only.
    uint8_t secondary_bus = 0;
    uint8_t subordinate_bus = 0;
    Regions regions;

    bool is_bridge() const
    {
        return layout == config::HeaderLayout::PciBridge || layout == config::HeaderLayout::CardbusBridge;
    }
};

} // namespace pci
