// The file contents of the filesystem tests, the same as tests/fs/content.py makes on the host:
// a file of seed S is a run of 512-byte units; unit u holds its byte offset (u * 512) and a
// check value of the offset and the seed, then a pattern of both. Any piece of such a file
// says where it belongs and to which file.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace content {

constexpr size_t unit = 512;

constexpr uint64_t check_value(uint64_t offset, uint32_t seed)
{
    uint64_t x = (offset / unit + 1) * 0x9e3779b97f4a7c15ULL;
    x ^= x >> 29;
    return x ^ (uint64_t(seed) * 0xb00c4a1d5eed5eedULL);
}

// The 512 bytes of the unit that starts at byte `offset` (a multiple of 512).
inline void make_unit(uint8_t* out, uint64_t offset, uint32_t seed)
{
    uint64_t c = check_value(offset, seed);
    for (int i = 0; i < 8; ++i) {
        out[i] = uint8_t(offset >> (8 * i));
        out[8 + i] = uint8_t(c >> (8 * i));
    }
    uint8_t base = uint8_t((offset / unit) * 7 + uint64_t(seed) * 101);
    for (size_t i = 16; i < unit; ++i)
        out[i] = uint8_t(base + i * 13);
}

// Fills len bytes of what the file of `seed` holds at byte `position`.
inline void fill(uint8_t* out, uint64_t position, size_t len, uint32_t seed)
{
    uint8_t u[unit];
    while (len) {
        uint64_t start = position - position % unit;
        make_unit(u, start, seed);
        size_t from = position - start;
        size_t n = unit - from < len ? unit - from : len;
        for (size_t i = 0; i < n; ++i)
            out[i] = u[from + i];
        out += n;
        position += n;
        len -= n;
    }
}

// The index of the first byte of data (at file position `position`) that differs from the
// file of `seed`; len when all match.
inline size_t first_difference(const uint8_t* data, uint64_t position, size_t len, uint32_t seed)
{
    uint8_t u[unit];
    size_t done = 0;
    while (done < len) {
        uint64_t at = position + done;
        uint64_t start = at - at % unit;
        make_unit(u, start, seed);
        size_t from = at - start;
        size_t n = unit - from < len - done ? unit - from : len - done;
        for (size_t i = 0; i < n; ++i)
            if (data[done + i] != u[from + i])
                return done + i;
        done += n;
    }
    return len;
}

} // namespace content
