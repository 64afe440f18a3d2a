// The resources granted to the disk server, and the checked "mem" and "irq" devices.
#include "grants.h"

#include "ata/ide_ports.h"
#include "runtime/runtime.h"

namespace pci_arbiter {

namespace {

constexpr uint8_t ide_subclass = 0x01;
constexpr uint64_t page = 0x1000;

} // namespace

bool is_granted(const pci::Function& f)
{
    return f.class_code.base == pci::classes::mass_storage;
}

void Grants::add_memory(uint64_t base, uint64_t size)
{
    if (size == 0 || m_memory_count == max_ranges)
        return;
    // device_map works in pages: the pages that hold the region are granted.
    uint64_t first = base & ~(page - 1);
    uint64_t last = ((base + size + page - 1) & ~(page - 1)) - 1;
    m_memory[m_memory_count++] = { first, last };
}

void Grants::add_io(uint64_t base, uint64_t size)
{
    if (size == 0 || base + size - 1 > 0xffff || m_io_count == max_ranges)
        return;
    m_io[m_io_count++] = { base, base + size - 1 };
}

void Grants::add_line(uint8_t line)
{
    if (line == 0 || line == 0xff || m_line_count == max_lines)
        return;
    for (size_t i = 0; i < m_line_count; ++i)
        if (m_lines[i] == line)
            return;
    m_lines[m_line_count++] = line;
}

base::Result<void> Grants::grant(const pci::FunctionTable& functions, runtime::Server& server)
{
    for (const pci::Function& f : functions) {
        if (!is_granted(f))
            continue;
        for (const pci::Region& bar : f.regions.bars) {
            if (bar.kind == pci::RegionKind::Memory)
                add_memory(bar.base, bar.size);
            else if (bar.kind == pci::RegionKind::Io)
                add_io(bar.base, bar.size);
        }
        add_line(f.interrupt_line);
        if (f.class_code.sub != ide_subclass)
            continue;
        // An IDE channel in compatibility mode decodes the legacy ports and raises IRQ 14 or 15.
        ata::ide::Ports ports = ata::ide::decode_ports(f.class_code.prog_if, f.regions, f.interrupt_line);
        for (const ata::ide::ChannelPorts& channel : ports.channels) {
            if (!channel.present || channel.native)
                continue;
            add_io(channel.command, 8);
            add_io(channel.control, 1);
            add_line(channel.irq);
        }
    }
    m_mem_port = TRY(runtime::ReceiveRight::allocate());
    TRY(server.add_port(m_mem_port.name()));
    m_irq_port = TRY(runtime::ReceiveRight::allocate());
    TRY(server.add_port(m_irq_port.name()));
    return {};
}

base::Result<void> Grants::grant_platform(const acpi::Needs& needs, runtime::Server& server)
{
    for (size_t i = 0; i < needs.memory_count; ++i)
        add_memory(needs.memory[i].first, needs.memory[i].last - needs.memory[i].first + 1);
    for (size_t i = 0; i < needs.port_count; ++i)
        add_io(needs.ports[i].first, needs.ports[i].last - needs.ports[i].first + 1u);
    // acpi waits for no interrupt (no AML, so no SCI handler): no "irq" at all.
    m_mem_port = TRY(runtime::ReceiveRight::allocate());
    TRY(server.add_port(m_mem_port.name()));
    return {};
}

bool Grants::owns(base::StringView name) const
{
    return (name == "mem" && m_mem_port.valid()) || (name == "irq" && m_irq_port.valid());
}

base::Result<runtime::SendRight> Grants::open(base::StringView name, dev_mode_t)
{
    return name == "mem" ? m_mem_port.make_send() : m_irq_port.make_send();
}

bool Grants::allows(uint16_t from, uint16_t to) const
{
    for (size_t i = 0; i < m_io_count; ++i)
        if (from <= to && m_io[i].first <= from && to <= m_io[i].last)
            return true;
    return false;
}

bool Grants::owns(mach_port_t port) const
{
    return MACH_PORT_VALID(port) && (port == m_mem_port.name() || port == m_irq_port.name());
}

kern_return_t Grants::close(mach_port_t)
{
    // The ports are shared and live as long as the arbiter: a close changes nothing.
    return D_SUCCESS;
}

kern_return_t Grants::read(mach_port_t, dev_mode_t, recnum_t, int, io_buf_ptr_t*, mach_msg_type_number_t*)
{
    return D_INVALID_OPERATION;
}

kern_return_t Grants::read_inband(mach_port_t, dev_mode_t, recnum_t, int, char*, mach_msg_type_number_t*)
{
    return D_INVALID_OPERATION;
}

kern_return_t Grants::write(mach_port_t, dev_mode_t, recnum_t, io_buf_ptr_t, mach_msg_type_number_t, int*)
{
    return D_INVALID_OPERATION;
}

kern_return_t Grants::write_inband(mach_port_t, dev_mode_t, recnum_t, const char*, mach_msg_type_number_t, int*)
{
    return D_INVALID_OPERATION;
}

kern_return_t Grants::get_status(mach_port_t, dev_flavor_t, dev_status_t, mach_msg_type_number_t*)
{
    return D_INVALID_OPERATION;
}

kern_return_t Grants::set_status(mach_port_t, dev_flavor_t, const int*, mach_msg_type_number_t)
{
    return D_INVALID_OPERATION;
}

base::Result<mach_port_t> Grants::kernel_device(runtime::SendRight& cache, const char* name)
{
    if (!cache.valid()) {
        mach_port_t device = MACH_PORT_NULL;
        MACH_TRY(
            device_open(runtime::privileged_ports().device_master, D_READ | D_WRITE, const_cast<char*>(name), &device),
            "opening the kernel's device");
        cache = runtime::SendRight::adopt(device);
    }
    return cache.name();
}

kern_return_t Grants::map(
    mach_port_t port, vm_prot_t prot, vm_offset_t offset, vm_size_t size, mach_port_t* pager, int unmap)
{
    if (port != m_mem_port.name())
        return D_INVALID_OPERATION;
    bool granted = false;
    for (size_t i = 0; i < m_memory_count && !granted; ++i)
        granted = size > 0 && offset + size > offset && m_memory[i].first <= offset
            && offset + size - 1 <= m_memory[i].last;
    if (!granted)
        return KERN_INVALID_CAPABILITY;
    auto mem = kernel_device(m_kernel_mem, "mem");
    if (mem.is_error())
        return mem.error().code();
    mach_port_t object = MACH_PORT_NULL;
    kern_return_t r = device_map(mem.value(), prot, offset, size, &object, unmap);
    if (r != KERN_SUCCESS)
        return r;
    // The reply copies the right; ours is released at the next map (or kept, one at a time).
    m_last_pager = runtime::SendRight::adopt(object);
    *pager = object;
    return KERN_SUCCESS;
}

kern_return_t Grants::intr_register(mach_port_t port, int line, int flags, mach_port_t receive_port)
{
    if (port != m_irq_port.name())
        return D_INVALID_OPERATION;
    bool granted = false;
    for (size_t i = 0; i < m_line_count && !granted; ++i)
        granted = line == m_lines[i];
    if (!granted)
        return KERN_INVALID_CAPABILITY;
    auto irq = kernel_device(m_kernel_irq, "irq");
    if (irq.is_error())
        return irq.error().code();
    // The kernel gets its own reference; ours goes only on success (an error leaves the
    // request's right to the server loop).
    kern_return_t r = device_intr_register(irq.value(), line, flags, receive_port, MACH_MSG_TYPE_COPY_SEND);
    if (r == KERN_SUCCESS)
        mach_port_deallocate(mach_task_self(), receive_port);
    return r;
}

kern_return_t Grants::intr_ack(mach_port_t port, mach_port_t receive_port)
{
    if (port != m_irq_port.name())
        return D_INVALID_OPERATION;
    auto irq = kernel_device(m_kernel_irq, "irq");
    if (irq.is_error())
        return irq.error().code();
    kern_return_t r = device_intr_ack(irq.value(), receive_port, MACH_MSG_TYPE_COPY_SEND);
    if (r == KERN_SUCCESS)
        mach_port_deallocate(mach_task_self(), receive_port);
    return r;
}

} // namespace pci_arbiter
