// What the acpi link needs of the machine, and nothing more: the physical ranges it reads the
// tables from (the EBDA pointer, the EBDA, the BIOS area, each valid table and the header of
// each table that is not, so that acpi can name it) and the I/O
// ports of the FADT it writes (PM1a/PM1b control, the SMI command port, an I/O reset register).
// The link above grants exactly these (servers/pci-arbiter/grants.h), and the acpi link never
// hands its ports further down (chain/policy.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "acpi/tables.h"

namespace acpi {

struct MemoryRange {
    uint64_t first;
    uint64_t last; // inclusive
};

struct PortRange {
    uint16_t first;
    uint16_t last; // inclusive
};

struct Needs {
    static constexpr size_t max_memory = 3 + max_tables;
    static constexpr size_t max_ports = 4;
    MemoryRange memory[max_memory] = {};
    size_t memory_count = 0;
    PortRange ports[max_ports] = {};
    size_t port_count = 0;

    // Whether any of the ports [first, last] is one of these.
    bool overlaps_ports(uint16_t first, uint16_t last) const;
};

// The ranges that discover() reads before it knows anything: the EBDA pointer's page, the EBDA's
// possible place (below 640 KiB) and the BIOS area. Memory ranges are whole pages.
Needs search_needs();
// search_needs() and what the platform's tables add.
Needs needs(const Platform&);

} // namespace acpi
