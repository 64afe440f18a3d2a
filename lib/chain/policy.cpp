// The chain's policy table: for each link, what the links below it may ask of the links above.
// Read from the bottom up: programs need the console and a read-only PCI listing (lspci);
// exec also needs the debug-exit port to power off with init's status; ext2fs needs nothing
// more (its disk comes from rumpdisk's own names); rumpdisk needs, besides, the PCI arbiter
// writable and the host port (contiguous DMA memory), and the arbiter grants it the memory,
// I/O ports and interrupt lines of the mass-storage controllers (servers/pci-arbiter/grants.h).
// In the Hurd's five-link chain acpi sits between the arbiter and rumpdisk: the arbiter grants
// acpi the firmware tables' memory and the FADT's ports on its device master, and rumpdisk's
// share on a relay (link.h), where acpi forwards rumpdisk's requests, keeping the FADT's ports.
// A name a link serves itself is not in its table: the provider decides.
#include "chain/policy.h"

namespace chain {

namespace {

constexpr dev_mode_t read = D_READ;
constexpr dev_mode_t read_write = D_READ | D_WRITE;

// QEMU's isa-debug-exit device: how a link (never a program) powers off with a status.
constexpr IoRange debug_exit { 0xf4, 0xf7 };

// pci-arbiter's port, held by rumpdisk ("pci", "mem" and "irq" are the arbiter's own names).
const DeviceRule arbiter_devices[] = { { "console", read_write } };
constexpr IoRange link_io[] = { debug_exit };

// acpi's port, held by rumpdisk: what the arbiter serves rumpdisk on its relay, passed through
// ("acpi" is acpi's own name; the FADT's ports it keeps, servers/acpi/service.h).
const DeviceRule acpi_devices[]
    = { { "console", read_write }, { "pci", read_write }, { "mem", read_write }, { "irq", read_write } };

// rumpdisk's port, held by ext2fs (the disks are rumpdisk's own names). "acpi": the power-off
// at the end of the orderly shutdown (shutdown.h), asked from the links below.
const DeviceRule rumpdisk_devices[] = { { "console", read_write }, { "pci", read }, { "acpi", read_write } };

// ext2fs's port, held by exec.
const DeviceRule ext2fs_devices[] = { { "console", read_write }, { "pci", read }, { "acpi", read_write } };

// exec's port, held by init and every program it starts: no I/O permission at all.
const DeviceRule exec_devices[] = { { "console", read_write }, { "pci", read } };

// A link the table does not know.
const DeviceRule unknown_devices[] = { { "console", read_write } };

template<size_t N> constexpr size_t count(const DeviceRule (&)[N])
{
    return N;
}

const Policy table[] = {
    { "pci-arbiter", "rumpdisk (acpi in the five-link chain)", arbiter_devices, count(arbiter_devices), link_io, 1,
        true, true },
    { "acpi", "rumpdisk", acpi_devices, count(acpi_devices), link_io, 1, true, true },
    { "rumpdisk", "ext2fs", rumpdisk_devices, count(rumpdisk_devices), link_io, 1, false },
    { "ext2fs", "exec", ext2fs_devices, count(ext2fs_devices), link_io, 1, false },
    { "exec", "programs", exec_devices, count(exec_devices), nullptr, 0, false },
};

const Policy unknown = { "", "the next task", unknown_devices, count(unknown_devices), link_io, 1, false };

} // namespace

Policy::Decision Policy::device(base::StringView name, dev_mode_t mode) const
{
    for (size_t i = 0; i < device_count; ++i) {
        if (devices[i].name != name)
            continue;
        return (mode & ~devices[i].modes & (D_READ | D_WRITE)) ? Decision::ReadOnly : Decision::Allowed;
    }
    return Decision::NoSuchDevice;
}

bool Policy::io(uint16_t from, uint16_t to) const
{
    for (size_t i = 0; i < io_range_count; ++i)
        if (io_ranges[i].contains(from, to))
            return true;
    return false;
}

const Policy& policy_for(base::StringView link)
{
    for (const Policy& p : table)
        if (p.link == link)
            return p;
    return unknown;
}

const Policy* policies(size_t& n)
{
    n = sizeof table / sizeof table[0];
    return table;
}

} // namespace chain
