// The root device as the ext2 library reads and writes it: Mach's device interface on a port
// from device_open on the link's device master (rumpdisk's port in the chain). Reads and
// writes travel out of line; a page-aligned read of 64 KiB or more of whole pages is moved with
// vm_copy instead of copied byte by byte. flush() is DEV_FLUSH_CACHE (device_set_status flavor 2).
//
// The disk server may be restarted under us (chain/next_link.h): its handles die with it, and
// the request it was serving fails with MIG_SERVER_DIED (its reply right died), later ones on
// the dead handle with MACH_SEND_INVALID_DEST. Block reads and writes are idempotent, so such a
// request is re-issued on a handle opened again on the device master (whose port outlives the
// server: requests wait in its queue until the new instance serves), at most max_retries times,
// with one console line each ("ext2fs: wd0s1: disk server restarted, request retried"). An
// error the disk itself reports (D_IO_ERROR) is not retried: it is the caller's.
#pragma once

#include "base/own.h"
#include "base/result.h"
#include "base/string_view.h"
#include "ext2/filesystem.h"
#include "runtime/mach.h"
#include "runtime/rights.h"

namespace ext2fs {

enum class DeviceAccess { ReadWrite, ReadOnly };

class MachBlockDevice final : public ext2::BlockDevice {
public:
    MachBlockDevice() = default; // open() makes one that works
    // Opens name on the device master; a device that refuses writing (D_READ_ONLY) is opened
    // for reading only, and access() says so.
    static base::Result<base::Own<MachBlockDevice>> open(
        mach_port_t device_master, base::StringView name, DeviceAccess);
    ~MachBlockDevice();

    DeviceAccess access() const { return m_access; }
    // Opens the device again for access and closes the old handle once the new one is open (a
    // remount between read-only and read-write, fsys.cpp). D_READ_ONLY when the device cannot
    // be written; on an error the old handle stays.
    base::Result<void> change_access(DeviceAccess);
    uint32_t sector_size() const override { return m_sector_size; }
    uint64_t sector_count() const override { return m_sector_count; }
    base::Result<void> read(uint64_t sector, uint32_t count, void* buffer) override;
    base::Result<void> write(uint64_t sector, uint32_t count, const void* buffer) override;
    base::Result<void> flush() override;

    // Bytes moved since the mount, for statistics.
    uint64_t bytes_read() const { return m_bytes_read; }
    uint64_t bytes_written() const { return m_bytes_written; }

private:
    static constexpr unsigned max_retries = 3;
    // The request, re-issued after reopen() while it fails because the server went away.
    template<typename Request> kern_return_t with_retry(Request&&);
    base::Result<void> reopen();
    base::Result<void> learn_size();

    // One request is at most this much: rumpdisk's limit is larger; this keeps our mappings small.
    static constexpr uint32_t max_request_bytes = 1024 * 1024;

    runtime::SendRight m_port;
    mach_port_t m_master = MACH_PORT_NULL; // borrowed: the task's device master
    base::BoundedString<128> m_name;
    DeviceAccess m_access = DeviceAccess::ReadWrite;
    uint32_t m_sector_size = 512;
    uint64_t m_sector_count = 0;
    uint64_t m_bytes_read = 0;
    uint64_t m_bytes_written = 0;
};

} // namespace ext2fs
