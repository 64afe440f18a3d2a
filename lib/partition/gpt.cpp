// Reading a GPT, as Linux's block/partitions/efi.c and the util-linux tools read it; the rules
// are in partition.h.
#include "partition/gpt.h"

#include "partition/crc32.h"
#include "partition/partition_layout.h"

namespace partition {

using layout::GptEntry;
using layout::GptHeader;

namespace {

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

} // namespace

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

} // namespace partition
