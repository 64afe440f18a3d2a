// Warnings on partitions that lie over each other, MBR and GPT alike. Internal to the library.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "partition/builder.h"

namespace partition {

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
void warn_about_overlaps(Builder& out, const Extended* extended = nullptr, size_t extended_count = 0);

} // namespace partition
