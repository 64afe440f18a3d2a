// ATAPI: telling an ATAPI device from an ATA one by its reset signature, and the SCSI command
// packets (MMC) sent with PACKET to read CD/DVD media, with the decoding of their answers, which
// are big-endian.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

namespace ata {

enum class DeviceClass : uint8_t { Ata, Atapi, Unknown };

// The class a device announces after reset in the LBA mid (lcyl) and LBA high (hcyl) registers:
// 00/00 parallel ATA, 3C/C3 serial ATA, 14/EB ATAPI.
DeviceClass classify_signature(uint8_t lba_mid, uint8_t lba_high);

namespace atapi {

constexpr size_t packet_bytes = 12;
constexpr uint32_t cd_block_size = 2048;

namespace opcode {
constexpr uint8_t test_unit_ready = 0x00;
constexpr uint8_t request_sense = 0x03;
constexpr uint8_t read_capacity_10 = 0x25;
constexpr uint8_t read_10 = 0x28;
} // namespace opcode

struct Packet {
    uint8_t bytes[packet_bytes] = {};
};

Packet test_unit_ready();
// Fixed-format sense data, `allocation` bytes at most (18 is the usual size).
Packet request_sense(uint8_t allocation);
Packet read_capacity_10();
// READ(10): `blocks` logical blocks from `lba`.
Packet read_10(uint32_t lba, uint16_t blocks);

constexpr size_t capacity_bytes = 8;
struct Capacity {
    uint64_t blocks = 0; // last LBA + 1
    uint32_t block_size = 0;
};
// The 8 bytes READ CAPACITY(10) returns. KERN_INVALID_ARGUMENT when the block size is not a power
// of two between 512 and 64 KiB.
base::Result<Capacity> decode_capacity(const uint8_t* data);

namespace sense {
constexpr uint8_t no_sense = 0x0;
constexpr uint8_t not_ready = 0x2;
constexpr uint8_t medium_error = 0x3;
constexpr uint8_t illegal_request = 0x5;
constexpr uint8_t unit_attention = 0x6;
constexpr size_t fixed_bytes = 18;
} // namespace sense

// The sense key of fixed-format sense data (at least 3 bytes).
uint8_t sense_key(const uint8_t* sense_data);

} // namespace atapi

} // namespace ata
