// ext2's BlockDevice on Mach's device interface.
#include "block_device.h"

#include <new>

#include "runtime/console.h"

namespace ext2fs {

namespace {
constexpr uint64_t page_size = 4096;
constexpr int dev_flush_cache = 2; // device_set_status flavor: write the disk's cache out

bool page_aligned(uint64_t v)
{
    return (v & (page_size - 1)) == 0;
}

// Below this, a reply is copied by the processor: a vm_copy of a few pages costs more than
// their copy, and it splits the destination's region in the kernel's map (the file data
// cache's chunks would end up in thousands of pieces).
constexpr uint64_t vm_copy_threshold = 64 * 1024;

// Whether a request failed because the disk server went away (not because the disk failed).
bool server_went_away(kern_return_t r)
{
    return r == MIG_SERVER_DIED || r == MACH_SEND_INVALID_DEST || r == MACH_RCV_PORT_DIED;
}

kern_return_t open_handle(mach_port_t master, const char* name, DeviceAccess access, mach_port_t* port)
{
    char device_name[128] = {};
    for (size_t i = 0; name[i] && i + 1 < sizeof device_name; ++i)
        device_name[i] = name[i];
    return device_open(master, access == DeviceAccess::ReadWrite ? D_READ | D_WRITE : D_READ, device_name, port);
}
} // namespace

base::Result<base::Own<MachBlockDevice>> MachBlockDevice::open(
    mach_port_t master, base::StringView name, DeviceAccess access)
{
    char device_name[128] = {};
    if (name.size() >= sizeof device_name)
        return base::Error(D_NO_SUCH_DEVICE, "the device name is too long");
    __builtin_memcpy(device_name, name.data(), name.size());

    mach_port_t port = MACH_PORT_NULL;
    kern_return_t r = D_READ_ONLY;
    if (access == DeviceAccess::ReadWrite)
        r = open_handle(master, device_name, access, &port);
    if (r == D_READ_ONLY) {
        access = DeviceAccess::ReadOnly;
        r = open_handle(master, device_name, access, &port);
    }
    if (r != KERN_SUCCESS)
        return base::Error(r, "opening the device");

    auto made = base::create<MachBlockDevice>();
    if (made.is_error()) {
        device_close(port);
        mach_port_deallocate(mach_task_self(), port);
        return made.error();
    }
    base::Own<MachBlockDevice> d = made.release_value();
    d->m_port = runtime::SendRight::adopt(port);
    d->m_access = access;
    d->m_master = master;
    d->m_name.assign(name);
    TRY(d->learn_size());
    return d;
}

base::Result<void> MachBlockDevice::learn_size()
{
    int status[DEV_GET_RECORDS_COUNT] = {};
    mach_msg_type_number_t count = DEV_GET_RECORDS_COUNT;
    kern_return_t r = device_get_status(m_port.name(), DEV_GET_RECORDS, status, &count);
    if (r != KERN_SUCCESS || count < DEV_GET_RECORDS_COUNT)
        return base::Error(r ? r : D_INVALID_SIZE, "asking the device its size (DEV_GET_RECORDS)");
    uint32_t record = static_cast<uint32_t>(status[DEV_GET_RECORDS_RECORD_SIZE]);
    if (record < 512 || record > 4096 || (record & (record - 1)))
        return base::Error(D_INVALID_SIZE, "the device's record size is not a power of two from 512 to 4096");
    m_sector_size = record;
    m_sector_count = static_cast<uint32_t>(status[DEV_GET_RECORDS_DEVICE_RECORDS]);
    return {};
}

base::Result<void> MachBlockDevice::reopen()
{
    uint32_t sector_size = m_sector_size;
    uint64_t sector_count = m_sector_count;
    mach_port_t port = MACH_PORT_NULL;
    kern_return_t r = open_handle(m_master, m_name.c_str(), m_access, &port);
    if (r != KERN_SUCCESS)
        return base::Error(r, "opening the device again after its server went away");
    m_port = runtime::SendRight::adopt(port);
    TRY(learn_size());
    if (m_sector_size != sector_size || m_sector_count != sector_count)
        return base::Error(D_NO_SUCH_DEVICE, "the device is not the same after its server was restarted");
    return {};
}

base::Result<void> MachBlockDevice::change_access(DeviceAccess access)
{
    if (access == m_access)
        return {};
    mach_port_t port = MACH_PORT_NULL;
    kern_return_t r = open_handle(m_master, m_name.c_str(), access, &port);
    if (r != KERN_SUCCESS)
        return base::Error(
            r, access == DeviceAccess::ReadWrite ? "opening the device for writing" : "opening the device");
    device_close(m_port.name());
    m_port = runtime::SendRight::adopt(port);
    m_access = access;
    return {};
}

template<typename Request> kern_return_t MachBlockDevice::with_retry(Request&& request)
{
    kern_return_t r = request();
    for (unsigned attempt = 0; attempt < max_retries && server_went_away(r); ++attempt) {
        auto reopened = reopen();
        if (reopened.is_error()) {
            runtime::report(
                "{}: disk server went away and the device cannot be opened again: {}", m_name.view(), reopened.error());
            return r;
        }
        runtime::report("{}: disk server restarted, request retried", m_name.view());
        r = request();
    }
    return r;
}

MachBlockDevice::~MachBlockDevice()
{
    if (m_port.valid())
        device_close(m_port.name());
}

base::Result<void> MachBlockDevice::read(uint64_t sector, uint32_t count, void* buffer)
{
    if (sector > m_sector_count || count > m_sector_count - sector)
        return base::Error(D_INVALID_RECNUM, "a read beyond the end of the device");
    auto* out = static_cast<char*>(buffer);
    uint32_t per_request = max_request_bytes / m_sector_size;
    while (count) {
        uint32_t n = count < per_request ? count : per_request;
        uint64_t bytes = uint64_t(n) * m_sector_size;
        io_buf_ptr_t data = nullptr;
        mach_msg_type_number_t got = 0;
        kern_return_t r = with_retry([&] {
            return device_read(m_port.name(), 0, static_cast<recnum_t>(sector), static_cast<int>(bytes), &data, &got);
        });
        if (r != KERN_SUCCESS)
            return base::Error(r, "reading the device");
        // The reply is page-rounded memory of ours.
        vm_size_t mapped = (uint64_t(got) + page_size - 1) & ~(page_size - 1);
        if (got != bytes) {
            vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(data), mapped);
            return base::Error(D_IO_ERROR, "the device read fewer bytes than asked");
        }
        auto destination = reinterpret_cast<uint64_t>(out);
        if (bytes >= vm_copy_threshold && page_aligned(destination) && page_aligned(bytes)
            && vm_copy(mach_task_self(), reinterpret_cast<vm_address_t>(data), bytes, destination) == KERN_SUCCESS) {
            // Whole pages: moved by the VM system (copy-on-write), not by the processor.
        } else {
            __builtin_memcpy(out, data, bytes);
        }
        vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(data), mapped);
        m_bytes_read += bytes;
        out += bytes;
        sector += n;
        count -= n;
    }
    return {};
}

base::Result<void> MachBlockDevice::write(uint64_t sector, uint32_t count, const void* buffer)
{
    if (m_access == DeviceAccess::ReadOnly)
        return base::Error(D_READ_ONLY, "writing a device opened read-only");
    if (sector > m_sector_count || count > m_sector_count - sector)
        return base::Error(D_INVALID_RECNUM, "a write beyond the end of the device");
    const auto* in = static_cast<const char*>(buffer);
    uint32_t per_request = max_request_bytes / m_sector_size;
    while (count) {
        uint32_t n = count < per_request ? count : per_request;
        uint64_t bytes = uint64_t(n) * m_sector_size;
        int written = 0;
        // Out of line: the kernel copies (or maps copy-on-write) our memory into the message.
        kern_return_t r = with_retry([&] {
            return device_write(m_port.name(), 0, static_cast<recnum_t>(sector),
                reinterpret_cast<io_buf_ptr_t>(const_cast<char*>(in)), static_cast<mach_msg_type_number_t>(bytes),
                &written);
        });
        if (r != KERN_SUCCESS)
            return base::Error(r, "writing the device");
        if (static_cast<uint64_t>(written) != bytes)
            return base::Error(D_IO_ERROR, "the device wrote fewer bytes than asked");
        m_bytes_written += bytes;
        in += bytes;
        sector += n;
        count -= n;
    }
    return {};
}

base::Result<void> MachBlockDevice::flush()
{
    if (m_access == DeviceAccess::ReadOnly)
        return {};
    int none[1] = {};
    kern_return_t r = with_retry([&] { return device_set_status(m_port.name(), dev_flush_cache, none, 0); });
    if (r != KERN_SUCCESS)
        return base::Error(r, "flushing the device's cache");
    return {};
}

} // namespace ext2fs
