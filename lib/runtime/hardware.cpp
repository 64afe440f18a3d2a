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

base::Result<DmaReply> DmaReply::allocate(size_t bytes, uint64_t physical_limit, Placement placement)
{
    if (bytes == 0)
        return base::Error(KERN_INVALID_ARGUMENT, "an empty DMA reply");
    DmaReply reply;
    reply.m_size = (bytes + page - 1) & ~(page - 1);
    if (placement != Placement::Scattered) {
        auto contiguous = reply.allocate_contiguous(physical_limit);
        if (!contiguous.is_error())
            return reply;
        if (placement == Placement::Contiguous)
            return contiguous.error();
    }
    TRY(reply.allocate_scattered(physical_limit));
    return reply;
}

base::Result<void> DmaReply::allocate_contiguous(uint64_t physical_limit)
{
    // Below 4 GiB at most: the kernel's contiguous allocator is asked for its DMA32 pages.
    uint64_t limit = physical_limit < 0x100000000ULL ? physical_limit : 0x100000000ULL;
    vm_address_t address = 0;
    rpc_phys_addr_t physical = 0;
    MACH_TRY(vm_allocate_contiguous(
                 privileged_ports().host_priv, mach_task_self(), &address, &physical, m_size, 0, limit, page),
        "allocating contiguous reply memory (vm_allocate_contiguous)");
    m_address = address;
    m_runs[0] = PhysicalRun { physical, m_size };
    m_run_count = 1;
    return {};
}

base::Result<void> DmaReply::allocate_scattered(uint64_t physical_limit)
{
    if (m_size > max_scattered_bytes)
        return base::Error(KERN_INVALID_ARGUMENT, "scattered reply memory larger than its table of runs");
    vm_address_t address = 0;
    MACH_TRY(vm_allocate(mach_task_self(), &address, m_size, TRUE), "allocating reply memory (vm_allocate)");
    // Owned from here: an error below deallocates it.
    m_address = address;
    // Wiring faults every page in, zero-filled, and keeps it where it is until the reply moves it.
    MACH_TRY(vm_wire(privileged_ports().host_priv, mach_task_self(), address, m_size, VM_PROT_READ | VM_PROT_WRITE),
        "wiring reply memory (vm_wire)");
    rpc_phys_addr_t table[max_runs];
    rpc_phys_addr_t* pages = table;
    mach_msg_type_number_t count = max_runs;
    MACH_TRY(vm_pages_phys(privileged_ports().host_priv, mach_task_self(), address, m_size, &pages, &count),
        "finding reply memory's pages (vm_pages_phys)");
    // The kernel answers in line for this many pages; out of line, the array is ours to free.
    if (pages != table) {
        size_t n = count <= max_runs ? count : max_runs;
        __builtin_memcpy(table, pages, n * sizeof table[0]);
        vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(pages), count * sizeof table[0]);
    }
    if (count != m_size / page)
        return base::Error(KERN_FAILURE, "vm_pages_phys did not answer for every page");
    m_run_count = 0;
    for (size_t i = 0; i < count; ++i) {
        uint64_t physical = table[i];
        if (physical == 0 || physical + page > physical_limit)
            return base::Error(KERN_INVALID_ADDRESS, "a reply page the device cannot reach");
        PhysicalRun* last = m_run_count ? &m_runs[m_run_count - 1] : nullptr;
        if (last && last->physical + last->bytes == physical)
            last->bytes += page;
        else
            m_runs[m_run_count++] = PhysicalRun { physical, page };
    }
    return {};
}

DmaReply& DmaReply::operator=(DmaReply&& o)
{
    if (this != &o) {
        this->~DmaReply();
        m_address = o.m_address;
        m_size = o.m_size;
        m_run_count = o.m_run_count;
        for (size_t i = 0; i < m_run_count; ++i)
            m_runs[i] = o.m_runs[i];
        o.m_address = 0;
        o.m_size = 0;
        o.m_run_count = 0;
    }
    return *this;
}

DmaReply::~DmaReply()
{
    // Deallocating wired memory unwires it.
    if (m_address)
        vm_deallocate(mach_task_self(), m_address, m_size);
    m_address = 0;
}

void* DmaReply::release()
{
    void* memory = data();
    m_address = 0;
    m_size = 0;
    m_run_count = 0;
    return memory;
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
