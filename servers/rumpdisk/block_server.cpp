// rumpdisk's device server.
#include "block_server.h"

#include "block_layout.h"
#include "runtime/console.h"
#include "test_hooks.h"

extern "C" {
#include <mach/notify.h>
}

namespace rumpdisk {

namespace {

constexpr uint64_t page_size = 0x1000;
// io_buf_ptr_inband_t: what one in-band request or reply can hold.
constexpr uint64_t inband_bytes = sizeof(io_buf_ptr_inband_t);

bool overlaps(const Volume& a, const Volume& b)
{
    return a.disk == b.disk && a.first_sector < b.first_sector + b.sector_count
        && b.first_sector < a.first_sector + a.sector_count;
}

} // namespace

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

base::Result<runtime::SendRight> BlockServer::open(base::StringView name, dev_mode_t mode)
{
    Volume* v = find_volume(name);
    if (!v)
        return base::Error(D_NO_SUCH_DEVICE);
    bool writable = mode & D_WRITE;
    if (writable && v->read_only)
        return base::Error(D_READ_ONLY);
    Handle* slot = nullptr;
    size_t on_volume = 0;
    for (Handle& h : m_handles) {
        if (!h.port.valid()) {
            if (!slot)
                slot = &h;
            continue;
        }
        if (h.volume == v)
            ++on_volume;
        if (writable && h.open && h.writable && overlaps(*h.volume, *v))
            return base::Error(D_ALREADY_OPEN, "an overlapping volume is open for writing");
    }
    if (on_volume >= max_handles_per_volume)
        return base::Error(D_NO_MEMORY, "too many handles on this volume");
    if (!slot)
        return base::Error(D_NO_MEMORY, "the handle table is full");

    // The port's only make-send is the client's right: no-senders means the client let go.
    auto port = TRY(runtime::ServedPort::create(chain::link().server(), handle_port, *slot));
    mach_port_t previous = MACH_PORT_NULL;
    if (kern_return_t r = mach_port_request_notification(mach_task_self(), port.name(), MACH_NOTIFY_NO_SENDERS, 1,
            port.name(), MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous))
        return base::Error(r, "asking for a handle's no-senders notification");
    auto send = TRY(port.make_send());
    slot->server = this;
    slot->port = static_cast<runtime::ServedPort&&>(port);
    slot->volume = v;
    slot->writable = writable;
    slot->open = true;
    return send;
}

BlockServer::Handle* BlockServer::find_handle(mach_port_t port)
{
    return runtime::served(port, handle_port);
}

const BlockServer::Handle* BlockServer::find_handle(mach_port_t port) const
{
    return const_cast<BlockServer*>(this)->find_handle(port);
}

BlockServer::Handle* BlockServer::open_handle(mach_port_t port)
{
    Handle* h = find_handle(port);
    return h && h->open ? h : nullptr;
}

bool BlockServer::owns(mach_port_t port) const
{
    // Closed handles too: a request on one is answered D_NO_SUCH_DEVICE here.
    return find_handle(port) != nullptr;
}

void BlockServer::mark_dirty(Disk& d)
{
    Disk** free_slot = nullptr;
    for (Disk*& slot : m_dirty) {
        if (slot == &d)
            return;
        if (!slot && !free_slot)
            free_slot = &slot;
    }
    // Never full: each volume has one disk.
    if (free_slot)
        *free_slot = &d;
}

bool BlockServer::is_dirty(const Disk& d) const
{
    for (Disk* slot : m_dirty)
        if (slot == &d)
            return true;
    return false;
}

kern_return_t BlockServer::flush(Disk& d)
{
    auto flushed = d.flush();
    if (flushed.is_error())
        return flushed.error().code();
    for (Disk*& slot : m_dirty)
        if (slot == &d)
            slot = nullptr;
    return KERN_SUCCESS;
}

kern_return_t BlockServer::end_use(Handle& h)
{
    h.open = false;
    Disk& disk = *h.volume->disk;
    for (const Handle& other : m_handles)
        if (other.port.valid() && other.open && other.volume->disk == &disk)
            return KERN_SUCCESS;
    return is_dirty(disk) ? flush(disk) : KERN_SUCCESS;
}

kern_return_t BlockServer::close(mach_port_t port)
{
    Handle* h = open_handle(port);
    if (!h)
        return D_NO_SUCH_DEVICE;
    return end_use(*h);
}

void BlockServer::free_handle(Handle& h)
{
    if (h.open) {
        if (kern_return_t r = end_use(h))
            runtime::report("{}: flushing the disk after its last handle went: {}", h.volume->name, base::Status { r });
    }
    // Destroying the receive right takes it out of the port set and the table too.
    h.port.reset();
    h.volume = nullptr;
    h.writable = false;
}

kern_return_t BlockServer::check_range(
    const Volume& v, recnum_t recnum, uint64_t bytes, uint64_t& first_disk_sector) const
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
    test_hook_at_transfer();
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

kern_return_t BlockServer::read(
    mach_port_t port, dev_mode_t, recnum_t recnum, int bytes_wanted, io_buf_ptr_t* data, mach_msg_type_number_t* count)
{
    Handle* h = open_handle(port);
    if (!h)
        return D_NO_SUCH_DEVICE;
    if (bytes_wanted < 0)
        return D_INVALID_SIZE;
    uint64_t first;
    if (kern_return_t r = check_range(*h->volume, recnum, uint64_t(bytes_wanted), first))
        return r;
    *data = nullptr;
    *count = 0;
    if (bytes_wanted == 0)
        return KERN_SUCCESS;
    void* reply = nullptr;
    if (kern_return_t r = read_reply(*h->volume, first, uint64_t(bytes_wanted), &reply))
        return r;
    // MIG deallocates the reply from this task once sent (device_read's data is dealloc).
    *data = static_cast<io_buf_ptr_t>(reply);
    *count = static_cast<mach_msg_type_number_t>(bytes_wanted);
    return KERN_SUCCESS;
}

kern_return_t BlockServer::transfer_into(
    const Volume& v, uint64_t first, uint64_t sectors, const runtime::DmaReply& memory)
{
    test_hook_at_transfer();
    Disk& disk = *v.disk;
    uint32_t sector = disk.identity().sector_size;
    uint32_t step = disk.max_transfer_sectors();
    size_t done = 0;
    while (sectors) {
        uint32_t n = sectors < step ? static_cast<uint32_t>(sectors) : step;
        DmaView view { memory.data() + done, memory.runs(), memory.run_count(), done };
        auto r = disk.read_into(first, n, view);
        if (r.is_error())
            return r.error().code();
        first += n;
        sectors -= n;
        done += size_t(n) * sector;
    }
    return KERN_SUCCESS;
}

kern_return_t BlockServer::read_reply(const Volume& v, uint64_t first, uint64_t bytes, void** reply)
{
    Disk& disk = *v.disk;
    uint64_t sectors = bytes / disk.identity().sector_size;
    uint64_t limit = disk.dma_reply_limit();
    if (limit && m_reply_memory != ReplyMemory::Copied) {
        auto placement = m_reply_memory == ReplyMemory::DmaScattered ? runtime::DmaReply::Placement::Scattered
                                                                     : runtime::DmaReply::Placement::Either;
        auto memory = runtime::DmaReply::allocate(bytes, limit, placement);
        // Without such memory (none contiguous, too large to scatter) the reply is copied.
        if (!memory.is_error()) {
            // Once, for the tests: that scattered memory did come in several pieces.
            static bool told = false;
            if (m_reply_memory == ReplyMemory::DmaScattered && memory.value().run_count() > 1 && !told) {
                told = true;
                runtime::report("scattered reply memory: {} pages in {} physical runs",
                    memory.value().size() / page_size, memory.value().run_count());
            }
            // Freed with `memory` on an error: never sent, so its stale bytes never leave.
            if (kern_return_t r = transfer_into(v, first, sectors, memory.value()))
                return r;
            // The device filled [0, bytes) (its count was checked); the pages came as the kernel
            // had them, so the rest of the last one is cleared before it leaves.
            __builtin_memset(memory.value().data() + bytes, 0, memory.value().size() - bytes);
            *reply = memory.value().release();
            return KERN_SUCCESS;
        }
    }
    // Out-of-line data comes back page-rounded, as the kernel's own disks return it.
    vm_address_t buffer = 0;
    vm_size_t rounded = (bytes + page_size - 1) & ~(page_size - 1);
    if (vm_allocate(mach_task_self(), &buffer, rounded, TRUE) != KERN_SUCCESS)
        return D_NO_MEMORY;
    kern_return_t r = transfer(v, first, sectors, reinterpret_cast<void*>(buffer), false);
    if (r != KERN_SUCCESS) {
        // Our own buffer, never the client's.
        vm_deallocate(mach_task_self(), buffer, rounded);
        return r;
    }
    *reply = reinterpret_cast<void*>(buffer);
    return KERN_SUCCESS;
}

kern_return_t BlockServer::read_inband(
    mach_port_t port, dev_mode_t, recnum_t recnum, int bytes_wanted, char* data, mach_msg_type_number_t* count)
{
    // The in-band reply holds at most 128 bytes, less than a sector: an in-band read returns
    // the first bytes_wanted bytes of record recnum (a partial record, as a peek). The bound is
    // the buffer's, and the room MIG says it gave, whichever is smaller.
    Handle* h = open_handle(port);
    if (!h)
        return D_NO_SUCH_DEVICE;
    if (bytes_wanted < 0 || uint64_t(bytes_wanted) > inband_bytes || uint64_t(bytes_wanted) > *count)
        return D_INVALID_SIZE;
    const Volume& v = *h->volume;
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
    __builtin_memcpy(data, scratch, static_cast<size_t>(bytes_wanted));
    *count = static_cast<mach_msg_type_number_t>(bytes_wanted);
    return KERN_SUCCESS;
}

kern_return_t BlockServer::write_records(
    Handle& h, dev_mode_t mode, recnum_t recnum, void* data, uint64_t count, int* bytes_written)
{
    if (!h.writable)
        return D_READ_ONLY;
    uint64_t first;
    if (kern_return_t r = check_range(*h.volume, recnum, count, first))
        return r;
    *bytes_written = 0;
    if (count == 0)
        return KERN_SUCCESS;
    if (!data)
        return D_INVALID_SIZE;
    Disk& disk = *h.volume->disk;
    mark_dirty(disk);
    if (kern_return_t r = transfer(*h.volume, first, count / disk.identity().sector_size, data, true))
        return r;
    if (mode & write_flush) {
        if (kern_return_t r = flush(disk))
            return r;
    }
    *bytes_written = static_cast<int>(count);
    return KERN_SUCCESS;
}

kern_return_t BlockServer::write(mach_port_t port, dev_mode_t mode, recnum_t recnum, io_buf_ptr_t data,
    mach_msg_type_number_t count, int* bytes_written)
{
    // The ownership rule (runtime/server.h): the out-of-line data is ours to release only when
    // we answer KERN_SUCCESS; on an error the server loop releases it.
    Handle* h = open_handle(port);
    if (!h)
        return D_NO_SUCH_DEVICE;
    kern_return_t r = write_records(*h, mode, recnum, data, count, bytes_written);
    if (r == KERN_SUCCESS && data)
        vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(data), count);
    return r;
}

kern_return_t BlockServer::write_inband(mach_port_t port, dev_mode_t mode, recnum_t recnum, const char* data,
    mach_msg_type_number_t count, int* bytes_written)
{
    // MIG checks the message's size against the count it carries, not the count against the
    // 128 bytes of io_buf_ptr_inband_t: a forged count up to the message's size arrives here.
    Handle* h = open_handle(port);
    if (!h)
        return D_NO_SUCH_DEVICE;
    if (count > inband_bytes)
        return D_INVALID_SIZE;
    // Only whole records can be written, so with 512-byte sectors this is D_INVALID_SIZE for
    // any non-empty in-band write.
    char copy[inband_bytes];
    if (count)
        __builtin_memcpy(copy, data, count);
    return write_records(*h, mode, recnum, count ? copy : nullptr, count, bytes_written);
}

kern_return_t BlockServer::get_status(
    mach_port_t port, dev_flavor_t flavor, dev_status_t status, mach_msg_type_number_t* count)
{
    Handle* h = open_handle(port);
    if (!h)
        return D_NO_SUCH_DEVICE;
    const Volume& v = *h->volume;
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
        status[DEV_GET_RECORDS_DEVICE_RECORDS]
            = v.sector_count > 0xffffffffu ? static_cast<int>(0xffffffffu) : static_cast<int>(v.sector_count);
        status[DEV_GET_RECORDS_RECORD_SIZE] = static_cast<int>(sector);
        *count = DEV_GET_RECORDS_COUNT;
        return KERN_SUCCESS;
    default:
        return D_INVALID_OPERATION;
    }
}

kern_return_t BlockServer::set_status(mach_port_t port, dev_flavor_t flavor, const int*, mach_msg_type_number_t)
{
    Handle* h = open_handle(port);
    if (!h)
        return D_NO_SUCH_DEVICE;
    switch (flavor) {
    case dev_flush_cache:
        return flush(*h->volume->disk);
    case blkrrpart:
        return KERN_SUCCESS;
    default:
        return D_INVALID_OPERATION;
    }
}

} // namespace rumpdisk
