// Partitions of a disk as volumes wdNsM of rumpdisk.
#pragma once

#include "block_server.h"

namespace rumpdisk {

// Reads the disk's partition table (MBR with extended/logical partitions, or GPT) and adds a
// volume per partition, printing one line each. A disk whose table is unreadable or corrupt is
// still served whole; the console says what was wrong.
void add_partitions(BlockServer&, const Volume& whole);

} // namespace rumpdisk
