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
#include "runtime/port_objects.h"
#include "runtime/rights.h"
#include "runtime/server.h"

namespace pci_arbiter {

class Arbiter;

// A port of the arbiter: a root port (no function) or a function's, and whether it writes.
struct ArbiterPort final : runtime::PortObject {
    Arbiter* arbiter = nullptr;
    const pci::Function* function = nullptr;
    bool writable = false;
    runtime::ServedPort port;
};

inline constexpr runtime::PortKind<ArbiterPort> arbiter_port { "a port of the PCI arbiter" };

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
    base::Result<void> serve_on(runtime::Server&);

    // chain::DeviceProvider: "pci" opens the root port.
    bool owns(base::StringView name) const override;
    base::Result<runtime::SendRight> open(base::StringView name, dev_mode_t mode) override;

    // The RPCs, with the arguments MIG hands over; each answers a Mach status.
    kern_return_t conf_read(const ArbiterPort&, int reg, char* data, mach_msg_type_number_t* count, vm_size_t amount);
    kern_return_t conf_write(
        const ArbiterPort&, int reg, const char* data, mach_msg_type_number_t count, vm_size_t* amount);
    kern_return_t ndevs(const ArbiterPort&, vm_size_t* count);
    kern_return_t dev_regions(const ArbiterPort&, char* data, mach_msg_type_number_t* count);
    kern_return_t dev_rom(const ArbiterPort&, char* data, mach_msg_type_number_t* count);
    kern_return_t list(
        const ArbiterPort&, uint32_t first, uint32_t (*entries)[4], mach_msg_type_number_t* count, uint32_t* total);
    kern_return_t open_function(
        const ArbiterPort&, uint32_t bus, uint32_t device, uint32_t function, mach_port_t* port);

    // Clears Bus Master Enable on every granted function: when the disk server dies, the memory
    // it gave its controllers for DMA goes back to the kernel, and a controller still working on
    // a command must not write there. The next instance enables it again as it sets them up.
    // Returns how many functions had it set.
    size_t stop_bus_mastering();

private:
    base::Result<void> serve(runtime::Server&, ArbiterPort&, const pci::Function*, bool writable);

    pci::ConfigAccess& m_config;
    Granted m_granted;
    pci::FunctionTable m_functions;
    ArbiterPort m_root;
    ArbiterPort m_read_root;
    // m_ports[i] and m_read_ports[i] are the ports of m_functions[i]; m_ports[i] is not served
    // for a function that is not granted.
    ArbiterPort m_ports[pci::FunctionTable::capacity];
    ArbiterPort m_read_ports[pci::FunctionTable::capacity];
};

// "pci" for a holder that only reads configuration space (acpi: a function's interrupt line):
// the read-only root, and D_READ_ONLY for a request to write.
class ReadOnlyPci final : public chain::DeviceProvider {
public:
    explicit ReadOnlyPci(Arbiter& arbiter)
        : m_arbiter(arbiter)
    {
    }
    bool owns(base::StringView name) const override { return m_arbiter.owns(name); }
    base::Result<runtime::SendRight> open(base::StringView name, dev_mode_t mode) override;

private:
    Arbiter& m_arbiter;
};

} // namespace pci_arbiter
