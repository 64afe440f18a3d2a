// Reading an MBR and the EBR chains of its extended partitions, as Linux's
// block/partitions/msdos.c and the util-linux tools read them; the rules are in partition.h.
#include "partition/mbr.h"

#include "partition/overlaps.h"

namespace partition {

using layout::MbrEntry;

bool has_mbr_signature(const uint8_t* sector)
{
    return bytes_equal(sector + layout::mbr_signature_offset, layout::mbr_signature, 2);
}

void load_mbr_entries(const uint8_t* sector, MbrEntry (&entries)[layout::mbr_entry_count])
{
    for (unsigned i = 0; i < layout::mbr_entry_count; ++i)
        entries[i] = load<MbrEntry>(sector + layout::mbr_entries_offset + i * sizeof(MbrEntry));
}

namespace {

bool is_used(const MbrEntry& e)
{
    return e.type != layout::mbr_type::empty && e.sector_count.value() != 0;
}

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

} // namespace

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

} // namespace partition
