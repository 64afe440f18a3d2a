// ATAPI signatures, command packets and the decoding of their answers.
#include "ata/atapi.h"
#include "base/status.h"

namespace ata {

DeviceClass classify_signature(uint8_t lba_mid, uint8_t lba_high)
{
    if ((lba_mid == 0x00 && lba_high == 0x00) || (lba_mid == 0x3c && lba_high == 0xc3))
        return DeviceClass::Ata;
    if (lba_mid == 0x14 && lba_high == 0xeb)
        return DeviceClass::Atapi;
    return DeviceClass::Unknown;
}

namespace atapi {

using base::status::invalid_argument;

static uint32_t big_endian32(const uint8_t* p)
{
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

Packet test_unit_ready()
{
    return Packet {};
}

Packet request_sense(uint8_t allocation)
{
    Packet p;
    p.bytes[0] = opcode::request_sense;
    p.bytes[4] = allocation;
    return p;
}

Packet read_capacity_10()
{
    Packet p;
    p.bytes[0] = opcode::read_capacity_10;
    return p;
}

Packet read_10(uint32_t lba, uint16_t blocks)
{
    Packet p;
    p.bytes[0] = opcode::read_10;
    p.bytes[2] = static_cast<uint8_t>(lba >> 24);
    p.bytes[3] = static_cast<uint8_t>(lba >> 16);
    p.bytes[4] = static_cast<uint8_t>(lba >> 8);
    p.bytes[5] = static_cast<uint8_t>(lba);
    p.bytes[7] = static_cast<uint8_t>(blocks >> 8);
    p.bytes[8] = static_cast<uint8_t>(blocks);
    return p;
}

base::Result<Capacity> decode_capacity(const uint8_t* data)
{
    uint32_t last = big_endian32(data);
    uint32_t size = big_endian32(data + 4);
    if (size < 512 || size > 65536 || (size & (size - 1)))
        return base::Error(invalid_argument, "the medium reports an impossible block size");
    Capacity c;
    c.blocks = uint64_t(last) + 1;
    c.block_size = size;
    return c;
}

uint8_t sense_key(const uint8_t* sense_data)
{
    return sense_data[2] & 0x0f;
}

} // namespace atapi

} // namespace ata
