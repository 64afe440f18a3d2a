// Partition tables built byte by byte in memory: the MBR, EBR chains and GPT edge cases that the
// real tools never write (loops, bad CRCs, partitions past the end, overlaps).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "partition/partition.h"

namespace {

using partition::Scheme;

// A disk of any size whose unwritten sectors read as zeros. It counts reads and fails the test on
// a read past the end, which read_table must never ask for.
class MemoryDisk final : public partition::SectorReader {
public:
    MemoryDisk(uint32_t sector_size, uint64_t sectors)
        : m_sector_size(sector_size)
        , m_sectors(sectors)
    {
    }

    base::Result<void> read(uint64_t lba, void* buffer) override
    {
        ++reads;
        if (lba >= m_sectors) {
            ADD_FAILURE() << "read of LBA " << lba << " past the end of a disk of " << m_sectors << " sectors";
            return base::Error(base::status::device_io_error, "read past the end");
        }
        if (fail_lba == lba)
            return base::Error(base::status::device_io_error, "simulated read error");
        auto it = m_data.find(lba);
        if (it == m_data.end())
            std::memset(buffer, 0, m_sector_size);
        else
            std::memcpy(buffer, it->second.data(), m_sector_size);
        return {};
    }

    uint8_t* sector(uint64_t lba)
    {
        auto& s = m_data[lba];
        if (s.empty())
            s.assign(m_sector_size, 0);
        return s.data();
    }

    // The disk as one byte space.
    void write(uint64_t byte, const void* data, size_t n)
    {
        auto* p = static_cast<const uint8_t*>(data);
        for (size_t i = 0; i < n; ++i, ++byte)
            sector(byte / m_sector_size)[byte % m_sector_size] = p[i];
    }
    void read_bytes(uint64_t byte, void* data, size_t n)
    {
        auto* p = static_cast<uint8_t*>(data);
        for (size_t i = 0; i < n; ++i, ++byte)
            p[i] = sector(byte / m_sector_size)[byte % m_sector_size];
    }
    void put(uint64_t lba, size_t offset, uint64_t value, unsigned bytes)
    {
        for (unsigned i = 0; i < bytes; ++i)
            sector(lba)[offset + i] = uint8_t(value >> (8 * i));
    }
    uint64_t get(uint64_t lba, size_t offset, unsigned bytes)
    {
        uint64_t v = 0;
        for (unsigned i = bytes; i-- > 0;)
            v = v << 8 | sector(lba)[offset + i];
        return v;
    }

    void sign(uint64_t lba)
    {
        sector(lba)[510] = 0x55;
        sector(lba)[511] = 0xaa;
    }
    void mbr_entry(uint64_t lba, unsigned slot, uint8_t type, uint32_t first, uint32_t count, uint8_t boot = 0)
    {
        size_t at = 446 + 16 * slot;
        sector(lba)[at] = boot;
        sector(lba)[at + 4] = type;
        put(lba, at + 8, first, 4);
        put(lba, at + 12, count, 4);
        sign(lba);
    }

    base::Result<partition::Table> table() { return partition::read_table(*this, m_sector_size, m_sectors); }

    uint32_t sector_size() const { return m_sector_size; }
    uint64_t sectors() const { return m_sectors; }

    unsigned reads = 0;
    uint64_t fail_lba = ~0ull;

private:
    uint32_t m_sector_size;
    uint64_t m_sectors;
    std::map<uint64_t, std::vector<uint8_t>> m_data;
};

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

// "0FC63DAF-8483-4772-8E79-3D69D8477DE4" to its on-disk bytes.
partition::Guid guid(const char* text)
{
    uint8_t b[16];
    int n = 0;
    for (const char* p = text; *p && n < 32; ++p) {
        if (*p == '-')
            continue;
        int v = std::isdigit(*p) ? *p - '0' : std::toupper(*p) - 'A' + 10;
        if (n % 2 == 0)
            b[n / 2] = uint8_t(v << 4);
        else
            b[n / 2] |= uint8_t(v);
        ++n;
    }
    partition::Guid g;
    static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
    for (int i = 0; i < 16; ++i)
        g.bytes[order[i]] = b[i];
    return g;
}

const partition::Guid linux_fs = guid("0FC63DAF-8483-4772-8E79-3D69D8477DE4");
const partition::Guid esp = guid("C12A7328-F81F-11D2-BA4B-00A0C93EC93B");

struct GptSpec {
    uint32_t index;
    partition::Guid type;
    uint64_t first, last;
};

struct GptLayout {
    uint32_t entry_count = 128;
    uint32_t entry_size = 128;
    uint64_t array_sectors = 0;
    uint64_t primary_entries = 2;
    uint64_t backup_entries = 0;
    uint64_t first_usable = 0;
    uint64_t last_usable = 0;
};

void write_gpt_header(
    MemoryDisk& d, uint64_t lba, uint64_t alternate, uint64_t entries, const GptLayout& l, uint32_t entries_crc)
{
    uint8_t* s = d.sector(lba);
    std::memset(s, 0, d.sector_size());
    std::memcpy(s, "EFI PART", 8);
    d.put(lba, 8, 0x00010000, 4);
    d.put(lba, 12, 92, 4);
    d.put(lba, 24, lba, 8);
    d.put(lba, 32, alternate, 8);
    d.put(lba, 40, l.first_usable, 8);
    d.put(lba, 48, l.last_usable, 8);
    for (int i = 0; i < 16; ++i)
        s[56 + i] = uint8_t(0xa0 + i);
    d.put(lba, 72, entries, 8);
    d.put(lba, 80, l.entry_count, 4);
    d.put(lba, 84, l.entry_size, 4);
    d.put(lba, 88, entries_crc, 4);
    d.put(lba, 16, crc32(s, 92), 4);
}

// Recomputes a header's CRC after a test changed a field.
void fix_header_crc(MemoryDisk& d, uint64_t lba)
{
    // A header size a test made larger than the sector is summed over the sector only (the
    // library refuses such a header before it looks at the CRC).
    uint32_t size = uint32_t(d.get(lba, 12, 4));
    if (size > d.sector_size())
        size = d.sector_size();
    d.put(lba, 16, 0, 4);
    d.put(lba, 16, crc32(d.sector(lba), size), 4);
}

// Recomputes the entries' CRC of the header at lba, then its own.
void fix_entries_crc(MemoryDisk& d, uint64_t lba)
{
    uint64_t entries = d.get(lba, 72, 8);
    uint64_t bytes = d.get(lba, 80, 4) * d.get(lba, 84, 4);
    std::vector<uint8_t> array(bytes);
    d.read_bytes(entries * d.sector_size(), array.data(), bytes);
    d.put(lba, 88, crc32(array.data(), bytes), 4);
    fix_header_crc(d, lba);
}

// A protective MBR, the primary GPT at LBA 1 and 2.., the backup at the end, as sgdisk lays them.
GptLayout write_gpt(
    MemoryDisk& d, const std::vector<GptSpec>& specs, uint32_t entry_count = 128, uint32_t entry_size = 128)
{
    GptLayout l;
    l.entry_count = entry_count;
    l.entry_size = entry_size;
    uint64_t bytes = uint64_t(entry_count) * entry_size;
    l.array_sectors = (bytes + d.sector_size() - 1) / d.sector_size();
    l.backup_entries = d.sectors() - 1 - l.array_sectors;
    l.first_usable = 2 + l.array_sectors;
    l.last_usable = l.backup_entries - 1;
    uint64_t pmbr_size = d.sectors() - 1 > 0xffffffff ? 0xffffffff : d.sectors() - 1;
    d.mbr_entry(0, 0, 0xee, 1, uint32_t(pmbr_size));

    std::vector<uint8_t> array(bytes);
    for (const GptSpec& s : specs) {
        uint8_t* e = array.data() + uint64_t(s.index) * entry_size;
        std::memcpy(e, s.type.bytes, 16);
        for (int i = 0; i < 16; ++i)
            e[16 + i] = uint8_t(s.index * 16 + i);
        for (int i = 0; i < 8; ++i) {
            e[32 + i] = uint8_t(s.first >> (8 * i));
            e[40 + i] = uint8_t(s.last >> (8 * i));
        }
        e[56] = 'p';
    }
    d.write(l.primary_entries * d.sector_size(), array.data(), bytes);
    d.write(l.backup_entries * d.sector_size(), array.data(), bytes);
    uint32_t crc = crc32(array.data(), bytes);
    write_gpt_header(d, 1, d.sectors() - 1, l.primary_entries, l, crc);
    write_gpt_header(d, d.sectors() - 1, 1, l.backup_entries, l, crc);
    return l;
}

std::string text(const partition::Warning& w)
{
    return base::formatted<200>("{}", w).c_str();
}

std::string warnings(const partition::Table& t)
{
    std::string s;
    for (size_t i = 0; i < t.warning_count; ++i)
        s += text(t.warnings[i]) + "\n";
    return s;
}

std::string context(const base::Error& e)
{
    return e.context() ? e.context() : "";
}

void expect_partition(const partition::Table& t, size_t i, unsigned number, uint64_t first, uint64_t count)
{
    ASSERT_LT(i, t.count);
    EXPECT_EQ(t.partitions[i].number, number) << "entry " << i;
    EXPECT_EQ(t.partitions[i].first_sector, first) << "partition " << number;
    EXPECT_EQ(t.partitions[i].sector_count, count) << "partition " << number;
}

// --- no table, arguments -------------------------------------------------------------------------

TEST(PartitionTable, BlankDiskHasNoTable)
{
    MemoryDisk d(512, 2048);
    auto t = d.table();
    ASSERT_FALSE(t.is_error());
    EXPECT_EQ(t.value().scheme, Scheme::None);
    EXPECT_EQ(t.value().count, 0u);
    EXPECT_EQ(t.value().warning_count, 0u);
    EXPECT_EQ(d.reads, 1u);
}

TEST(PartitionTable, EntriesWithoutSignatureAreNoTable)
{
    MemoryDisk d(512, 2048);
    d.mbr_entry(0, 0, 0x83, 2048, 100);
    d.sector(0)[511] = 0;
    auto t = d.table();
    ASSERT_FALSE(t.is_error());
    EXPECT_EQ(t.value().scheme, Scheme::None);
    EXPECT_EQ(t.value().count, 0u);
}

TEST(PartitionTable, FatBootSectorIsNoTable)
{
    // A FAT boot sector has 0x55aa but code and data where the entries would be.
    MemoryDisk d(512, 2048);
    for (int i = 446; i < 510; ++i)
        d.sector(0)[i] = uint8_t(i * 7);
    d.sign(0);
    auto t = d.table();
    ASSERT_FALSE(t.is_error());
    EXPECT_EQ(t.value().scheme, Scheme::None);
}

TEST(PartitionTable, EmptyDiskHasNoTableAndNoRead)
{
    MemoryDisk d(512, 0);
    auto t = d.table();
    ASSERT_FALSE(t.is_error());
    EXPECT_EQ(t.value().scheme, Scheme::None);
    EXPECT_EQ(d.reads, 0u);
}

TEST(PartitionTable, RefusesSectorSizesItCannotBuffer)
{
    for (uint32_t size : { 0u, 256u, 1000u, 8192u, 4095u }) {
        MemoryDisk d(size ? size : 512, 16);
        auto t = partition::read_table(d, size, 16);
        ASSERT_TRUE(t.is_error()) << size;
        EXPECT_TRUE(t.error().is(partition::domain)) << size;
        EXPECT_EQ(t.error().code(), static_cast<int>(partition::Errc::InvalidArgument)) << size;
        EXPECT_EQ(d.reads, 0u);
    }
    for (uint32_t size : { 512u, 1024u, 2048u, 4096u }) {
        MemoryDisk d(size, 16);
        EXPECT_FALSE(d.table().is_error()) << size;
    }
}

TEST(PartitionTable, ReaderErrorsPassUp)
{
    MemoryDisk d(512, 2048);
    d.fail_lba = 0;
    auto t = d.table();
    ASSERT_TRUE(t.is_error());
    EXPECT_EQ(context(t.error()), "simulated read error");
    EXPECT_TRUE(t.error().is(base::mach_domain)) << "the reader's own error, in its own domain";
}

// --- MBR primaries ------------------------------------------------------------------------------

TEST(PartitionMbr, PrimariesKeepTheirSlotNumbers)
{
    MemoryDisk d(512, 100000);
    d.mbr_entry(0, 0, 0x83, 2048, 4096, 0x80);
    d.mbr_entry(0, 2, 0x07, 10000, 500);
    d.mbr_entry(0, 1, 0x00, 8000, 100); // type 0: empty though it has a size
    d.mbr_entry(0, 3, 0x82, 20000, 0); // no size: empty
    auto r = d.table();
    ASSERT_FALSE(r.is_error()) << context(r.error());
    const auto& t = r.value();
    EXPECT_EQ(t.scheme, Scheme::Mbr);
    ASSERT_EQ(t.count, 2u);
    expect_partition(t, 0, 1, 2048, 4096);
    expect_partition(t, 1, 3, 10000, 500);
    EXPECT_EQ(t.partitions[0].mbr_type, 0x83);
    EXPECT_EQ(t.partitions[1].mbr_type, 0x07);
    EXPECT_TRUE(t.partitions[0].type.is_zero());
    EXPECT_EQ(t.warning_count, 0u) << warnings(t);
    EXPECT_EQ(t.find(3), &t.partitions[1]);
    EXPECT_EQ(t.find(2), nullptr);
    EXPECT_EQ(d.reads, 1u);
}

TEST(PartitionMbr, EmptyTableIsMbrWithoutPartitions)
{
    MemoryDisk d(512, 2048);
    d.sign(0);
    auto t = d.table();
    ASSERT_FALSE(t.is_error());
    EXPECT_EQ(t.value().scheme, Scheme::Mbr);
    EXPECT_EQ(t.value().count, 0u);
}

TEST(PartitionMbr, PartitionsPastTheEndAreDroppedByName)
{
    MemoryDisk d(512, 10000);
    d.mbr_entry(0, 0, 0x83, 2048, 7952); // ends exactly at the end: fine
    d.mbr_entry(0, 1, 0x83, 2048, 7953); // one sector too many
    d.mbr_entry(0, 2, 0x83, 0xffffffff, 0xffffffff); // far out; no overflow on the way
    d.mbr_entry(0, 3, 0x83, 0, 100); // over the MBR itself
    auto r = d.table();
    ASSERT_FALSE(r.is_error());
    const auto& t = r.value();
    ASSERT_EQ(t.count, 1u);
    expect_partition(t, 0, 1, 2048, 7952);
    EXPECT_EQ(warnings(t),
        "partition 2: extends past the end of the disk, dropped\n"
        "partition 3: extends past the end of the disk, dropped\n"
        "partition 4: lies over the MBR, dropped\n");
}

TEST(PartitionMbr, OverlapsAreNamedAndKept)
{
    MemoryDisk d(512, 100000);
    d.mbr_entry(0, 0, 0x83, 2048, 4096);
    d.mbr_entry(0, 1, 0x83, 6143, 100); // shares sector 6143 with 1
    d.mbr_entry(0, 2, 0x83, 6243, 100); // touches 2, does not overlap
    auto r = d.table();
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r.value().count, 3u);
    EXPECT_EQ(warnings(r.value()), "partitions 1 and 2: overlap\n");
}

TEST(PartitionMbr, SectorSize4096)
{
    MemoryDisk d(4096, 16384);
    d.mbr_entry(0, 0, 0x83, 256, 2048);
    d.mbr_entry(0, 1, 0x05, 2304, 8192);
    d.mbr_entry(2304, 0, 0x83, 256, 1024);
    auto r = d.table();
    ASSERT_FALSE(r.is_error()) << context(r.error());
    ASSERT_EQ(r.value().count, 2u);
    expect_partition(r.value(), 0, 1, 256, 2048);
    expect_partition(r.value(), 1, 5, 2560, 1024);
}

// --- EBR chains ---------------------------------------------------------------------------------

// An extended partition at ext_first of ext_count sectors with logical partitions of `size`
// sectors, one per EBR, every `step` sectors, each 1 sector after its EBR.
void write_chain(MemoryDisk& d, uint64_t ext_first, unsigned logicals, uint32_t step, uint32_t size)
{
    for (unsigned i = 0; i < logicals; ++i) {
        uint64_t ebr = ext_first + uint64_t(i) * step;
        d.mbr_entry(ebr, 0, 0x83, 1, size);
        if (i + 1 < logicals)
            d.mbr_entry(ebr, 1, 0x05, uint32_t((i + 1) * step), step);
    }
}

TEST(PartitionMbr, LogicalPartitionsFollowTheChain)
{
    for (uint8_t type : { 0x05, 0x0f, 0x85 }) {
        MemoryDisk d(512, 200000);
        d.mbr_entry(0, 0, type, 10000, 50000); // extended first: logicals still come after 2
        d.mbr_entry(0, 1, 0x83, 2048, 4096);
        write_chain(d, 10000, 3, 1000, 999);
        auto r = d.table();
        ASSERT_FALSE(r.is_error()) << context(r.error());
        const auto& t = r.value();
        EXPECT_EQ(t.scheme, Scheme::Mbr);
        ASSERT_EQ(t.count, 4u) << int(type);
        expect_partition(t, 0, 2, 2048, 4096);
        expect_partition(t, 1, 5, 10001, 999);
        expect_partition(t, 2, 6, 11001, 999);
        expect_partition(t, 3, 7, 12001, 999);
        EXPECT_EQ(t.warning_count, 0u) << warnings(t);
        EXPECT_EQ(d.reads, 4u);
    }
}

TEST(PartitionMbr, EmptyEbrGivesNoNumber)
{
    MemoryDisk d(512, 200000);
    d.mbr_entry(0, 0, 0x05, 10000, 50000);
    d.mbr_entry(10000, 1, 0x05, 1000, 1000); // no logical partition here, only the link
    d.mbr_entry(11000, 0, 0x83, 1, 999);
    auto r = d.table();
    ASSERT_FALSE(r.is_error());
    ASSERT_EQ(r.value().count, 1u);
    expect_partition(r.value(), 0, 5, 11001, 999);
}

TEST(PartitionMbr, BadLogicalPartitionsAreDroppedButKeepTheirNumbers)
{
    MemoryDisk d(512, 200000);
    d.mbr_entry(0, 0, 0x05, 10000, 5000);
    write_chain(d, 10000, 4, 1000, 999);
    d.mbr_entry(11000, 0, 0x83, 1, 5000); // 6 runs past the extended partition's end
    d.mbr_entry(12000, 0, 0x83, 0, 999); // 7 lies over its own EBR
    auto r = d.table();
    ASSERT_FALSE(r.is_error());
    const auto& t = r.value();
    ASSERT_EQ(t.count, 2u);
    expect_partition(t, 0, 5, 10001, 999);
    expect_partition(t, 1, 8, 13001, 999);
    EXPECT_EQ(warnings(t),
        "partition 6: lies outside its extended partition, dropped\n"
        "partition 7: lies over its own EBR, dropped\n");
}

TEST(PartitionMbr, ExtendedPastTheEndIsNotFollowed)
{
    MemoryDisk d(512, 20000);
    d.mbr_entry(0, 0, 0x05, 10000, 50000);
    write_chain(d, 10000, 2, 1000, 999);
    auto r = d.table();
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r.value().count, 0u);
    EXPECT_EQ(warnings(r.value()),
        "partition 1: extended partition extends past the end of the disk; its logical partitions are not read\n");
    EXPECT_EQ(d.reads, 1u);
}

TEST(PartitionMbr, PrimaryOverlappingTheExtendedPartitionIsNamed)
{
    MemoryDisk d(512, 200000);
    d.mbr_entry(0, 0, 0x83, 14000, 2000); // into the end of the extended partition, over no EBR
    d.mbr_entry(0, 1, 0x05, 10000, 5000);
    write_chain(d, 10000, 1, 1000, 999);
    auto r = d.table();
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r.value().count, 2u);
    EXPECT_EQ(warnings(r.value()), "partitions 1 and 2: overlap (the second is an extended partition)\n");
}

TEST(PartitionMbr, PartitionsOverAnEbrAreDropped)
{
    MemoryDisk d(512, 200000);
    d.mbr_entry(0, 0, 0x83, 2048, 9000); // reaches the first EBR at 10000
    d.mbr_entry(0, 1, 0x05, 10000, 5000);
    write_chain(d, 10000, 3, 1000, 999);
    d.mbr_entry(10000, 0, 0x83, 1, 1500); // 5 runs over the second EBR at 11000
    auto r = d.table();
    ASSERT_FALSE(r.is_error());
    const auto& t = r.value();
    ASSERT_EQ(t.count, 2u);
    expect_partition(t, 0, 6, 11001, 999);
    expect_partition(t, 1, 7, 12001, 999);
    // 6 and 7 lie in their own extended partition: no overlap.
    EXPECT_EQ(warnings(t),
        "partition 1: lies over an EBR, dropped\n"
        "partition 5: lies over an EBR, dropped\n");
}

TEST(PartitionMbr, ChainThatLoopsIsAnError)
{
    MemoryDisk d(512, 200000);
    d.mbr_entry(0, 0, 0x05, 10000, 50000);
    write_chain(d, 10000, 3, 1000, 999);
    d.mbr_entry(12000, 1, 0x05, 1000, 1000); // the third EBR links back to the second
    auto r = d.table();
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(r.error().is(partition::domain));
    EXPECT_EQ(r.error().code(), static_cast<int>(partition::Errc::Corrupt));
    EXPECT_EQ(context(r.error()), "EBR chain loops");
    EXPECT_LE(d.reads, 5u);
}

TEST(PartitionMbr, EbrPointingAtItselfIsALoop)
{
    MemoryDisk d(512, 200000);
    d.mbr_entry(0, 0, 0x05, 10000, 50000);
    d.mbr_entry(10000, 0, 0x83, 1, 10);
    d.mbr_entry(10000, 1, 0x05, 0, 10); // relative to the extended partition: itself
    auto r = d.table();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(context(r.error()), "EBR chain loops");
}

TEST(PartitionMbr, TwoExtendedPartitionsSharingAChainLoop)
{
    MemoryDisk d(512, 200000);
    d.mbr_entry(0, 0, 0x05, 10000, 5000);
    d.mbr_entry(0, 1, 0x05, 11000, 4000); // its first EBR is the first one's second
    write_chain(d, 10000, 2, 1000, 999);
    auto r = d.table();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(context(r.error()), "EBR chain loops");
}

TEST(PartitionMbr, ChainOf128IsReadAnd129IsAnError)
{
    {
        MemoryDisk d(512, 400000);
        d.mbr_entry(0, 0, 0x83, 2048, 1000);
        d.mbr_entry(0, 1, 0x05, 10000, 128 * 100);
        write_chain(d, 10000, 128, 100, 99);
        auto r = d.table();
        ASSERT_FALSE(r.is_error()) << context(r.error());
        const auto& t = r.value();
        // 1 + 128 partitions: the last logical one does not fit in the table.
        ASSERT_EQ(t.count, partition::max_partitions);
        expect_partition(t, 0, 1, 2048, 1000);
        expect_partition(t, 1, 5, 10001, 99);
        expect_partition(t, 127, 131, 10000 + 126 * 100 + 1, 99);
        EXPECT_EQ(
            warnings(t), "partition 132: left out, with every partition after it: the table holds 128 partitions\n");
        EXPECT_EQ(d.reads, 129u);
    }
    {
        MemoryDisk d(512, 400000);
        d.mbr_entry(0, 1, 0x05, 10000, 129 * 100);
        write_chain(d, 10000, 129, 100, 99);
        auto r = d.table();
        ASSERT_TRUE(r.is_error());
        EXPECT_EQ(context(r.error()), "EBR chain longer than 128 links");
        EXPECT_EQ(d.reads, 129u);
    }
}

TEST(PartitionMbr, EbrWithoutSignatureIsAnError)
{
    MemoryDisk d(512, 200000);
    d.mbr_entry(0, 0, 0x05, 10000, 50000);
    write_chain(d, 10000, 2, 1000, 999);
    d.sector(11000)[510] = 0;
    auto r = d.table();
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(r.error().is(partition::domain));
    EXPECT_EQ(r.error().code(), static_cast<int>(partition::Errc::Corrupt));
    EXPECT_EQ(context(r.error()), "EBR without the 0x55aa signature");
}

TEST(PartitionMbr, LinkOutsideTheExtendedPartitionIsAnError)
{
    MemoryDisk d(512, 200000);
    d.mbr_entry(0, 0, 0x05, 10000, 5000);
    d.mbr_entry(10000, 0, 0x83, 1, 10);
    d.mbr_entry(10000, 1, 0x05, 5000, 10); // the first sector after the extended partition
    auto r = d.table();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(context(r.error()), "EBR link points outside the extended partition");
    EXPECT_EQ(d.reads, 2u);
}

// --- GPT ----------------------------------------------------------------------------------------

TEST(PartitionGpt, UsedEntriesNumberedByIndex)
{
    for (uint32_t sector_size : { 512u, 4096u }) {
        MemoryDisk d(sector_size, 20000);
        GptLayout l
            = write_gpt(d, { { 0, esp, 2048, 4095 }, { 2, linux_fs, 4096, 8191 }, { 5, linux_fs, 10000, 10000 } });
        auto r = d.table();
        ASSERT_FALSE(r.is_error()) << context(r.error());
        const auto& t = r.value();
        EXPECT_EQ(t.scheme, Scheme::Gpt);
        ASSERT_EQ(t.count, 3u);
        expect_partition(t, 0, 1, 2048, 2048);
        expect_partition(t, 1, 3, 4096, 4096);
        expect_partition(t, 2, 6, 10000, 1);
        EXPECT_EQ(t.partitions[0].type, esp);
        EXPECT_EQ(t.partitions[1].type, linux_fs);
        EXPECT_EQ(t.partitions[0].mbr_type, 0);
        EXPECT_EQ(t.warning_count, 0u) << warnings(t);
        // The MBR, the header, the entry array sector by sector; the backup is not read.
        EXPECT_EQ(d.reads, 2 + l.array_sectors);
    }
}

TEST(PartitionGpt, GuidsPrintAsTheToolsPrintThem)
{
    EXPECT_STREQ(base::formatted<64>("{}", esp).c_str(), "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
    EXPECT_EQ(esp.bytes[0], 0x28);
    EXPECT_EQ(esp.bytes[3], 0xc1);
    EXPECT_EQ(esp.bytes[8], 0xba);
}

TEST(PartitionGpt, HybridMbrIsReadAsGpt)
{
    MemoryDisk d(512, 20000);
    write_gpt(d, { { 0, linux_fs, 2048, 4095 } });
    d.mbr_entry(0, 1, 0x0c, 2048, 2048);
    std::swap_ranges(d.sector(0) + 446, d.sector(0) + 462, d.sector(0) + 462); // 0xee in slot 2
    auto r = d.table();
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r.value().scheme, Scheme::Gpt);
    ASSERT_EQ(r.value().count, 1u);
    EXPECT_EQ(r.value().partitions[0].mbr_type, 0);
}

TEST(PartitionGpt, BadPrimaryFallsBackToBackup)
{
    struct Case {
        const char* name;
        void (*damage)(MemoryDisk&);
        const char* warning;
    };
    const Case cases[] = {
        { "header CRC", [](MemoryDisk& d) { d.sector(1)[60] ^= 1; }, "GPT primary header CRC mismatch; backup used" },
        { "signature", [](MemoryDisk& d) { d.sector(1)[0] = 'X'; },
            "GPT primary header has no EFI PART signature; backup used" },
        { "entries CRC", [](MemoryDisk& d) { d.sector(2)[40] ^= 1; },
            "GPT primary entry array CRC mismatch; backup used" },
        { "zeroed", [](MemoryDisk& d) { std::memset(d.sector(1), 0, 512); },
            "GPT primary header has no EFI PART signature; backup used" },
        { "my LBA",
            [](MemoryDisk& d) {
                d.put(1, 24, 2, 8);
                fix_header_crc(d, 1);
            },
            "GPT primary header names another LBA as its own; backup used" },
        { "revision",
            [](MemoryDisk& d) {
                d.put(1, 8, 0x00020000, 4);
                fix_header_crc(d, 1);
            },
            "GPT primary header has an unknown revision; backup used" },
        { "entry size 120",
            [](MemoryDisk& d) {
                d.put(1, 84, 120, 4);
                fix_header_crc(d, 1);
            },
            "GPT primary header has an impossible entry size; backup used" },
        { "entry size 132",
            [](MemoryDisk& d) {
                d.put(1, 84, 132, 4);
                fix_header_crc(d, 1);
            },
            "GPT primary header has an impossible entry size; backup used" },
        { "header size",
            [](MemoryDisk& d) {
                d.put(1, 12, 513, 4);
                fix_header_crc(d, 1);
            },
            "GPT primary header has an impossible header size; backup used" },
        { "huge entry array",
            [](MemoryDisk& d) {
                d.put(1, 80, 0xffffffff, 4);
                fix_header_crc(d, 1);
            },
            "GPT primary entry array is larger than 1 MiB; backup used" },
        { "no entries",
            [](MemoryDisk& d) {
                d.put(1, 80, 0, 4);
                fix_header_crc(d, 1);
            },
            "GPT primary header has no partition entries; backup used" },
        { "entries past the end",
            [](MemoryDisk& d) {
                d.put(1, 72, 19990, 8);
                fix_header_crc(d, 1);
            },
            "GPT primary entry array lies outside the disk or over the header; backup used" },
        { "entries over the header",
            [](MemoryDisk& d) {
                d.put(1, 72, 1, 8);
                fix_header_crc(d, 1);
            },
            "GPT primary entry array lies outside the disk or over the header; backup used" },
        { "last usable past the end",
            [](MemoryDisk& d) {
                d.put(1, 48, 20000, 8);
                fix_header_crc(d, 1);
            },
            "GPT primary header has an impossible usable range; backup used" },
        { "usable over the entries",
            [](MemoryDisk& d) {
                d.put(1, 40, 30, 8);
                fix_header_crc(d, 1);
            },
            "GPT primary usable range covers the table itself; backup used" },
        { "usable over the MBR",
            [](MemoryDisk& d) {
                d.put(1, 40, 0, 8);
                fix_header_crc(d, 1);
            },
            "GPT primary usable range covers the table itself; backup used" },
    };
    for (const Case& c : cases) {
        MemoryDisk d(512, 20000);
        write_gpt(d, { { 0, esp, 2048, 4095 }, { 1, linux_fs, 4096, 8191 } });
        c.damage(d);
        auto r = d.table();
        ASSERT_FALSE(r.is_error()) << c.name << ": " << context(r.error());
        const auto& t = r.value();
        EXPECT_EQ(t.scheme, Scheme::Gpt) << c.name;
        ASSERT_EQ(t.count, 2u) << c.name;
        expect_partition(t, 0, 1, 2048, 2048);
        expect_partition(t, 1, 2, 4096, 4096);
        EXPECT_EQ(warnings(t), std::string(c.warning) + "\n") << c.name;
    }
}

TEST(PartitionGpt, PrimaryIsPreferredToTheBackup)
{
    MemoryDisk d(512, 20000);
    write_gpt(d, { { 0, esp, 2048, 4095 } });
    d.put(2, 32, 3000, 8); // the primary's entry 0 starts elsewhere than the backup's
    fix_entries_crc(d, 1);
    auto r = d.table();
    ASSERT_FALSE(r.is_error());
    ASSERT_EQ(r.value().count, 1u);
    expect_partition(r.value(), 0, 1, 3000, 1096);
    EXPECT_EQ(r.value().warning_count, 0u);
}

TEST(PartitionGpt, BothEntryArraysBadIsAnError)
{
    MemoryDisk d(512, 20000);
    GptLayout l = write_gpt(d, { { 0, esp, 2048, 4095 } });
    d.sector(2)[33] ^= 1;
    d.sector(l.backup_entries)[33] ^= 1;
    auto r = d.table();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(context(r.error()), "GPT entry array CRC mismatch and no valid backup");
}

TEST(PartitionGpt, BothHeadersBadIsAnError)
{
    MemoryDisk d(512, 20000);
    write_gpt(d, { { 0, esp, 2048, 4095 } });
    d.sector(1)[60] ^= 1;
    d.sector(19999)[60] ^= 1;
    auto r = d.table();
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(r.error().is(partition::domain));
    EXPECT_EQ(r.error().code(), static_cast<int>(partition::Errc::Corrupt));
    EXPECT_EQ(context(r.error()), "GPT header CRC mismatch and no valid backup");
    EXPECT_STREQ(base::formatted<128>("{}", r.error()).c_str(),
        "GPT header CRC mismatch and no valid backup: partition: Corrupt");
}

TEST(PartitionGpt, ProtectiveMbrWithoutGptIsAnError)
{
    MemoryDisk d(512, 20000);
    d.mbr_entry(0, 0, 0xee, 1, 19999);
    auto r = d.table();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(context(r.error()), "GPT header has no EFI PART signature and no valid backup");
}

TEST(PartitionGpt, TinyDisksNeverReadPastTheEnd)
{
    for (uint64_t sectors : { 1u, 2u, 3u }) {
        MemoryDisk d(512, sectors);
        d.mbr_entry(0, 0, 0xee, 1, 1);
        auto r = d.table();
        ASSERT_TRUE(r.is_error()) << sectors;
        EXPECT_TRUE(r.error().is(partition::domain));
        EXPECT_EQ(r.error().code(), static_cast<int>(partition::Errc::Corrupt));
    }
}

TEST(PartitionGpt, BadEntriesAreDroppedByName)
{
    MemoryDisk d(512, 20000);
    GptLayout l = write_gpt(d,
        { { 0, linux_fs, 2048, 4095 }, { 1, linux_fs, 5000, 4999 }, // ends before it starts
            { 2, linux_fs, 19000, 25000 }, // past the end of the disk
            { 3, linux_fs, 1, 100 }, // over the table
            { 4, linux_fs, 19960, 19970 }, // over the backup entries
            { 5, linux_fs, 0, ~0ull }, // everything
            { 6, linux_fs, 4096, 4096 } });
    auto r = d.table();
    ASSERT_FALSE(r.is_error()) << context(r.error());
    const auto& t = r.value();
    ASSERT_EQ(t.count, 2u);
    expect_partition(t, 0, 1, 2048, 2048);
    expect_partition(t, 1, 7, 4096, 1);
    EXPECT_EQ(warnings(t),
        "partition 2: ends before it starts, dropped\n"
        "partition 3: extends past the end of the disk, dropped\n"
        "partition 4: lies outside the GPT's usable sectors, dropped\n"
        "partition 5: lies outside the GPT's usable sectors, dropped\n"
        "partition 6: extends past the end of the disk, dropped\n");
    EXPECT_EQ(l.backup_entries, 19967u);
}

TEST(PartitionGpt, EntriesStraddlingSectors)
{
    // 136-byte entries do not divide 512: every few entries cross a sector boundary.
    for (uint32_t sector_size : { 512u, 4096u }) {
        MemoryDisk d(sector_size, 20000);
        std::vector<GptSpec> specs;
        for (uint32_t i = 0; i < 40; i += 3)
            specs.push_back({ i, i % 2 ? esp : linux_fs, 2048 + i * 100, 2048 + i * 100 + 49 });
        write_gpt(d, specs, 40, 136);
        auto r = d.table();
        ASSERT_FALSE(r.is_error()) << context(r.error());
        const auto& t = r.value();
        ASSERT_EQ(t.count, specs.size());
        for (size_t i = 0; i < specs.size(); ++i) {
            expect_partition(t, i, specs[i].index + 1, specs[i].first, 50);
            EXPECT_EQ(t.partitions[i].type, specs[i].type);
        }
    }
}

TEST(PartitionGpt, LargeEntriesAndManyOfThem)
{
    // 512-byte entries, 256 of them; numbers up to 256, a table of at most 128.
    MemoryDisk d(512, 100000);
    std::vector<GptSpec> specs;
    for (uint32_t i = 0; i < 256; i += 2)
        specs.push_back({ i, linux_fs, 1000 + i * 10, 1000 + i * 10 + 9 });
    specs.push_back({ 255, esp, 5000, 5009 });
    write_gpt(d, specs, 256, 512);
    auto r = d.table();
    ASSERT_FALSE(r.is_error()) << context(r.error());
    const auto& t = r.value();
    ASSERT_EQ(t.count, 128u);
    expect_partition(t, 127, 255, 1000 + 254 * 10, 10);
    EXPECT_EQ(warnings(t), "partition 256: left out, with every partition after it: the table holds 128 partitions\n");
}

TEST(PartitionGpt, TooManyOverlapsAreCounted)
{
    MemoryDisk d(512, 20000);
    std::vector<GptSpec> specs;
    for (uint32_t i = 0; i < 10; ++i)
        specs.push_back({ i, linux_fs, 2048 + i, 4095 });
    write_gpt(d, specs);
    auto r = d.table();
    ASSERT_FALSE(r.is_error());
    const auto& t = r.value();
    EXPECT_EQ(t.count, 10u);
    EXPECT_EQ(t.warning_count, partition::max_warnings);
    EXPECT_TRUE(t.more_warnings);
    EXPECT_EQ(text(t.warnings[0]), "partitions 1 and 2: overlap");
}

TEST(PartitionGpt, ReadErrorsInTheEntryArrayPassUp)
{
    // An unreadable sector is an error of the reader, passed up; it is not a corrupt table.
    MemoryDisk d(512, 20000);
    write_gpt(d, { { 0, esp, 2048, 4095 } });
    d.fail_lba = 3;
    auto r = d.table();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(context(r.error()), "simulated read error");
}

} // namespace
