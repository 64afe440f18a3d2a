// PRD table construction.
#include "ata/ide_prd.h"
#include "base/status.h"

namespace ata::ide {

using base::status::invalid_argument;

base::Result<size_t> build_prd_table(uint64_t physical, uint32_t bytes, PrdEntry* table, size_t capacity)
{
    if (bytes == 0 || (bytes & 1) || (physical & 1))
        return base::Error(invalid_argument, "a DMA range must be non-empty and even");
    if (physical + bytes > (uint64_t(1) << 32))
        return base::Error(invalid_argument, "a DMA range must lie below 4 GiB");
    size_t used = 0;
    uint64_t at = physical;
    uint64_t end = physical + bytes;
    while (at < end) {
        if (used == capacity)
            return base::Error(invalid_argument, "the DMA range needs more PRD entries than the table holds");
        uint64_t next_boundary = (at / prd::boundary + 1) * prd::boundary;
        uint64_t piece_end = next_boundary < end ? next_boundary : end;
        uint64_t piece = piece_end - at;
        table[used].physical = static_cast<uint32_t>(at);
        table[used].byte_count = static_cast<uint16_t>(piece); // 64 KiB wraps to 0, as the controller reads it
        table[used].flags = 0;
        ++used;
        at = piece_end;
    }
    table[used - 1].flags = prd::end_of_table;
    return used;
}

} // namespace ata::ide
