// BAR and ROM sizing.
#include "pci/region.h"

namespace pci {

namespace {

// The size a decoder mask means: its lowest one bit. Well-formed masks are ones down to that
// bit; for a malformed one this still gives the alignment the device insists on.
uint64_t size_from_mask(uint64_t mask)
{
    return mask & (~mask + 1);
}

} // namespace

bool is_io_bar(uint32_t value)
{
    return base::RegisterValue<config::Bar>(value).has<config::Bar::IoSpace>();
}

bool is_64bit_memory_bar(uint32_t value)
{
    return !is_io_bar(value)
        && base::RegisterValue<config::Bar>(value).get<config::Bar::MemoryType>() == config::Bar::memory_type_64;
}

Region decode_io_bar(BarProbe probe)
{
    using Bar = config::Bar;
    uint32_t mask = probe.probed & Bar::IoAddress::mask;
    if (mask == 0)
        return {};
    if ((mask & Bar::IoUpperHalf::mask) == 0)
        mask |= Bar::IoUpperHalf::mask;
    Region r;
    r.kind = RegionKind::Io;
    r.base = probe.original & Bar::IoAddress::mask;
    r.size = size_from_mask(mask);
    return r;
}

Region decode_memory_bar(BarProbe low, BarProbe high)
{
    Region r;
    using Bar = config::Bar;
    r.prefetchable = base::RegisterValue<Bar>(low.original).has<Bar::Prefetchable>();
    r.is_64 = is_64bit_memory_bar(low.original);
    uint64_t mask = low.probed & Bar::MemoryAddress::mask;
    r.base = low.original & Bar::MemoryAddress::mask;
    if (r.is_64) {
        mask |= uint64_t(high.probed) << 32;
        r.base |= uint64_t(high.original) << 32;
    } else {
        // A 32-bit decoder ignores address bits 32 and up: they count as decoded.
        mask |= 0xffffffff00000000ull;
    }
    if ((mask & 0xffffffffull) == 0 && (!r.is_64 || (mask >> 32) == 0))
        return {};
    r.kind = RegionKind::Memory;
    r.size = size_from_mask(mask);
    return r;
}

Region decode_rom_bar(BarProbe probe)
{
    // Both ROM registers (RomAddress, BridgeRomAddress) are laid out alike.
    constexpr uint32_t address = config::RomAddress::Address::mask;
    uint32_t mask = probe.probed & address;
    if (mask == 0)
        return {};
    Region r;
    r.kind = RegionKind::Memory;
    r.base = probe.original & address;
    r.size = size_from_mask(mask);
    return r;
}

namespace {

BarProbe probe_register(ConfigAccess& config, Address a, uint16_t offset, uint32_t ones)
{
    BarProbe p;
    p.original = config.read32(a, offset);
    config.write32(a, offset, ones);
    p.probed = config.read32(a, offset);
    config.write32(a, offset, p.original);
    return p;
}

} // namespace

Regions size_regions(ConfigAccess& config, Address a, config::HeaderLayout layout, DecodeControl control)
{
    Regions regions;
    FunctionRegisters registers(FunctionAccess { &config, a });
    auto command = registers.read<config::Command>();
    bool disable = control == DecodeControl::DisableWhileSizing && command.has<config::Command::Decode>();
    if (disable) {
        auto off = command;
        registers.write(off.set<config::Command::Decode>(0));
    }

    unsigned count = config::bar_count(layout);
    for (unsigned i = 0; i < count; ++i) {
        uint16_t offset = uint16_t(config::bar0 + i * config::bar_stride);
        BarProbe low = probe_register(config, a, offset, 0xffffffffu);
        if (is_io_bar(low.original)) {
            regions.bars[i] = decode_io_bar(low);
            continue;
        }
        BarProbe high;
        if (is_64bit_memory_bar(low.original)) {
            if (i + 1 >= count) {
                // A 64-bit BAR in the last slot has no upper half: the device is broken, and
                // a region at half an address is worse than none.
                continue;
            }
            high = probe_register(config, a, uint16_t(offset + config::bar_stride), 0xffffffffu);
        }
        regions.bars[i] = decode_memory_bar(low, high);
        if (is_64bit_memory_bar(low.original))
            ++i; // The next register was the upper half; its slot stays empty.
    }

    uint16_t rom_offset = 0;
    if (layout == config::HeaderLayout::General)
        rom_offset = config::rom_address;
    else if (layout == config::HeaderLayout::PciBridge)
        rom_offset = config::bridge_rom_address;
    if (rom_offset != 0) {
        // The enable bit stays clear while probing: an enabled ROM at all ones would claim
        // the top of the address space.
        regions.rom = decode_rom_bar(probe_register(config, a, rom_offset, config::RomAddress::Address::mask));
    }

    if (disable)
        registers.write(command);
    return regions;
}

} // namespace pci
