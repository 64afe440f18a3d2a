// The structures pci_get_dev_regions and pci_get_dev_rom carry, laid out as the Hurd's
// hurd/hurd_types.h declares them (struct pci_bar, struct pci_xrom_bar), so the bytes on the
// wire mean what a Hurd client expects.
#pragma once

#include <stdint.h>

#include "pci/region.h"

namespace pci::hurd {

struct Bar {
    uint64_t base_addr;
    uint64_t size;
    unsigned is_IO : 1;
    unsigned is_prefetchable : 1;
    unsigned is_64 : 1;
};
static_assert(sizeof(Bar) == 24, "struct pci_bar is 24 bytes on x86_64");

struct XromBar {
    uint64_t base_addr;
    uint64_t size;
};
static_assert(sizeof(XromBar) == 16, "struct pci_xrom_bar is 16 bytes");

constexpr unsigned regions_bytes = sizeof(Bar) * max_bars;

// An absent region is all zeros: a Hurd client skips a BAR whose size is 0.
constexpr Bar to_bar(const Region& r)
{
    Bar b {};
    if (!r.present())
        return b;
    b.base_addr = r.base;
    b.size = r.size;
    b.is_IO = r.kind == RegionKind::Io;
    b.is_prefetchable = r.prefetchable;
    b.is_64 = r.is_64;
    return b;
}

constexpr Region from_bar(const Bar& b)
{
    Region r;
    if (b.size == 0)
        return r;
    r.kind = b.is_IO ? RegionKind::Io : RegionKind::Memory;
    r.base = b.base_addr;
    r.size = b.size;
    r.prefetchable = b.is_prefetchable;
    r.is_64 = b.is_64;
    return r;
}

constexpr XromBar to_xrom_bar(const Region& rom)
{
    return rom.present() ? XromBar { rom.base, rom.size } : XromBar { 0, 0 };
}

} // namespace pci::hurd
