// CRC-32 (IEEE 802.3, reflected, polynomial 0xedb88320) as GPT uses it for its header and its
// entry array. Internal to the library.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace partition {

// The running value is kept inverted; start from 0xffffffff and invert at the end.
uint32_t crc32_update(uint32_t crc, const uint8_t* data, size_t size);

} // namespace partition
