// The MBR: its signature and four entries, and the primary, extended and logical partitions it
// holds (the EBR chains of its extended partitions). Internal to the library.
#pragma once

#include "partition/builder.h"
#include "partition/disk.h"
#include "partition/partition_layout.h"

namespace partition {

// Whether a sector ends with the 0x55aa signature of an MBR or an EBR.
bool has_mbr_signature(const uint8_t* sector);

void load_mbr_entries(const uint8_t* sector, layout::MbrEntry (&entries)[layout::mbr_entry_count]);

// Reads the partitions of the MBR whose entries are given: the primaries first, then the logical
// partitions of each extended partition in slot order, so that numbers increase (Linux reads
// them in this order too).
base::Result<void> read_mbr(Disk&, Builder&, const layout::MbrEntry (&entries)[layout::mbr_entry_count]);

} // namespace partition
