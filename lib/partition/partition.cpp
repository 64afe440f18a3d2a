// Reading MBR (with the EBR chains of extended partitions) and GPT partition tables, as Linux's
// block/partitions/{msdos,efi}.c and the util-linux tools read them; the rules are in partition.h.
#include "partition/partition.h"

#include "partition/partition_layout.h"

namespace partition {

namespace {

using layout::GptEntry;
using layout::GptHeader;
using layout::MbrEntry;

// CRC-32 (IEEE 802.3, reflected, polynomial 0xedb88320) as GPT uses it.
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

// The running value is kept inverted; start from 0xffffffff and invert at the end.
uint32_t crc32_update(uint32_t crc, const uint8_t* data, size_t size)
{
    for (size_t i = 0; i < size; ++i)
        crc = crc32_table.v[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

template<typename T> T load(const uint8_t* p)
{
    T value;
    __builtin_memcpy(&value, p, sizeof value);
    return value;
}

bool bytes_equal(const uint8_t* a, const uint8_t* b, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i])
            return false;
    return true;
}

// [first, first + count) lies inside [0, limit), without overflow.
bool fits(uint64_t first, uint64_t count, uint64_t limit)
{
    return first <= limit && count <= limit - first;
}

// Closed ranges [a_first, a_last] and [b_first, b_last] share a sector.
bool intersect(uint64_t a_first, uint64_t a_last, uint64_t b_first, uint64_t b_last)
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

// Fills a Table: partitions in the order given (the callers give increasing numbers), warnings
// up to the capacity.
class Builder {
public:
    explicit Builder(Table& table)
        : m_table(table)
    {
    }

    void warn(const char* what, unsigned partition = 0, unsigned other = 0)
    {
        if (m_table.warning_count == max_warnings) {
            m_table.more_warnings = true;
            return;
        }
        m_table.warnings[m_table.warning_count++] = { what, partition, other };
    }

    void add(const Partition& p)
    {
        if (m_table.count == max_partitions) {
            if (!m_full) {
                warn("left out, with every partition after it: the table holds 128 partitions", p.number);
                m_full = true;
            }
            return;
        }
        m_table.partitions[m_table.count++] = p;
    }

    // Drops, with a warning each, the partitions that contain one of the sectors given.
    void drop_over(const uint64_t* sectors, size_t sector_count, const char* what)
    {
        size_t kept = 0;
        for (size_t i = 0; i < m_table.count; ++i) {
            const Partition& p = m_table.partitions[i];
            bool over = false;
            for (size_t s = 0; s < sector_count && !over; ++s)
                over = sectors[s] >= p.first_sector && sectors[s] - p.first_sector < p.sector_count;
            if (over)
                warn(what, p.number);
            else
                m_table.partitions[kept++] = p;
        }
        m_table.count = kept;
    }

    void reset()
    {
        m_table.count = 0;
        m_table.warning_count = 0;
        m_table.more_warnings = false;
        m_full = false;
    }

    Table& table() { return m_table; }

private:
    Table& m_table;
    bool m_full = false;
};

bool has_mbr_signature(const uint8_t* sector)
{
    return bytes_equal(sector + layout::mbr_signature_offset, layout::mbr_signature, 2);
}

void load_mbr_entries(const uint8_t* sector, MbrEntry (&entries)[layout::mbr_entry_count])
{
    for (unsigned i = 0; i < layout::mbr_entry_count; ++i)
        entries[i] = load<MbrEntry>(sector + layout::mbr_entries_offset + i * sizeof(MbrEntry));
}

bool is_used(const MbrEntry& e)
{
    return e.type != layout::mbr_type::empty && e.sector_count.value() != 0;
}

// --- Overlaps ----------------------------------------------------------------------------------

// An extended partition of the MBR and the numbers its chain gave to logical partitions, which
// lie inside it by construction and so do not count as overlapping it.
struct Extended {
    unsigned number;
    uint64_t first;
    uint64_t count;
    unsigned first_logical;
    unsigned end_logical; // one past the last number given
};

// Partitions that lie over each other; each pair is named once. A logical partition and its own
// extended partition are not a pair.
void warn_about_overlaps(Builder& out, const Extended* extended = nullptr, size_t extended_count = 0)
{
    Table& t = out.table();
    for (size_t i = 0; i < t.count; ++i) {
        const Partition& a = t.partitions[i];
        uint64_t a_last = a.first_sector + a.sector_count - 1;
        for (size_t j = i + 1; j < t.count; ++j) {
            const Partition& b = t.partitions[j];
            if (intersect(a.first_sector, a_last, b.first_sector, b.first_sector + b.sector_count - 1))
                out.warn("overlap", a.number, b.number);
        }
        for (size_t e = 0; e < extended_count; ++e) {
            const Extended& x = extended[e];
            if (a.number >= x.first_logical && a.number < x.end_logical)
                continue;
            if (intersect(a.first_sector, a_last, x.first, x.first + x.count - 1))
                out.warn(a.number < x.number ? "overlap (the second is an extended partition)"
                                             : "overlap (the first is an extended partition)",
                    a.number < x.number ? a.number : x.number, a.number < x.number ? x.number : a.number);
        }
    }
    for (size_t e = 0; e < extended_count; ++e)
        for (size_t f = e + 1; f < extended_count; ++f)
            if (intersect(extended[e].first, extended[e].first + extended[e].count - 1, extended[f].first,
                    extended[f].first + extended[f].count - 1))
                out.warn("overlap (both are extended partitions)", extended[e].number, extended[f].number);
}

// --- MBR ---------------------------------------------------------------------------------------

// Follows the EBR chain of one extended partition. EBR LBAs already visited (by this or an earlier
// chain) are in visited, so that a chain that points back, or into another chain, ends.
base::Result<void> read_ebr_chain(Disk& disk, Builder& out, Extended& ext, unsigned& next_number,
    uint64_t (&visited)[max_logical_partitions * layout::mbr_entry_count], size_t& visited_count)
{
    ext.first_logical = next_number;
    uint64_t ebr = ext.first;
    for (size_t links = 0;; ++links) {
        for (size_t i = 0; i < visited_count; ++i)
            if (visited[i] == ebr)
                return error(Errc::Corrupt, "EBR chain loops");
        if (links == max_logical_partitions)
            return error(Errc::Corrupt, "EBR chain longer than 128 links");
        visited[visited_count++] = ebr;

        TRY(disk.read(ebr));
        if (!has_mbr_signature(disk.data()))
            return error(Errc::Corrupt, "EBR without the 0x55aa signature");
        MbrEntry entries[layout::mbr_entry_count];
        load_mbr_entries(disk.data(), entries);

        // Linux neither numbers nor exposes an extended type in the logical slot; nor does this.
        const MbrEntry& logical = entries[layout::ebr_logical_entry];
        if (is_used(logical) && !layout::is_extended(logical.type)) {
            unsigned number = next_number++;
            uint64_t relative = logical.first_lba.value();
            uint64_t first = ebr + relative;
            uint64_t count = logical.sector_count.value();
            if (relative == 0)
                out.warn("lies over its own EBR, dropped", number);
            else if (!(first >= ext.first && fits(first - ext.first, count, ext.count)))
                out.warn("lies outside its extended partition, dropped", number);
            else
                out.add({ number, first, count, logical.type, {} });
        }

        const MbrEntry& link = entries[layout::ebr_link_entry];
        if (!is_used(link) || !layout::is_extended(link.type))
            break;
        uint64_t relative = link.first_lba.value();
        if (relative >= ext.count)
            return error(Errc::Corrupt, "EBR link points outside the extended partition");
        ebr = ext.first + relative;
    }
    ext.end_logical = next_number;
    return {};
}

// The primaries first, then the logical partitions of each extended partition in slot order, so
// that numbers increase (Linux reads them in this order too).
base::Result<void> read_mbr(Disk& disk, Builder& out, const MbrEntry (&entries)[layout::mbr_entry_count])
{
    Extended extended[layout::mbr_entry_count];
    size_t extended_count = 0;
    for (unsigned slot = 0; slot < layout::mbr_entry_count; ++slot) {
        const MbrEntry& e = entries[slot];
        if (!is_used(e))
            continue;
        unsigned number = slot + 1;
        uint64_t first = e.first_lba.value();
        uint64_t count = e.sector_count.value();
        bool ext = layout::is_extended(e.type);
        if (first == 0)
            out.warn(ext ? "extended partition lies over the MBR; its logical partitions are not read"
                         : "lies over the MBR, dropped",
                number);
        else if (!fits(first, count, disk.sectors()))
            out.warn(ext ? "extended partition extends past the end of the disk; its logical partitions are not read"
                         : "extends past the end of the disk, dropped",
                number);
        else if (ext)
            extended[extended_count++] = { number, first, count, 0, 0 };
        else
            out.add({ number, first, count, e.type, {} });
    }

    uint64_t visited[max_logical_partitions * layout::mbr_entry_count];
    size_t visited_count = 0;
    unsigned next_number = layout::mbr_entry_count + 1;
    for (size_t i = 0; i < extended_count; ++i)
        TRY(read_ebr_chain(disk, out, extended[i], next_number, visited, visited_count));
    // A partition over an EBR (a logical one over the next EBR of its chain, a primary reaching
    // into an extended partition) would let a file system overwrite the chain.
    out.drop_over(visited, visited_count, "lies over an EBR, dropped");
    warn_about_overlaps(out, extended, extended_count);
    return {};
}

// --- GPT ---------------------------------------------------------------------------------------

enum class HeaderFault {
    None,
    OutsideDisk,
    Signature,
    Revision,
    HeaderSize,
    HeaderCrc,
    Location,
    UsableRange,
    EntrySize,
    NoEntries,
    EntryArraySize,
    EntryArrayLocation,
    UsableOverlapsTable,
    EntriesCrc,
};

// Two notes per fault: the primary header is bad and the backup was used; both are bad.
struct FaultNotes {
    const char* backup_used;
    const char* no_backup;
};

FaultNotes fault_notes(HeaderFault f)
{
    switch (f) {
    case HeaderFault::None:
        break;
    case HeaderFault::OutsideDisk:
        return { "GPT primary header lies past the end of the disk; backup used",
            "GPT header lies past the end of the disk and no valid backup" };
    case HeaderFault::Signature:
        return { "GPT primary header has no EFI PART signature; backup used",
            "GPT header has no EFI PART signature and no valid backup" };
    case HeaderFault::Revision:
        return { "GPT primary header has an unknown revision; backup used",
            "GPT header has an unknown revision and no valid backup" };
    case HeaderFault::HeaderSize:
        return { "GPT primary header has an impossible header size; backup used",
            "GPT header has an impossible header size and no valid backup" };
    case HeaderFault::HeaderCrc:
        return { "GPT primary header CRC mismatch; backup used", "GPT header CRC mismatch and no valid backup" };
    case HeaderFault::Location:
        return { "GPT primary header names another LBA as its own; backup used",
            "GPT header names another LBA as its own and no valid backup" };
    case HeaderFault::UsableRange:
        return { "GPT primary header has an impossible usable range; backup used",
            "GPT header has an impossible usable range and no valid backup" };
    case HeaderFault::EntrySize:
        return { "GPT primary header has an impossible entry size; backup used",
            "GPT header has an impossible entry size and no valid backup" };
    case HeaderFault::NoEntries:
        return { "GPT primary header has no partition entries; backup used",
            "GPT header has no partition entries and no valid backup" };
    case HeaderFault::EntryArraySize:
        return { "GPT primary entry array is larger than 1 MiB; backup used",
            "GPT entry array is larger than 1 MiB and no valid backup" };
    case HeaderFault::EntryArrayLocation:
        return { "GPT primary entry array lies outside the disk or over the header; backup used",
            "GPT entry array lies outside the disk or over the header and no valid backup" };
    case HeaderFault::UsableOverlapsTable:
        return { "GPT primary usable range covers the table itself; backup used",
            "GPT usable range covers the table itself and no valid backup" };
    case HeaderFault::EntriesCrc:
        return { "GPT primary entry array CRC mismatch; backup used",
            "GPT entry array CRC mismatch and no valid backup" };
    }
    return { "GPT primary header invalid; backup used", "GPT header invalid and no valid backup" };
}

struct GptGeometry {
    uint64_t first_usable;
    uint64_t last_usable;
    uint64_t entries_lba;
    uint32_t entry_count;
    uint32_t entry_size;
    uint32_t entries_crc;
};

// Checks the header now in the disk's buffer, read from lba.
HeaderFault check_gpt_header(const Disk& disk, uint64_t lba, GptGeometry& g)
{
    const uint8_t* sector = disk.data();
    auto h = load<GptHeader>(sector);
    if (!bytes_equal(h.signature, layout::gpt_signature, sizeof h.signature))
        return HeaderFault::Signature;
    if (h.revision.value() >> 16 != layout::gpt_revision_1_0 >> 16)
        return HeaderFault::Revision;
    uint64_t header_size = h.header_size.value();
    if (header_size < sizeof(GptHeader) || header_size > disk.sector_size())
        return HeaderFault::HeaderSize;
    static constexpr uint8_t zero_crc[4] = {};
    uint32_t crc = crc32_update(0xffffffffu, sector, layout::gpt_header_crc_offset);
    crc = crc32_update(crc, zero_crc, sizeof zero_crc);
    crc = crc32_update(
        crc, sector + layout::gpt_header_crc_offset + 4, header_size - layout::gpt_header_crc_offset - 4);
    if ((crc ^ 0xffffffffu) != h.header_crc32.value())
        return HeaderFault::HeaderCrc;
    if (h.my_lba.value() != lba)
        return HeaderFault::Location;

    g.first_usable = h.first_usable_lba.value();
    g.last_usable = h.last_usable_lba.value();
    g.entries_lba = h.entries_lba.value();
    g.entry_count = static_cast<uint32_t>(h.entry_count.value());
    g.entry_size = static_cast<uint32_t>(h.entry_size.value());
    g.entries_crc = static_cast<uint32_t>(h.entries_crc32.value());
    if (g.first_usable > g.last_usable || g.last_usable >= disk.sectors())
        return HeaderFault::UsableRange;
    if (g.entry_size < sizeof(GptEntry) || g.entry_size % 8 != 0)
        return HeaderFault::EntrySize;
    if (g.entry_count == 0)
        return HeaderFault::NoEntries;
    uint64_t array_bytes = uint64_t(g.entry_count) * g.entry_size;
    if (array_bytes > max_gpt_entry_array_bytes)
        return HeaderFault::EntryArraySize;
    uint64_t array_sectors = (array_bytes + disk.sector_size() - 1) / disk.sector_size();
    uint64_t array_last = g.entries_lba + array_sectors - 1;
    if (g.entries_lba == 0 || !fits(g.entries_lba, array_sectors, disk.sectors())
        || intersect(g.entries_lba, array_last, lba, lba))
        return HeaderFault::EntryArrayLocation;
    // The partitions may use neither the protective MBR, nor this header, nor its entries, nor
    // the other header.
    uint64_t alternate = h.alternate_lba.value();
    if (g.first_usable == 0 || intersect(g.first_usable, g.last_usable, lba, lba)
        || intersect(g.first_usable, g.last_usable, g.entries_lba, array_last)
        || intersect(g.first_usable, g.last_usable, alternate, alternate))
        return HeaderFault::UsableOverlapsTable;
    return HeaderFault::None;
}

void add_gpt_entry(Builder& out, const GptGeometry& g, const Disk& disk, uint32_t index, const uint8_t* bytes)
{
    auto e = load<GptEntry>(bytes);
    Guid type;
    static_assert(sizeof type.bytes == sizeof e.type_guid);
    __builtin_memcpy(type.bytes, e.type_guid, sizeof type.bytes);
    if (type.is_zero())
        return;
    unsigned number = index + 1;
    uint64_t first = e.first_lba.value();
    uint64_t last = e.last_lba.value();
    if (last < first)
        out.warn("ends before it starts, dropped", number);
    else if (last >= disk.sectors())
        out.warn("extends past the end of the disk, dropped", number);
    else if (first < g.first_usable || last > g.last_usable)
        out.warn("lies outside the GPT's usable sectors, dropped", number);
    else
        out.add({ number, first, last - first + 1, 0, type });
}

// Reads the entry array sector by sector, adding the used entries to out while checking the
// array's CRC. Entries may straddle sectors (an entry size that does not divide the sector size),
// so the first sizeof(GptEntry) bytes of each entry are gathered on the way.
base::Result<HeaderFault> read_gpt_entries(Disk& disk, Builder& out, const GptGeometry& g)
{
    uint64_t remaining = uint64_t(g.entry_count) * g.entry_size;
    uint8_t entry[sizeof(GptEntry)];
    uint32_t offset_in_entry = 0;
    uint32_t index = 0;
    uint32_t crc = 0xffffffffu;
    for (uint64_t lba = g.entries_lba; remaining > 0; ++lba) {
        TRY(disk.read(lba));
        size_t n = remaining < disk.sector_size() ? size_t(remaining) : disk.sector_size();
        remaining -= n;
        crc = crc32_update(crc, disk.data(), n);
        for (size_t i = 0; i < n; ++i) {
            if (offset_in_entry < sizeof entry)
                entry[offset_in_entry] = disk.data()[i];
            if (++offset_in_entry == g.entry_size) {
                add_gpt_entry(out, g, disk, index++, entry);
                offset_in_entry = 0;
            }
        }
    }
    if ((crc ^ 0xffffffffu) != g.entries_crc)
        return HeaderFault::EntriesCrc;
    return HeaderFault::None;
}

// Reads the GPT whose header is at lba into out; on a fault, out holds partial results to discard.
base::Result<HeaderFault> read_gpt_at(Disk& disk, Builder& out, uint64_t lba)
{
    if (lba >= disk.sectors())
        return HeaderFault::OutsideDisk;
    TRY(disk.read(lba));
    GptGeometry g;
    HeaderFault fault = check_gpt_header(disk, lba, g);
    if (fault != HeaderFault::None)
        return fault;
    return read_gpt_entries(disk, out, g);
}

// The primary header at LBA 1, else the backup at the disk's last LBA (as Linux, which does not
// trust the primary's pointer to its alternate when the primary is bad).
base::Result<void> read_gpt(Disk& disk, Builder& out)
{
    HeaderFault primary = TRY(read_gpt_at(disk, out, layout::gpt_primary_lba));
    if (primary == HeaderFault::None)
        return {};
    out.reset();
    FaultNotes notes = fault_notes(primary);
    uint64_t backup_lba = disk.sectors() - 1;
    if (backup_lba > layout::gpt_primary_lba) {
        out.warn(notes.backup_used);
        HeaderFault backup = TRY(read_gpt_at(disk, out, backup_lba));
        if (backup == HeaderFault::None)
            return {};
    }
    out.reset();
    return error(Errc::Corrupt, notes.no_backup);
}

} // namespace

bool Guid::is_zero() const
{
    for (uint8_t b : bytes)
        if (b)
            return false;
    return true;
}

bool Guid::operator==(const Guid& o) const
{
    return bytes_equal(bytes, o.bytes, sizeof bytes);
}

const Partition* Table::find(unsigned number) const
{
    for (size_t i = 0; i < count; ++i)
        if (partitions[i].number == number)
            return &partitions[i];
    return nullptr;
}

const char* scheme_name(Scheme s)
{
    switch (s) {
    case Scheme::None:
        return "none";
    case Scheme::Mbr:
        return "MBR";
    case Scheme::Gpt:
        return "GPT";
    }
    return "?";
}

base::Result<Table> read_table(SectorReader& reader, uint32_t sector_size, uint64_t disk_sectors)
{
    if (sector_size < layout::mbr_size || sector_size > max_sector_size || (sector_size & (sector_size - 1)))
        return error(Errc::InvalidArgument, "sector size is not a power of two from 512 to 4096");
    Table table;
    if (disk_sectors == 0)
        return table;
    Disk disk(reader, sector_size, disk_sectors);
    Builder out(table);
    TRY(disk.read(0));
    if (!has_mbr_signature(disk.data()))
        return table;
    MbrEntry entries[layout::mbr_entry_count];
    load_mbr_entries(disk.data(), entries);

    // A protective (or hybrid) MBR: the GPT is the table, the MBR's other entries are ignored.
    for (const MbrEntry& e : entries) {
        if (e.type == layout::mbr_type::gpt_protective) {
            table.scheme = Scheme::Gpt;
            TRY(read_gpt(disk, out));
            warn_about_overlaps(out);
            return table;
        }
    }
    // 0x55aa with boot indicators other than 0x00 and 0x80 is a boot sector (a FAT file system's,
    // say), not a partition table: Linux's msdos.c decides so too.
    for (const MbrEntry& e : entries)
        if (e.boot_indicator != 0x00 && e.boot_indicator != 0x80)
            return table;
    table.scheme = Scheme::Mbr;
    TRY(read_mbr(disk, out, entries));
    return table;
}

} // namespace partition

namespace base {

void Formatter<partition::Guid>::format(Sink& s, const FormatSpec&, const partition::Guid& g)
{
    // The first three fields are little-endian on disk, the last two big-endian.
    static constexpr uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
    static constexpr char digits[] = "0123456789ABCDEF";
    for (unsigned i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            s.put('-');
        uint8_t b = g.bytes[order[i]];
        s.put(digits[b >> 4]);
        s.put(digits[b & 15]);
    }
}

void Formatter<partition::Warning>::format(Sink& s, const FormatSpec&, const partition::Warning& w)
{
    if (w.partition && w.other)
        base::format(s, "partitions {} and {}: {}", w.partition, w.other, w.what);
    else if (w.partition)
        base::format(s, "partition {}: {}", w.partition, w.what);
    else
        base::format(s, "{}", w.what);
}

} // namespace base
