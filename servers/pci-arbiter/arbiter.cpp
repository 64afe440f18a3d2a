// The arbiter's RPCs. Every request is checked before it reaches the hardware: the port must be
// one of ours and of the right kind (the root port or a function's), a configuration access
// must be inside the 256 bytes, of 1, 2 or 4 bytes and naturally aligned.
#include "arbiter.h"

#include <string.h>

#include "pci/enum_layout.h"
#include "pci/hurd_layout.h"

extern "C" {
#include "pci_S.h"
#include "pci_enum_S.h"

// The demux functions MIG generates with the server stubs (their headers do not declare them).
boolean_t pci_server(mach_msg_header_t*, mach_msg_header_t*);
boolean_t pci_enum_server(mach_msg_header_t*, mach_msg_header_t*);
}

namespace pci_arbiter {

namespace {

// pci::Status into the Mach code a client sees: done here, once.
kern_return_t to_kern_return(pci::Status s)
{
    switch (s) {
    case pci::Status::Ok:
        return KERN_SUCCESS;
    case pci::Status::OutOfRange:
    case pci::Status::BadSize:
    case pci::Status::Misaligned:
        return KERN_INVALID_ARGUMENT;
    case pci::Status::NoSuchFunction:
        return D_NO_SUCH_DEVICE;
    case pci::Status::TableFull:
        return KERN_RESOURCE_SHORTAGE;
    }
    return KERN_FAILURE;
}

} // namespace

pci::EnumerationReport Arbiter::enumerate()
{
    m_functions.clear();
    return pci::enumerate(m_config, m_functions, pci::Sizing::ProbeRegions);
}

base::Result<void> Arbiter::serve(runtime::Server& server, ArbiterPort& port, const pci::Function* f, bool writable)
{
    port.arbiter = this;
    port.function = f;
    port.writable = writable;
    port.port = TRY(runtime::ServedPort::create(server, arbiter_port, port));
    return {};
}

base::Result<void> Arbiter::serve_on(runtime::Server& server)
{
    TRY(serve(server, m_root, nullptr, true));
    TRY(serve(server, m_read_root, nullptr, false));
    for (size_t i = 0; i < m_functions.size(); ++i) {
        TRY(serve(server, m_read_ports[i], &m_functions[i], false));
        if (m_granted(m_functions[i]))
            TRY(serve(server, m_ports[i], &m_functions[i], true));
    }
    server.add_demux(pci_server);
    server.add_demux(pci_enum_server);
    return {};
}

bool Arbiter::owns(base::StringView name) const
{
    return name == "pci";
}

base::Result<runtime::SendRight> Arbiter::open(base::StringView, dev_mode_t mode)
{
    // Every opener of one kind shares its root port.
    return (mode & D_WRITE) ? m_root.port.make_send() : m_read_root.port.make_send();
}

base::Result<runtime::SendRight> ReadOnlyPci::open(base::StringView name, dev_mode_t mode)
{
    if (mode & D_WRITE)
        return base::Error(D_READ_ONLY, "pci is read-only for this holder");
    return m_arbiter.open(name, mode);
}

kern_return_t Arbiter::conf_read(
    const ArbiterPort& port, int reg, char* data, mach_msg_type_number_t* count, vm_size_t amount)
{
    const pci::Function* f = port.function;
    if (!f)
        return KERN_INVALID_ARGUMENT;
    pci::Status checked = pci::check_config_access(reg, amount, pci::config::space_size);
    if (checked != pci::Status::Ok)
        return to_kern_return(checked);
    if (amount > *count)
        return KERN_INVALID_ARGUMENT;
    uint32_t value = m_config.read(f->address, uint16_t(reg), unsigned(amount));
    // Configuration space is little-endian, as is this machine: the bytes go as they are.
    memcpy(data, &value, amount);
    *count = mach_msg_type_number_t(amount);
    return KERN_SUCCESS;
}

kern_return_t Arbiter::conf_write(
    const ArbiterPort& port, int reg, const char* data, mach_msg_type_number_t count, vm_size_t* amount)
{
    const pci::Function* f = port.function;
    if (!f)
        return KERN_INVALID_ARGUMENT;
    if (!port.writable)
        return KERN_INVALID_CAPABILITY;
    pci::Status checked = pci::check_config_access(reg, count, pci::config::space_size);
    if (checked != pci::Status::Ok)
        return to_kern_return(checked);
    uint32_t value = 0;
    memcpy(&value, data, count);
    m_config.write(f->address, uint16_t(reg), count, value);
    *amount = count;
    return KERN_SUCCESS;
}

kern_return_t Arbiter::ndevs(const ArbiterPort& port, vm_size_t* count)
{
    // As the Hurd's arbiter: only the root port answers this.
    if (port.function)
        return KERN_INVALID_ARGUMENT;
    *count = m_functions.size();
    return KERN_SUCCESS;
}

kern_return_t Arbiter::dev_regions(const ArbiterPort& port, char* data, mach_msg_type_number_t* count)
{
    const pci::Function* f = port.function;
    if (!f)
        return KERN_INVALID_ARGUMENT;
    if (*count < pci::hurd::regions_bytes)
        return KERN_INVALID_ARGUMENT;
    for (unsigned i = 0; i < pci::max_bars; ++i) {
        pci::hurd::Bar bar = pci::hurd::to_bar(f->regions.bars[i]);
        memcpy(data + i * sizeof bar, &bar, sizeof bar);
    }
    *count = pci::hurd::regions_bytes;
    return KERN_SUCCESS;
}

kern_return_t Arbiter::dev_rom(const ArbiterPort& port, char* data, mach_msg_type_number_t* count)
{
    const pci::Function* f = port.function;
    if (!f)
        return KERN_INVALID_ARGUMENT;
    pci::hurd::XromBar rom = pci::hurd::to_xrom_bar(f->regions.rom);
    if (*count < sizeof rom)
        return KERN_INVALID_ARGUMENT;
    memcpy(data, &rom, sizeof rom);
    *count = sizeof rom;
    return KERN_SUCCESS;
}

kern_return_t Arbiter::list(
    const ArbiterPort& port, uint32_t first, uint32_t (*entries)[4], mach_msg_type_number_t* count, uint32_t* total)
{
    if (port.function)
        return KERN_INVALID_ARGUMENT;
    size_t capacity = *count;
    size_t n = 0;
    for (size_t i = first; i < m_functions.size() && n < capacity; ++i, ++n) {
        pci::enumeration::Entry e = pci::enumeration::encode(m_functions[i]);
        memcpy(entries[n], e.words, sizeof e.words);
    }
    *count = mach_msg_type_number_t(n);
    *total = uint32_t(m_functions.size());
    return KERN_SUCCESS;
}

kern_return_t Arbiter::open_function(
    const ArbiterPort& port, uint32_t bus, uint32_t device, uint32_t function, mach_port_t* out)
{
    if (port.function)
        return KERN_INVALID_ARGUMENT;
    if (!pci::Address::valid(bus, device, function))
        return KERN_INVALID_ARGUMENT;
    const pci::Function* f = m_functions.find({ uint8_t(bus), uint8_t(device), uint8_t(function) });
    if (!f)
        return to_kern_return(pci::Status::NoSuchFunction);
    // The reply makes a send right from this receive right (pci_enum.defs: make-send). The
    // writable root gives write access to granted functions only.
    size_t i = size_t(f - m_functions.begin());
    bool writable = port.writable && m_ports[i].port.valid();
    *out = writable ? m_ports[i].port.name() : m_read_ports[i].port.name();
    return KERN_SUCCESS;
}

size_t Arbiter::stop_bus_mastering()
{
    namespace config = pci::config;
    size_t stopped = 0;
    for (const pci::Function& f : m_functions) {
        if (!m_granted(f))
            continue;
        pci::FunctionRegisters registers(pci::FunctionAccess { &m_config, f.address });
        auto command = registers.read<config::Command>();
        if (!command.has<config::Command::BusMaster>())
            continue;
        registers.write(command.set<config::Command::BusMaster>(0));
        ++stopped;
    }
    return stopped;
}

} // namespace pci_arbiter

// The MIG server functions: the boundary, where the generated stubs call in. Each reaches the
// arbiter through the port the request came on; a port not the arbiter's is refused.
namespace {
template<typename Call> kern_return_t on_port(mach_port_t port, Call call)
{
    pci_arbiter::ArbiterPort* p = runtime::served(port, pci_arbiter::arbiter_port);
    return p ? call(*p->arbiter, *p) : KERN_INVALID_ARGUMENT;
}
} // namespace

extern "C" {

kern_return_t S_pci_conf_read(
    pci_t master, int reg, pci_config_data_t data, mach_msg_type_number_t* count, vm_size_t amount)
{
    return on_port(master, [&](pci_arbiter::Arbiter& a, const pci_arbiter::ArbiterPort& p) {
        return a.conf_read(p, reg, data, count, amount);
    });
}

kern_return_t S_pci_conf_write(
    pci_t master, int reg, const pci_config_data_t data, mach_msg_type_number_t count, vm_size_t* amount)
{
    return on_port(master, [&](pci_arbiter::Arbiter& a, const pci_arbiter::ArbiterPort& p) {
        return a.conf_write(p, reg, data, count, amount);
    });
}

kern_return_t S_pci_get_ndevs(pci_t master, vm_size_t* ndevs)
{
    return on_port(
        master, [&](pci_arbiter::Arbiter& a, const pci_arbiter::ArbiterPort& p) { return a.ndevs(p, ndevs); });
}

kern_return_t S_pci_get_dev_regions(pci_t master, pci_regions_data_t data, mach_msg_type_number_t* count)
{
    return on_port(master,
        [&](pci_arbiter::Arbiter& a, const pci_arbiter::ArbiterPort& p) { return a.dev_regions(p, data, count); });
}

kern_return_t S_pci_get_dev_rom(pci_t master, pci_rom_data_t data, mach_msg_type_number_t* count)
{
    return on_port(
        master, [&](pci_arbiter::Arbiter& a, const pci_arbiter::ArbiterPort& p) { return a.dev_rom(p, data, count); });
}

kern_return_t S_pci_enum_list(
    pci_t root, uint32_t first, pci_enum_entries_t entries, mach_msg_type_number_t* count, uint32_t* total)
{
    return on_port(root, [&](pci_arbiter::Arbiter& a, const pci_arbiter::ArbiterPort& p) {
        return a.list(p, first, entries, count, total);
    });
}

kern_return_t S_pci_enum_open(pci_t root, uint32_t bus, uint32_t device, uint32_t function, mach_port_t* port)
{
    return on_port(root, [&](pci_arbiter::Arbiter& a, const pci_arbiter::ArbiterPort& p) {
        return a.open_function(p, bus, device, function, port);
    });
}

} // extern "C"
