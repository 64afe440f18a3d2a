// The acpi link's share of the machine.
#include "acpi/needs.h"

#include "acpi/layout.h"

namespace acpi {

namespace {

constexpr uint64_t page = 0x1000;

void add_memory(Needs& n, uint64_t address, uint64_t size)
{
    if (size == 0 || n.memory_count == Needs::max_memory || address + size < address)
        return;
    n.memory[n.memory_count++] = { address & ~(page - 1), ((address + size + page - 1) & ~(page - 1)) - 1 };
}

void add_ports(Needs& n, uint64_t first, uint64_t count)
{
    if (first == 0 || count == 0 || first + count - 1 > 0xffff || n.port_count == Needs::max_ports)
        return;
    n.ports[n.port_count++] = { static_cast<uint16_t>(first), static_cast<uint16_t>(first + count - 1) };
}

} // namespace

bool Needs::overlaps_ports(uint16_t first, uint16_t last) const
{
    for (size_t i = 0; i < port_count; ++i)
        if (first <= ports[i].last && ports[i].first <= last)
            return true;
    return false;
}

Needs search_needs()
{
    Needs n;
    add_memory(n, layout::bios::ebda_segment_pointer, 2);
    // The EBDA lies somewhere in 512..640 KiB.
    add_memory(n, 0x80000, 0x20000);
    add_memory(n, layout::bios::area_first, layout::bios::area_last - layout::bios::area_first + 1);
    return n;
}

Needs needs(const Platform& p)
{
    Needs n = search_needs();
    // A table that is not used gets the page of its header only: acpi reads its signature and
    // names it in its sentence, and a length that may be corrupt does not widen the grant.
    for (size_t i = 0; i < p.table_count; ++i)
        add_memory(n, p.tables[i].address, p.tables[i].valid ? p.tables[i].length : layout::header::size);
    if (!p.has_fadt)
        return n;
    const Fadt& f = p.fadt;
    // PM1 control is 2 bytes per block on every PC (PM1_CNT_LEN); fewer would be no register.
    uint8_t control = f.pm1_control_length >= 2 ? f.pm1_control_length : 2;
    add_ports(n, f.pm1a_control, control);
    add_ports(n, f.pm1b_control, control);
    add_ports(n, f.smi_command, 1);
    if (f.has_reset && f.reset.space == layout::gas::space_io)
        add_ports(n, f.reset.address, 1);
    return n;
}

} // namespace acpi
