// Decoding of IDENTIFY (PACKET) DEVICE data: model, size, sector size, addressing.
#pragma once

#include <stdint.h>

#include "base/result.h"
#include "base/string_view.h"

namespace ata {

struct Identity {
    base::BoundedString<41> model;
    uint64_t sectors = 0;
    uint32_t sector_size = 512;
    bool lba48 = false;
    bool lba = false;
};

// words: the 256 little-endian words the device returned. An error (KERN_INVALID_ARGUMENT with
// a note) when the data cannot describe a usable disk: no LBA, zero sectors, a sector size
// that is not a power of two between 512 and 64 KiB.
base::Result<Identity> decode_identify(const uint16_t* words);

// The model string alone (also for ATAPI devices, whose size comes from elsewhere).
base::BoundedString<41> decode_model(const uint16_t* words);

} // namespace ata
