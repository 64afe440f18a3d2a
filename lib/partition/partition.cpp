// Reading a partition table: the MBR sector decides between MBR and GPT; the rules are in
// partition.h, the readers in mbr.cpp and gpt.cpp.
#include "partition/partition.h"

#include "partition/builder.h"
#include "partition/disk.h"
#include "partition/gpt.h"
#include "partition/mbr.h"
#include "partition/overlaps.h"
#include "partition/partition_layout.h"

namespace partition {

using layout::MbrEntry;

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
