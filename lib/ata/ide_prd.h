// The physical region descriptor (PRD) table of SFF-8038i bus-master IDE DMA: where the
// controller moves a transfer's bytes. Each entry names one physically contiguous piece that
// does not cross a 64 KiB boundary; the last entry carries the end-of-table bit.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

namespace ata::ide {

struct PrdEntry {
    uint32_t physical; // even, below 4 GiB
    uint16_t byte_count; // even; 0 means 64 KiB
    uint16_t flags;
};
static_assert(sizeof(PrdEntry) == 8);

namespace prd {
constexpr uint16_t end_of_table = 0x8000;
constexpr uint64_t boundary = 0x10000; // no piece crosses a multiple of 64 KiB
// The table itself must be 4-byte aligned and must not cross a 64 KiB boundary either.
constexpr size_t table_alignment = 4;
} // namespace prd

// Fills `table` for the contiguous physical range [physical, physical + bytes) and returns how
// many entries it used. KERN_INVALID_ARGUMENT for an empty or odd range, one that reaches past
// 4 GiB, or one that needs more than `capacity` entries.
base::Result<size_t> build_prd_table(uint64_t physical, uint32_t bytes, PrdEntry* table, size_t capacity);

} // namespace ata::ide
