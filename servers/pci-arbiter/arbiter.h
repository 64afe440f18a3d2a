// The arbiter's state and its RPCs: the functions found at start, ports per function on which
// pci.defs is served, and the root ports that device_open("pci") hands out, on which
// pci_get_ndevs and the project's pci_enum.defs (the list, and the port of each function) are
// served. Single-threaded: the chain's server loop calls one handler at a time.
//
// Access comes in two kinds, each with its own ports: device_open("pci") with D_WRITE gives the
// writable root (the chain's policy lets only rumpdisk ask for it), whose function ports may
// write configuration space of the granted functions (mass storage, grants.h) and read the
// others; without D_WRITE it gives the read-only root (lspci), whose function ports only read.
#pragma once

#include "chain/link.h"
#include "pci/enumerate.h"
#include "runtime/rights.h"
#include "runtime/server.h"

namespace arbiter {

class Arbiter final : public chain::DeviceProvider {
public:
    using Granted = bool (*)(const pci::Function&);
    Arbiter(pci::ConfigAccess& config, Granted granted)
        : m_config(config)
        , m_granted(granted)
    {
    }

    // Finds every function and sizes its regions; done once, before serving.
    pci::EnumerationReport enumerate();
    const pci::FunctionTable& functions() const { return m_functions; }

    // Allocates the root port and one port per function and has the server serve them.
    base::Result<void> serve_on(mach::Server&);

    // chain::DeviceProvider: "pci" opens the root port.
    bool owns(base::StringView name) const override;
    base::Result<mach::SendRight> open(base::StringView name, dev_mode_t mode) override;

    // The RPCs, with the arguments MIG hands over; each answers a Mach status.
    kern_return_t conf_read(mach_port_t, int reg, char* data, mach_msg_type_number_t* count, vm_size_t amount);
    kern_return_t conf_write(mach_port_t, int reg, const char* data, mach_msg_type_number_t count, vm_size_t* amount);
    kern_return_t ndevs(mach_port_t, vm_size_t* count);
    kern_return_t dev_regions(mach_port_t, char* data, mach_msg_type_number_t* count);
    kern_return_t dev_rom(mach_port_t, char* data, mach_msg_type_number_t* count);
    kern_return_t list(
        mach_port_t, uint32_t first, uint32_t (*entries)[4], mach_msg_type_number_t* count, uint32_t* total);
    kern_return_t open_function(mach_port_t, uint32_t bus, uint32_t device, uint32_t function, mach_port_t* port);

    // Clears Bus Master Enable on every granted function: when the disk server dies, the memory
    // it gave its controllers for DMA goes back to the kernel, and a controller still working on
    // a command must not write there. The next instance enables it again as it sets them up.
    // Returns how many functions had it set.
    size_t stop_bus_mastering();

private:
    enum class Access { Read, Write };
    // The function whose port this is, or null (a root port, or a port not ours), and the access
    // the port gives.
    const pci::Function* function_of(mach_port_t, Access* = nullptr) const;
    bool is_root(mach_port_t port) const { return port == m_root.name() || port == m_read_root.name(); }

    pci::ConfigAccess& m_config;
    Granted m_granted;
    pci::FunctionTable m_functions;
    mach::ReceiveRight m_root;
    mach::ReceiveRight m_read_root;
    // m_ports[i] and m_read_ports[i] are the ports of m_functions[i]; m_ports[i] is null for a
    // function that is not granted.
    mach::ReceiveRight m_ports[pci::FunctionTable::capacity];
    mach::ReceiveRight m_read_ports[pci::FunctionTable::capacity];
};

// The arbiter of this task, for the MIG handlers.
Arbiter& the_arbiter();
void set_arbiter(Arbiter&);

} // namespace arbiter
