// The project's libpciaccess: how a server below the arbiter reaches PCI. It opens "pci" on its
// device master (inside the chain, the upstream link's port, which passes the name up to the
// arbiter), lists the functions, and talks to one function through its port: configuration
// reads and writes of 1, 2 or 4 bytes, and the sized regions.
#pragma once

#include <stdint.h>

#include "base/result.h"
#include "pci/enumerate.h"
#include "pci/region.h"
#include "runtime/rights.h"

namespace pciaccess {

// One function, through its port on the arbiter.
class Device {
public:
    Device() = default;
    explicit Device(pci::Address a, runtime::SendRight port)
        : m_address(a)
        , m_port(static_cast<runtime::SendRight&&>(port))
    {
    }

    pci::Address address() const { return m_address; }
    // The raw name, for calling pci.defs stubs directly.
    mach_port_t port() const { return m_port.name(); }

    base::Result<uint8_t> read8(uint16_t offset) const;
    base::Result<uint16_t> read16(uint16_t offset) const;
    base::Result<uint32_t> read32(uint16_t offset) const;
    base::Result<void> write8(uint16_t offset, uint8_t) const;
    base::Result<void> write16(uint16_t offset, uint16_t) const;
    base::Result<void> write32(uint16_t offset, uint32_t) const;

    // The six BARs and the ROM as the arbiter sized them at start.
    base::Result<pci::Regions> regions() const;

private:
    base::Result<uint32_t> read(uint16_t offset, unsigned size) const;
    base::Result<void> write(uint16_t offset, unsigned size, uint32_t value) const;

    pci::Address m_address;
    runtime::SendRight m_port;
};

class Bus {
public:
    // Opens "pci" on this task's device master. Inside the chain that is the upstream link, and
    // the use of the bootstrap port is noted on the console ("boot: NAME uses bootstrap port
    // for pci"). ReadOnly is what programs may have (a listing, configuration reads); ReadWrite
    // is the disk server's (configuration writes to the controllers the arbiter grants it).
    enum class Access { ReadOnly, ReadWrite };
    static base::Result<Bus> open(Access = Access::ReadWrite);

    // The functions the arbiter serves, identity only (address, ids, class), in address order.
    base::Result<void> list(pci::FunctionTable& out) const;
    // How many functions the arbiter serves (pci_get_ndevs).
    base::Result<size_t> count() const;
    // The function at an address; D_NO_SUCH_DEVICE if there is none.
    base::Result<Device> open(pci::Address) const;
    // The raw name of the root port, for calling pci.defs and pci_enum.defs stubs directly.
    mach_port_t root() const { return m_root.name(); }

private:
    explicit Bus(runtime::SendRight root)
        : m_root(static_cast<runtime::SendRight&&>(root))
    {
    }
    runtime::SendRight m_root;
};

} // namespace pciaccess
