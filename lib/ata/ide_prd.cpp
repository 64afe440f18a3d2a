// PRD table construction.
#include "ata/ide_prd.h"
#include "base/status.h"

namespace ata::ide {

using base::status::invalid_argument;

namespace {

constexpr uint64_t four_gib = uint64_t(1) << 32;

// An entry's length: a byte count of 0 means 64 KiB.
uint64_t entry_length(const PrdEntry& e)
{
    return e.byte_count ? e.byte_count : prd::boundary;
}

} // namespace

base::Result<PrdFill> build_prd_table(const PhysicalRun* runs, size_t count, PrdEntry* table, size_t capacity)
{
    if (count == 0)
        return base::Error(invalid_argument, "a DMA transfer needs memory to move to or from");
    PrdFill fill;
    uint64_t last_end = 0; // where the last entry ends
    for (size_t i = 0; i < count; ++i) {
        const PhysicalRun& run = runs[i];
        if (run.bytes == 0 || (run.bytes & 1) || (run.physical & 1))
            return base::Error(invalid_argument, "a DMA range must be non-empty and even");
        if (run.physical + run.bytes > four_gib)
            return base::Error(invalid_argument, "a DMA range must lie below 4 GiB");
        uint64_t at = run.physical;
        uint64_t end = run.physical + run.bytes;
        while (at < end) {
            uint64_t next_boundary = (at / prd::boundary + 1) * prd::boundary;
            uint64_t piece_end = next_boundary < end ? next_boundary : end;
            // A piece that continues the last entry inside the same 64 KiB window lengthens it: that
            // entry cannot have begun before the window, since no entry crosses a boundary.
            if (fill.entries > 0 && at == last_end && at % prd::boundary != 0) {
                PrdEntry& last = table[fill.entries - 1];
                // 64 KiB wraps to 0, as the controller reads it.
                last.byte_count = static_cast<uint16_t>(entry_length(last) + (piece_end - at));
            } else {
                if (fill.entries == capacity)
                    return base::Error(invalid_argument, "the DMA range needs more PRD entries than the table holds");
                PrdEntry& e = table[fill.entries++];
                e.physical = static_cast<uint32_t>(at);
                e.byte_count = static_cast<uint16_t>(piece_end - at);
                e.flags = 0;
            }
            last_end = piece_end;
            at = piece_end;
        }
        fill.bytes += run.bytes;
    }
    table[fill.entries - 1].flags = prd::end_of_table;
    return fill;
}

base::Result<size_t> build_prd_table(uint64_t physical, uint32_t bytes, PrdEntry* table, size_t capacity)
{
    PhysicalRun run { physical, bytes };
    auto fill = TRY(build_prd_table(&run, 1, table, capacity));
    return fill.entries;
}

} // namespace ata::ide
