// The resources a function decodes: its base address registers (BARs) and expansion ROM,
// found the standard way. Writing all ones to a BAR and reading it back leaves zeros in the
// address bits the device does not decode; the lowest one bit left is the region's size.
#pragma once

#include <stdint.h>

#include "pci/access.h"
#include "pci/config_layout.h"

namespace pci {

constexpr unsigned max_bars = 6;

enum class RegionKind : uint8_t {
    // An unimplemented BAR, or the upper half of the 64-bit BAR before it.
    None,
    Io,
    Memory,
};

struct Region {
    RegionKind kind = RegionKind::None;
    bool is_64 = false;
    bool prefetchable = false;
    uint64_t base = 0;
    uint64_t size = 0;

    constexpr bool present() const { return kind != RegionKind::None; }
};

struct Regions {
    Region bars[max_bars];
    // kind is memory when the function has a ROM; base is the ROM BAR's address whether or not
    // the ROM is enabled.
    Region rom;
};

// A BAR's value before sizing, and what it read back after all ones were written.
struct BarProbe {
    uint32_t original = 0;
    uint32_t probed = 0;
};

bool is_io_bar(uint32_t value);
bool is_64bit_memory_bar(uint32_t value);

// The arithmetic of sizing, apart from the hardware so the host tests check it.
Region decode_io_bar(BarProbe);
// `high` is the next register's probe; it is read only when `low` says 64-bit.
Region decode_memory_bar(BarProbe low, BarProbe high);
Region decode_rom_bar(BarProbe);

enum class DecodeControl : uint8_t {
    // Turn I/O and memory decoding off while a BAR holds all ones, so no access meant for
    // another device lands on this one meanwhile (the PCI specification's advice).
    DisableWhileSizing,
    // Leave decoding on: for host bridges, which may stop forwarding the CPU's own memory
    // cycles when their decoding is turned off (Linux keeps them on for the same reason).
    KeepEnabled,
};

// Sizes every BAR and the ROM of the function, restoring each register and the command
// register afterwards, so a device in use keeps its addresses.
Regions size_regions(ConfigAccess&, Address, config::HeaderLayout, DecodeControl);

} // namespace pci
