// The disk as the table readers see it: bounded reads of one sector at a time, and the byte and
// sector-range arithmetic the MBR and GPT readers share. Internal to the library.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "partition/partition.h"

namespace partition {

template<typename T> inline T load(const uint8_t* p)
{
    T value;
    __builtin_memcpy(&value, p, sizeof value);
    return value;
}

inline bool bytes_equal(const uint8_t* a, const uint8_t* b, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i])
            return false;
    return true;
}

// [first, first + count) lies inside [0, limit), without overflow.
inline bool fits(uint64_t first, uint64_t count, uint64_t limit)
{
    return first <= limit && count <= limit - first;
}

// Closed ranges [a_first, a_last] and [b_first, b_last] share a sector.
inline bool intersect(uint64_t a_first, uint64_t a_last, uint64_t b_first, uint64_t b_last)
{
    return a_first <= b_last && b_first <= a_last;
}

// The disk as the parser sees it: bounded reads into one sector buffer.
class Disk {
public:
    Disk(SectorReader& reader, uint32_t sector_size, uint64_t sectors)
        : m_reader(reader)
        , m_sector_size(sector_size)
        , m_sectors(sectors)
    {
    }

    base::Result<void> read(uint64_t lba)
    {
        // Every caller checks first, with a note of its own; this is the last line of defence.
        if (lba >= m_sectors)
            return error(Errc::Corrupt, "a partition table points past the end of the disk");
        return m_reader.read(lba, m_buffer);
    }

    const uint8_t* data() const { return m_buffer; }
    uint32_t sector_size() const { return m_sector_size; }
    uint64_t sectors() const { return m_sectors; }

private:
    SectorReader& m_reader;
    uint32_t m_sector_size;
    uint64_t m_sectors;
    alignas(16) uint8_t m_buffer[max_sector_size];
};

} // namespace partition
