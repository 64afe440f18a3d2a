// rumpdisk's device server.
#include "block_server.h"

#include "block_layout.h"
#include "runtime/console.h"

namespace rumpdisk {

static constexpr uint64_t page_size = 0x1000;

bool BlockServer::add_volume(const Volume& v)
{
    if (m_volume_count == max_volumes)
        return false;
    m_volumes[m_volume_count++] = v;
    return true;
}

Volume* BlockServer::find_volume(base::StringView name)
{
    for (size_t i = 0; i < m_volume_count; ++i)
        if (m_volumes[i].name.view() == name)
            return &m_volumes[i];
    return nullptr;
}

bool BlockServer::owns(base::StringView name) const
{
    return const_cast<BlockServer*>(this)->find_volume(name) != nullptr;
}

base::Result<mach::SendRight> BlockServer::open(base::StringView name, dev_mode_t mode)
{
    Volume* v = find_volume(name);
    if (!v)
        return base::Error(D_NO_SUCH_DEVICE);
    bool writable = mode & D_WRITE;
    if (writable && v->read_only)
        return base::Error(D_READ_ONLY);
    // One port per volume and mode: several opens share it and count.
    OpenPort* free_slot = nullptr;
    for (OpenPort& p : m_ports) {
        if (p.volume == v && p.writable == writable) {
            ++p.opens;
            return p.port.make_send();
        }
        if (!p.volume && !free_slot)
            free_slot = &p;
    }
    if (!free_slot)
        return base::Error(D_NO_MEMORY, "too many open devices");
    auto port = TRY(mach::ReceiveRight::allocate());
    TRY(chain::link().server().add_port(port.name()));
    free_slot->port = static_cast<mach::ReceiveRight&&>(port);
    free_slot->volume = v;
    free_slot->writable = writable;
    free_slot->opens = 1;
    return free_slot->port.make_send();
}

BlockServer::OpenPort* BlockServer::find_port(mach_port_t port)
{
    for (OpenPort& p : m_ports)
        if (p.volume && p.port.name() == port)
            return &p;
    return nullptr;
}

const BlockServer::OpenPort* BlockServer::find_port(mach_port_t port) const
{
    return const_cast<BlockServer*>(this)->find_port(port);
}

bool BlockServer::owns(mach_port_t port) const
{
    return find_port(port) != nullptr;
}

kern_return_t BlockServer::close(mach_port_t port)
{
    OpenPort* p = find_port(port);
    if (!p)
        return D_NO_SUCH_DEVICE;
    if (--p->opens > 0)
        return KERN_SUCCESS;
    kern_return_t r = KERN_SUCCESS;
    if (p->writable) {
        auto flushed = p->volume->disk->flush();
        if (flushed.is_error())
            r = flushed.error().code();
    }
    // Destroying the receive right turns every client's remaining send right dead.
    (void)chain::link().server().remove_port(p->port.name()).is_error();
    p->port.reset();
    p->volume = nullptr;
    return r;
}

kern_return_t BlockServer::check_range(const Volume& v, recnum_t recnum, uint64_t bytes,
                                       uint64_t& first_disk_sector) const
{
    uint32_t sector = v.disk->identity().sector_size;
    if (bytes % sector || bytes > max_request_bytes)
        return D_INVALID_SIZE;
    uint64_t sectors = bytes / sector;
    if (recnum > v.sector_count || sectors > v.sector_count - recnum)
        return D_INVALID_RECNUM;
    first_disk_sector = v.first_sector + recnum;
    return KERN_SUCCESS;
}

kern_return_t BlockServer::transfer(const Volume& v, uint64_t first, uint64_t sectors, void* buffer, bool write)
{
    Disk& disk = *v.disk;
    uint32_t sector = disk.identity().sector_size;
    uint32_t step = disk.max_transfer_sectors();
    auto* bytes = static_cast<char*>(buffer);
    while (sectors) {
        uint32_t n = sectors < step ? static_cast<uint32_t>(sectors) : step;
        auto r = write ? disk.write(first, n, bytes) : disk.read(first, n, bytes);
        if (r.is_error())
            return r.error().code();
        first += n;
        sectors -= n;
        bytes += uint64_t(n) * sector;
    }
    return KERN_SUCCESS;
}

kern_return_t BlockServer::read(mach_port_t port, dev_mode_t, recnum_t recnum, int bytes_wanted,
                                io_buf_ptr_t* data, mach_msg_type_number_t* count)
{
    OpenPort* p = find_port(port);
    if (!p)
        return D_NO_SUCH_DEVICE;
    if (bytes_wanted < 0)
        return D_INVALID_SIZE;
    uint64_t first;
    if (kern_return_t r = check_range(*p->volume, recnum, uint64_t(bytes_wanted), first))
        return r;
    *data = nullptr;
    *count = 0;
    if (bytes_wanted == 0)
        return KERN_SUCCESS;
    // Out-of-line data comes back page-rounded, as the kernel's own disks return it; MIG
    // deallocates it from this task once sent.
    vm_address_t buffer = 0;
    vm_size_t rounded = (uint64_t(bytes_wanted) + page_size - 1) & ~(page_size - 1);
    if (vm_allocate(mach_task_self(), &buffer, rounded, TRUE) != KERN_SUCCESS)
        return D_NO_MEMORY;
    uint64_t sectors = uint64_t(bytes_wanted) / p->volume->disk->identity().sector_size;
    kern_return_t r = transfer(*p->volume, first, sectors, reinterpret_cast<void*>(buffer), false);
    if (r != KERN_SUCCESS) {
        vm_deallocate(mach_task_self(), buffer, rounded);
        return r;
    }
    *data = reinterpret_cast<io_buf_ptr_t>(buffer);
    *count = static_cast<mach_msg_type_number_t>(bytes_wanted);
    return KERN_SUCCESS;
}

kern_return_t BlockServer::read_inband(mach_port_t port, dev_mode_t, recnum_t recnum, int bytes_wanted, char* data,
                                       mach_msg_type_number_t* count)
{
    // The in-band reply holds at most 128 bytes, less than a sector: an in-band read returns
    // the first bytes_wanted bytes of record recnum (a partial record, as a peek).
    OpenPort* p = find_port(port);
    if (!p)
        return D_NO_SUCH_DEVICE;
    if (bytes_wanted < 0 || bytes_wanted > 128)
        return D_INVALID_SIZE;
    const Volume& v = *p->volume;
    if (recnum >= v.sector_count)
        return D_INVALID_RECNUM;
    *count = 0;
    if (bytes_wanted == 0)
        return KERN_SUCCESS;
    uint32_t sector = v.disk->identity().sector_size;
    char scratch[4096];
    if (sector > sizeof scratch)
        return D_INVALID_OPERATION;
    kern_return_t r = transfer(v, v.first_sector + recnum, 1, scratch, false);
    if (r != KERN_SUCCESS)
        return r;
    __builtin_memcpy(data, scratch, bytes_wanted);
    *count = static_cast<mach_msg_type_number_t>(bytes_wanted);
    return KERN_SUCCESS;
}

kern_return_t BlockServer::write(mach_port_t port, dev_mode_t mode, recnum_t recnum, io_buf_ptr_t data,
                                 mach_msg_type_number_t count, int* bytes_written)
{
    // The data arrived out of line and is ours: it is released on every path.
    struct Release {
        io_buf_ptr_t data;
        mach_msg_type_number_t count;
        ~Release()
        {
            if (data)
                vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(data), count);
        }
    } release {data, count};

    OpenPort* p = find_port(port);
    if (!p)
        return D_NO_SUCH_DEVICE;
    if (!p->writable)
        return D_READ_ONLY;
    uint64_t first;
    if (kern_return_t r = check_range(*p->volume, recnum, count, first))
        return r;
    *bytes_written = 0;
    if (count == 0)
        return KERN_SUCCESS;
    if (!data)
        return D_INVALID_SIZE;
    uint64_t sectors = count / p->volume->disk->identity().sector_size;
    if (kern_return_t r = transfer(*p->volume, first, sectors, data, true))
        return r;
    if (mode & write_flush) {
        auto flushed = p->volume->disk->flush();
        if (flushed.is_error())
            return flushed.error().code();
    }
    *bytes_written = static_cast<int>(count);
    return KERN_SUCCESS;
}

kern_return_t BlockServer::write_inband(mach_port_t port, dev_mode_t mode, recnum_t recnum, const char* data,
                                        mach_msg_type_number_t count, int* bytes_written)
{
    OpenPort* p = find_port(port);
    if (!p)
        return D_NO_SUCH_DEVICE;
    if (!p->writable)
        return D_READ_ONLY;
    uint64_t first;
    // At most 128 bytes in band: only whole records can be written, so with 512-byte sectors
    // this is D_INVALID_SIZE for any non-empty write.
    if (kern_return_t r = check_range(*p->volume, recnum, count, first))
        return r;
    *bytes_written = 0;
    if (count == 0)
        return KERN_SUCCESS;
    char copy[128];
    __builtin_memcpy(copy, data, count);
    uint64_t sectors = count / p->volume->disk->identity().sector_size;
    if (kern_return_t r = transfer(*p->volume, first, sectors, copy, true))
        return r;
    if (mode & write_flush) {
        auto flushed = p->volume->disk->flush();
        if (flushed.is_error())
            return flushed.error().code();
    }
    *bytes_written = static_cast<int>(count);
    return KERN_SUCCESS;
}

kern_return_t BlockServer::get_status(mach_port_t port, dev_flavor_t flavor, dev_status_t status,
                                      mach_msg_type_number_t* count)
{
    OpenPort* p = find_port(port);
    if (!p)
        return D_NO_SUCH_DEVICE;
    const Volume& v = *p->volume;
    uint32_t sector = v.disk->identity().sector_size;
    switch (flavor) {
    case DEV_GET_SIZE: {
        if (*count < DEV_GET_SIZE_COUNT)
            return D_INVALID_SIZE;
        // An int: sizes of 2 GiB and more do not fit, which is why clients ask for records.
        uint64_t bytes = v.sector_count * sector;
        status[DEV_GET_SIZE_DEVICE_SIZE] = bytes > 0x7fffffff ? 0x7fffffff : static_cast<int>(bytes);
        status[DEV_GET_SIZE_RECORD_SIZE] = static_cast<int>(sector);
        *count = DEV_GET_SIZE_COUNT;
        return KERN_SUCCESS;
    }
    case DEV_GET_RECORDS:
        if (*count < DEV_GET_RECORDS_COUNT)
            return D_INVALID_SIZE;
        status[DEV_GET_RECORDS_DEVICE_RECORDS] =
            v.sector_count > 0xffffffffu ? static_cast<int>(0xffffffffu) : static_cast<int>(v.sector_count);
        status[DEV_GET_RECORDS_RECORD_SIZE] = static_cast<int>(sector);
        *count = DEV_GET_RECORDS_COUNT;
        return KERN_SUCCESS;
    default:
        return D_INVALID_OPERATION;
    }
}

kern_return_t BlockServer::set_status(mach_port_t port, dev_flavor_t flavor, const int*, mach_msg_type_number_t)
{
    OpenPort* p = find_port(port);
    if (!p)
        return D_NO_SUCH_DEVICE;
    switch (flavor) {
    case dev_flush_cache: {
        auto flushed = p->volume->disk->flush();
        return flushed.is_error() ? flushed.error().code() : KERN_SUCCESS;
    }
    case blkrrpart:
        return KERN_SUCCESS;
    default:
        return D_INVALID_OPERATION;
    }
}

} // namespace rumpdisk
