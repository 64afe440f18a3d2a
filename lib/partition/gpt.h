// The GPT: the primary header at LBA 1, else the backup at the disk's last LBA, and the entry
// array either names. Internal to the library.
#pragma once

#include "partition/builder.h"
#include "partition/disk.h"

namespace partition {

// Reads the GPT into out: the primary header at LBA 1, else the backup at the disk's last LBA
// (as Linux, which does not trust the primary's pointer to its alternate when the primary is
// bad). Both bad: Errc::Corrupt, out empty.
base::Result<void> read_gpt(Disk&, Builder& out);

} // namespace partition
