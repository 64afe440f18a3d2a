// A disk as the controller drivers present it to rumpdisk's device server: identity, size,
// and whole-sector transfers to and from any memory of this task. A driver splits nothing:
// the server never asks for more than max_transfer_sectors() at once, and bounds every
// request to the disk's size. Errors are values with a D_* code (D_IO_ERROR for a failed
// transfer or a controller that does not answer in time); no call waits without a bound.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "base/string_view.h"
#include "runtime/hardware.h"

namespace rumpdisk {

enum class DiskKind { Ata, Atapi };

struct DiskIdentity {
    DiskKind kind = DiskKind::Ata;
    base::BoundedString<41> model; // IDENTIFY words 27-46, trimmed
    uint64_t sectors = 0; // addressable sectors (LBA48 count when supported)
    uint32_t sector_size = 512;
    bool read_only = false; // ATAPI media are served read-only
    // Where the disk sits, for the console line: "ahci 00:1f.2 port 0", "ide 00:01.1 primary master".
    base::BoundedString<48> location;
};

// Part of a reply's wired memory that a read fills: `data`, which lies `skip` bytes into memory
// whose physical runs, in order from its first byte, are `runs`.
struct DmaView {
    void* data = nullptr;
    const runtime::PhysicalRun* runs = nullptr;
    size_t run_count = 0;
    size_t skip = 0;
};

class Disk {
public:
    virtual const DiskIdentity& identity() const = 0;
    virtual uint32_t max_transfer_sectors() const = 0;
    virtual base::Result<void> read(uint64_t lba, uint32_t count, void* buffer) = 0;
    virtual base::Result<void> write(uint64_t lba, uint32_t count, const void* buffer) = 0;
    // Whether read_into() moves the data straight into the reply's memory, and below which
    // physical address that memory must lie; 0 when it does not (the server then gives read()
    // ordinary memory).
    virtual uint64_t dma_reply_limit() const { return 0; }
    // Reads into wired memory whose physical pages are known. The default reads through read().
    virtual base::Result<void> read_into(uint64_t lba, uint32_t count, const DmaView& view)
    {
        return read(lba, count, view.data);
    }
    // FLUSH CACHE (EXT): what the server sends on a flush request and on the last close.
    virtual base::Result<void> flush() = 0;

protected:
    ~Disk() = default;
};

// The disks the drivers found, in controller and port order (wd0, wd1, ... are named from it).
class DiskList {
public:
    static constexpr size_t capacity = 16;
    bool add(Disk& d)
    {
        if (m_count == capacity)
            return false;
        m_disks[m_count++] = &d;
        return true;
    }
    size_t size() const { return m_count; }
    Disk& operator[](size_t i) const { return *m_disks[i]; }

private:
    Disk* m_disks[capacity] = {};
    size_t m_count = 0;
};

} // namespace rumpdisk
