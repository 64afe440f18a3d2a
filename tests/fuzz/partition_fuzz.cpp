// libFuzzer target for the partition-table reader: the input is the start of a disk image. The
// reader must neither crash nor read past the disk's end nor hand out a partition outside it,
// with 512-byte sectors, with 4096-byte ones when the input is big enough, and on a disk far
// larger than the input (its size taken from the input's last bytes; the rest reads as zeros),
// and once more with the GPT checksums made right, to reach what lies behind them.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "partition/partition.h"

namespace {

class InputDisk final : public partition::SectorReader {
public:
    InputDisk(const uint8_t* data, size_t size, uint32_t sector_size, uint64_t sectors)
        : m_data(data)
        , m_size(size)
        , m_sector_size(sector_size)
        , m_sectors(sectors)
    {
    }

    base::Result<void> read(uint64_t lba, void* buffer) override
    {
        if (lba >= m_sectors)
            __builtin_trap(); // read_table promises never to ask for this
        memset(buffer, 0, m_sector_size);
        uint64_t stored = m_size / m_sector_size + (m_size % m_sector_size != 0);
        if (lba < stored) {
            size_t at = size_t(lba) * m_sector_size;
            size_t n = m_size - at < m_sector_size ? m_size - at : m_sector_size;
            memcpy(buffer, m_data + at, n);
        }
        // One LBA in 256 fails, as a bad sector would, to exercise the error paths.
        if (m_fail_reads && (lba * 0x9e3779b97f4a7c15ull) >> 56 == 0x5a)
            return base::Error(base::status::device_io_error, "bad sector");
        return {};
    }

    void fail_some_reads() { m_fail_reads = true; }

private:
    const uint8_t* m_data;
    size_t m_size;
    uint32_t m_sector_size;
    uint64_t m_sectors;
    bool m_fail_reads = false;
};

void check(const partition::Table& t, uint64_t sectors)
{
    if (t.count > partition::max_partitions || t.warning_count > partition::max_warnings)
        __builtin_trap();
    if (t.scheme == partition::Scheme::None && (t.count != 0 || t.warning_count != 0))
        __builtin_trap();
    if (!partition::scheme_name(t.scheme))
        __builtin_trap();
    unsigned previous = 0;
    for (size_t i = 0; i < t.count; ++i) {
        const partition::Partition& p = t.partitions[i];
        if (p.sector_count == 0 || p.first_sector == 0 || p.first_sector >= sectors
            || p.sector_count > sectors - p.first_sector)
            __builtin_trap();
        if (p.number <= previous)
            __builtin_trap();
        previous = p.number;
        if (t.scheme == partition::Scheme::Mbr && (p.mbr_type == 0 || !p.type.is_zero()))
            __builtin_trap();
        if (t.scheme == partition::Scheme::Gpt && (p.mbr_type != 0 || p.type.is_zero()))
            __builtin_trap();
        if (t.find(p.number) != &p)
            __builtin_trap();
        base::BufferSink<64> sink;
        base::format(sink, "{}", p.type);
        if (sink.view().size() != 36)
            __builtin_trap();
    }
    for (size_t i = 0; i < t.warning_count; ++i) {
        if (!t.warnings[i].what)
            __builtin_trap();
        base::BufferSink<256> sink;
        base::format(sink, "{}", t.warnings[i]);
    }
}

void run(InputDisk& disk, uint32_t sector_size, uint64_t sectors)
{
    auto r = partition::read_table(disk, sector_size, sectors);
    if (r.is_error()) {
        if (!r.error().context())
            __builtin_trap();
        base::BufferSink<256> sink;
        base::format(sink, "{}", r.error());
        return;
    }
    check(r.value(), sectors);
}

uint32_t crc32(const uint8_t* p, size_t n)
{
    uint32_t c = 0xffffffff;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k)
            c = (c >> 1) ^ (0xedb88320 & (0 - (c & 1)));
    }
    return ~c;
}

uint64_t le(const uint8_t* p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

void put_le32(uint8_t* p, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = uint8_t(v >> (8 * i));
}

// Makes the CRCs of a GPT header at lba (and of the entry array it names) right, so that the
// fuzzer gets past them to the checks that follow.
void fix_gpt_checksums(std::vector<uint8_t>& image, uint64_t lba, size_t sector_size)
{
    uint64_t sectors = image.size() / sector_size;
    if (lba >= sectors)
        return;
    uint8_t* h = image.data() + lba * sector_size;
    uint64_t header_size = le(h + 12, 4);
    if (header_size < 92 || header_size > sector_size)
        return;
    uint64_t entries = le(h + 72, 8);
    uint64_t bytes = le(h + 80, 4) * le(h + 84, 4);
    if (entries < sectors && bytes <= (sectors - entries) * sector_size)
        put_le32(h + 88, crc32(image.data() + entries * sector_size, size_t(bytes)));
    put_le32(h + 16, 0);
    put_le32(h + 16, crc32(h, size_t(header_size)));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    for (uint32_t sector_size : { 512u, 4096u }) {
        if (sector_size == 4096 && size < 2 * 4096)
            continue;
        uint64_t sectors = (size + sector_size - 1) / sector_size;
        InputDisk disk(data, size, sector_size, sectors);
        run(disk, sector_size, sectors);
    }
    if (size >= 512 + 9) {
        // A disk of any size up to 2^64 - 1 sectors, so that no sum of LBAs may overflow; the
        // byte before the size decides whether some reads fail.
        uint64_t sectors = 0;
        for (int i = 0; i < 8; ++i)
            sectors |= uint64_t(data[size - 8 + i]) << (8 * i);
        InputDisk disk(data, size - 9, 512, sectors);
        if (data[size - 9] & 1)
            disk.fail_some_reads();
        run(disk, 512, sectors);
    }
    if (size >= 3 * 512) {
        std::vector<uint8_t> image(data, data + size / 512 * 512);
        uint64_t sectors = image.size() / 512;
        fix_gpt_checksums(image, 1, 512);
        fix_gpt_checksums(image, sectors - 1, 512);
        InputDisk disk(image.data(), image.size(), 512, sectors);
        run(disk, 512, sectors);
    }
    return 0;
}
