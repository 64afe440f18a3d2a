// Register mappings, DMA memory and deadlines for drivers.
#include "runtime/hardware.h"

#include "runtime/clock.h"
#include "runtime/mach.h"
#include "runtime/msg.h"
#include "runtime/runtime.h"

namespace runtime {

static constexpr uintptr_t page = 0x1000;

base::Result<MmioRegion> MmioRegion::map(uint64_t physical, size_t size)
{
    if (size == 0)
        return base::Error(KERN_INVALID_ARGUMENT, "mapping an empty register block");
    uint64_t first = physical & ~uint64_t(page - 1);
    size_t bytes = ((physical + size + page - 1) & ~uint64_t(page - 1)) - first;

    mach_port_t mem = MACH_PORT_NULL;
    char name[] = "mem";
    MACH_TRY(device_open(privileged_ports().device_master, D_READ | D_WRITE, name, &mem), "opening the mem device");
    mach_port_t pager = MACH_PORT_NULL;
    kern_return_t r = device_map(mem, VM_PROT_READ | VM_PROT_WRITE, first, bytes, &pager, 0);
    mach_port_deallocate(mach_task_self(), mem);
    MACH_TRY(r, "mapping device memory (device_map)");
    // The physical address went to device_map; the pager's own offset 0 is that address.
    vm_address_t address = 0;
    r = vm_map(mach_task_self(), &address, bytes, 0, TRUE, pager, 0, FALSE, VM_PROT_READ | VM_PROT_WRITE,
        VM_PROT_READ | VM_PROT_WRITE, VM_INHERIT_NONE);
    mach_port_deallocate(mach_task_self(), pager);
    MACH_TRY(r, "mapping device memory (vm_map)");
    MmioRegion region;
    region.m_mapping = address;
    region.m_mapping_size = bytes;
    region.m_base = address + (physical - first);
    region.m_size = size;
    return region;
}

MmioRegion& MmioRegion::operator=(MmioRegion&& o)
{
    if (this != &o) {
        this->~MmioRegion();
        m_base = o.m_base;
        m_mapping = o.m_mapping;
        m_mapping_size = o.m_mapping_size;
        m_size = o.m_size;
        o.m_base = o.m_mapping = 0;
        o.m_mapping_size = o.m_size = 0;
    }
    return *this;
}

MmioRegion::~MmioRegion()
{
    if (m_mapping)
        vm_deallocate(mach_task_self(), m_mapping, m_mapping_size);
    m_mapping = 0;
}

base::Result<DmaBuffer> DmaBuffer::allocate(size_t size)
{
    size_t bytes = (size + page - 1) & ~(page - 1);
    vm_address_t address = 0;
    rpc_phys_addr_t physical = 0;
    // pmax must be a real bound (0 panics this kernel); 4 GiB keeps 32-bit DMA engines happy.
    MACH_TRY(vm_allocate_contiguous(
                 privileged_ports().host_priv, mach_task_self(), &address, &physical, bytes, 0, 0x100000000ULL, page),
        "allocating DMA memory (vm_allocate_contiguous)");
    DmaBuffer b;
    b.m_virtual = address;
    b.m_physical = physical;
    b.m_size = bytes;
    __builtin_memset(reinterpret_cast<void*>(address), 0, bytes);
    return b;
}

DmaBuffer& DmaBuffer::operator=(DmaBuffer&& o)
{
    if (this != &o) {
        this->~DmaBuffer();
        m_virtual = o.m_virtual;
        m_physical = o.m_physical;
        m_size = o.m_size;
        o.m_virtual = 0;
        o.m_physical = 0;
        o.m_size = 0;
    }
    return *this;
}

DmaBuffer::~DmaBuffer()
{
    if (m_virtual)
        vm_deallocate(mach_task_self(), m_virtual, m_size);
    m_virtual = 0;
}

Deadline::Deadline(uint64_t milliseconds)
    : m_end_ns(uptime_ns() + milliseconds * 1000000ULL)
{
}

bool Deadline::passed() const
{
    return uptime_ns() > m_end_ns;
}

void PollBound::pause()
{
    if (m_pauses_left > 0)
        --m_pauses_left;
    sleep_ms(1);
}

} // namespace runtime
