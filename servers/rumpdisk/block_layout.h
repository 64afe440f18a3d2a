// The device.defs conventions rumpdisk serves beyond what GNU Mach's device_types.h defines.
#pragma once

namespace rumpdisk {

// device_set_status flavors the Hurd's disk servers answer: DEV_FLUSH_CACHE asks for the
// disk's write cache to be flushed (hurd 6cf607fe); BLKRRPART (Linux's ioctl number, as the
// Hurd uses it) asks to re-read the partition table, a no-op here as in the Hurd's rumpdisk.
constexpr int dev_flush_cache = 2;
constexpr int blkrrpart = 0x125f;

// A mode bit of device_write of this project: flush the disk's write cache before replying,
// so that the reply means the data is on the medium.
constexpr unsigned write_flush = 0x100;

// The largest transfer one request may ask for; larger ones get D_INVALID_SIZE.
constexpr unsigned long max_request_bytes = 16ul << 20;

} // namespace rumpdisk
