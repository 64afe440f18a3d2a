// The sector stamps of the disk tests, the same as tests/disk/stamp.py writes on the host:
// bytes 0-7 the sector's LBA, 8-15 a check value of the LBA and the generation (0 for the
// image as made, 1 for what the guest writes), then a pattern of both.
#pragma once

#include <stdint.h>

namespace stamp {

constexpr uint64_t check_value(uint64_t lba, unsigned generation)
{
    uint64_t x = (lba + 1) * 0x9e3779b97f4a7c15ULL;
    x ^= x >> 29;
    return x ^ (uint64_t(generation) * 0xb00c4a1d5eed5eedULL);
}

inline void make(uint8_t* sector, uint64_t lba, unsigned generation)
{
    uint64_t c = check_value(lba, generation);
    for (int i = 0; i < 8; ++i) {
        sector[i] = uint8_t(lba >> (8 * i));
        sector[8 + i] = uint8_t(c >> (8 * i));
    }
    for (int i = 16; i < 512; ++i)
        sector[i] = uint8_t(lba * 7 + uint64_t(i) * 13 + generation * 101);
}

// Whether the 512 bytes hold the stamp of `lba` and `generation`.
inline bool matches(const uint8_t* sector, uint64_t lba, unsigned generation)
{
    uint8_t expected[512];
    make(expected, lba, generation);
    for (int i = 0; i < 512; ++i)
        if (sector[i] != expected[i])
            return false;
    return true;
}

// The LBA a sector claims to be (its first 8 bytes).
inline uint64_t claimed_lba(const uint8_t* sector)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= uint64_t(sector[i]) << (8 * i);
    return v;
}

} // namespace stamp
