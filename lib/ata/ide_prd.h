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

// One physically contiguous piece of a transfer's memory: a bounce buffer, or one of the runs of
// pages that memory wired for a reply lies in (vm_pages_phys gives each page's address).
struct PhysicalRun {
    uint64_t physical;
    uint32_t bytes;
};

// What a table built from runs holds: its entries, and the bytes they describe, which the caller
// checks against the command's own length (check_dma_length, ide_completion.h).
struct PrdFill {
    size_t entries = 0;
    uint64_t bytes = 0;
};

// Fills `table` for `runs` in order: the transfer's first bytes go to the first run, the next to
// the next. Each entry is a piece that does not cross a 64 KiB boundary; a run that starts where
// the one before ended continues that one's entry when the boundary allows, so that pages that
// happen to be contiguous take one entry rather than one each. KERN_INVALID_ARGUMENT for no runs,
// an empty or odd run, an odd address, one that reaches past 4 GiB, or more entries than
// `capacity`. (QEMU reads at most one page of table: 512 entries.)
base::Result<PrdFill> build_prd_table(const PhysicalRun* runs, size_t count, PrdEntry* table, size_t capacity);

// The table for the one contiguous range [physical, physical + bytes): how many entries it used.
base::Result<size_t> build_prd_table(uint64_t physical, uint32_t bytes, PrdEntry* table, size_t capacity);

} // namespace ata::ide
