// rumpdisk's device server: the names it serves (wdN for whole disks, wdNsM for partitions,
// cdN for ATAPI media, read-only), and the device.defs calls on the ports it hands out.
// Records are sectors; a volume never reads or writes outside itself; repeated opens of one
// name with one mode share one port with a count of opens; the last close flushes the disk.
#pragma once

#include <stdint.h>

#include "base/string_view.h"
#include "chain/device_ports.h"
#include "chain/link.h"
#include "disk.h"
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
    static constexpr size_t max_open_ports = 64;

    // Adds a volume; false when the table is full.
    bool add_volume(const Volume&);
    size_t volume_count() const { return m_volume_count; }
    const Volume& volume(size_t i) const { return m_volumes[i]; }

    // chain::DeviceProvider
    bool owns(base::StringView name) const override;
    base::Result<mach::SendRight> open(base::StringView name, dev_mode_t mode) override;

    // chain::DevicePorts
    bool owns(mach_port_t port) const override;
    kern_return_t close(mach_port_t port) override;
    kern_return_t read(mach_port_t, dev_mode_t, recnum_t, int bytes_wanted, io_buf_ptr_t* data,
                       mach_msg_type_number_t* count) override;
    kern_return_t read_inband(mach_port_t, dev_mode_t, recnum_t, int bytes_wanted, char* data,
                              mach_msg_type_number_t* count) override;
    kern_return_t write(mach_port_t, dev_mode_t, recnum_t, io_buf_ptr_t data, mach_msg_type_number_t count,
                        int* bytes_written) override;
    kern_return_t write_inband(mach_port_t, dev_mode_t, recnum_t, const char* data, mach_msg_type_number_t count,
                               int* bytes_written) override;
    kern_return_t get_status(mach_port_t, dev_flavor_t, dev_status_t, mach_msg_type_number_t* count) override;
    kern_return_t set_status(mach_port_t, dev_flavor_t, const int* status, mach_msg_type_number_t count) override;

private:
    struct OpenPort {
        mach::ReceiveRight port;
        Volume* volume = nullptr;
        bool writable = false;
        unsigned opens = 0;
    };
    Volume* find_volume(base::StringView name);
    OpenPort* find_port(mach_port_t port);
    const OpenPort* find_port(mach_port_t port) const;
    // Checks a request against the volume and turns it into disk sectors.
    kern_return_t check_range(const Volume&, recnum_t recnum, uint64_t bytes, uint64_t& first_disk_sector) const;
    kern_return_t transfer(const Volume&, uint64_t first_disk_sector, uint64_t sectors, void* buffer, bool write);

    Volume m_volumes[max_volumes];
    size_t m_volume_count = 0;
    OpenPort m_ports[max_open_ports];
};

} // namespace rumpdisk
