// rumpdisk's device server: the names it serves (wdN for whole disks, wdNsM for partitions,
// cdN for ATAPI media, read-only), and the device.defs calls on the handles it hands out.
// Records are sectors; a volume never reads or writes outside itself.
//
// Handles. Each device_open answers a handle of its own: a port whose receive right is here,
// made once, its send right moved to the client (a reply that is never delivered destroys
// it). Closing one handle never affects another:
//   - device_close closes only that handle; every later request on it, a second close
//     included, gets D_NO_SUCH_DEVICE. The port stays until its client lets go of it.
//   - When the client's send right goes (deallocated, or the client died, or the reply that
//     carried it was dropped) the kernel's no-senders notification frees the handle, closing
//     it first if the client had not.
//   - When the last open handle on a disk closes, the disk's cache is flushed if anything was
//     written to it since its last flush.
// Writers. A handle opened with D_WRITE is refused (D_ALREADY_OPEN) while another open handle
// with D_WRITE is on an overlapping volume: the same volume, the whole disk and any of its
// partitions, or two partitions whose sector ranges meet. Read-only opens are never refused
// for a writer.
// The table rule. Clients are anonymous in Mach, so the bound is per volume: at most
// max_handles handles at once, and at most max_handles_per_volume of them on one volume
// (counting closed handles whose client still holds the port). An open over either bound gets
// D_NO_MEMORY; opens of other volumes go on succeeding while one volume is at its cap, and a
// client that lets go of its handles gets its share back.
#pragma once

#include <stdint.h>

#include "base/string_view.h"
#include "chain/device_ports.h"
#include "chain/link.h"
#include "disk.h"
#include "runtime/port_objects.h"
#include "runtime/rights.h"

namespace rumpdisk {

struct Volume {
    base::BoundedString<16> name;
    Disk* disk = nullptr;
    uint64_t first_sector = 0;
    uint64_t sector_count = 0;
    bool read_only = false;
};

class BlockServer final : public chain::DeviceProvider, public chain::DevicePorts {
public:
    static constexpr size_t max_volumes = 128;
    static constexpr size_t max_handles = 64;
    static constexpr size_t max_handles_per_volume = 16;

    // Where read replies come from (a test option chooses; the default is the fastest): memory a
    // disk that can DMA into it fills directly, from contiguous pages or else scattered ones; or
    // ordinary memory that the disk's read() copies into.
    enum class ReplyMemory : uint8_t { Dma, DmaScattered, Copied };
    void set_reply_memory(ReplyMemory m) { m_reply_memory = m; }

    // Adds a volume; false when the table is full.
    bool add_volume(const Volume&);
    size_t volume_count() const { return m_volume_count; }
    const Volume& volume(size_t i) const { return m_volumes[i]; }

    // chain::DeviceProvider
    bool owns(base::StringView name) const override;
    base::Result<runtime::SendRight> open(base::StringView name, dev_mode_t mode) override;

    // chain::DevicePorts
    bool owns(mach_port_t port) const override;
    kern_return_t close(mach_port_t port) override;
    kern_return_t read(mach_port_t, dev_mode_t, recnum_t, int bytes_wanted, io_buf_ptr_t* data,
        mach_msg_type_number_t* count) override;
    kern_return_t read_inband(
        mach_port_t, dev_mode_t, recnum_t, int bytes_wanted, char* data, mach_msg_type_number_t* count) override;
    kern_return_t write(mach_port_t, dev_mode_t, recnum_t, io_buf_ptr_t data, mach_msg_type_number_t count,
        int* bytes_written) override;
    kern_return_t write_inband(
        mach_port_t, dev_mode_t, recnum_t, const char* data, mach_msg_type_number_t count, int* bytes_written) override;
    kern_return_t get_status(mach_port_t, dev_flavor_t, dev_status_t, mach_msg_type_number_t* count) override;
    kern_return_t set_status(mach_port_t, dev_flavor_t, const int* status, mach_msg_type_number_t count) override;

private:
    struct Handle final : runtime::PortObject {
        BlockServer* server = nullptr;
        runtime::ServedPort port; // valid while the slot is in use
        Volume* volume = nullptr;
        bool writable = false;
        bool open = false; // false once closed: the port waits for its client to let go

        // The client let go of the port: the handle is freed (closed first if it was open).
        void no_senders(mach_port_mscount_t) override { server->free_handle(*this); }
    };
    static constexpr runtime::PortKind<Handle> handle_port { "a device handle of rumpdisk" };
    void free_handle(Handle&);
    Volume* find_volume(base::StringView name);
    Handle* find_handle(mach_port_t port);
    const Handle* find_handle(mach_port_t port) const;
    // The handle of a request, or null when the port is not an open handle.
    Handle* open_handle(mach_port_t port);
    // Closes a handle (not its port); flushes the disk if it was the disk's last open handle.
    kern_return_t end_use(Handle&);
    kern_return_t flush(Disk&);
    void mark_dirty(Disk&);
    bool is_dirty(const Disk&) const;
    // Checks a request against the volume and turns it into disk sectors.
    kern_return_t check_range(const Volume&, recnum_t recnum, uint64_t bytes, uint64_t& first_disk_sector) const;
    kern_return_t transfer(const Volume&, uint64_t first_disk_sector, uint64_t sectors, void* buffer, bool write);
    // Reads into a reply's wired memory, through Disk::read_into.
    kern_return_t transfer_into(const Volume&, uint64_t first_disk_sector, uint64_t sectors, const runtime::DmaReply&);
    // The reply of a device_read of `bytes` from `first`: DMA memory where the disk can fill it,
    // else ordinary memory; page-rounded, the bytes past the data zeroed.
    kern_return_t read_reply(const Volume&, uint64_t first, uint64_t bytes, void** reply);
    kern_return_t write_records(Handle&, dev_mode_t, recnum_t, void* data, uint64_t count, int* bytes_written);

    ReplyMemory m_reply_memory = ReplyMemory::Dma;
    Volume m_volumes[max_volumes];
    size_t m_volume_count = 0;
    Handle m_handles[max_handles];
    // Disks written to since their last flush (at most one per volume).
    Disk* m_dirty[max_volumes] = {};
};

} // namespace rumpdisk
