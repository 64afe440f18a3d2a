// Where a PCI function sits: bus, device (slot) and function number, printed bb:dd.f as lspci
// and QEMU's monitor print it. Domain 0 only: mechanism #1 reaches no other.
#pragma once

#include <stdint.h>

#include "base/format.h"

namespace pci {

constexpr unsigned bus_count = 256;
constexpr unsigned devices_per_bus = 32;
constexpr unsigned functions_per_device = 8;

struct Address {
    uint8_t bus = 0;
    uint8_t device = 0;
    uint8_t function = 0;

    // Whether device and function are in range (every bus number is).
    static constexpr bool valid(unsigned bus, unsigned device, unsigned function)
    {
        return bus < bus_count && device < devices_per_bus && function < functions_per_device;
    }
    // One number that orders addresses as bus, then device, then function.
    constexpr uint16_t key() const { return uint16_t(bus << 8 | device << 3 | function); }
    static constexpr Address from_key(uint16_t key)
    {
        return { uint8_t(key >> 8), uint8_t((key >> 3) & 0x1f), uint8_t(key & 0x7) };
    }
    constexpr bool operator==(const Address&) const = default;
};

} // namespace pci

template<> struct base::Formatter<pci::Address> {
    static void format(Sink& s, const FormatSpec&, const pci::Address& a)
    {
        base::format(s, "{:02x}:{:02x}.{:x}", a.bus, a.device, a.function);
    }
};
