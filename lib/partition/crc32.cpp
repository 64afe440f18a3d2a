// CRC-32 by a table computed at compile time.
#include "partition/crc32.h"

namespace partition {

namespace {

struct Crc32Table {
    uint32_t v[256];
};

constexpr Crc32Table make_crc32_table()
{
    Crc32Table t {};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        t.v[i] = c;
    }
    return t;
}

constexpr Crc32Table crc32_table = make_crc32_table();

} // namespace

uint32_t crc32_update(uint32_t crc, const uint8_t* data, size_t size)
{
    for (size_t i = 0; i < size; ++i)
        crc = crc32_table.v[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

} // namespace partition
