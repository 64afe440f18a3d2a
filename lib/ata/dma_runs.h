// The physically contiguous pieces of part of a DMA buffer, for a controller's table of them
// (AHCI's PRDT, IDE's PRD table): shared by both drivers.
#pragma once

#include <stddef.h>

#include "base/result.h"
#include "base/status.h"

namespace ata {

// The pieces of the bytes [skip, skip + bytes) of some memory whose physical runs, in order from
// its first byte, are `runs` (anything with `physical` and `bytes`), written to `out` as `Piece
// { physical, bytes }`. Returns how many pieces it wrote; KERN_INVALID_ARGUMENT when the runs end
// before the range does or `capacity` is too small.
template<typename Piece, typename Run>
base::Result<size_t> slice_runs(const Run* runs, size_t count, size_t skip, size_t bytes, Piece* out, size_t capacity)
{
    using base::status::invalid_argument;
    size_t used = 0;
    for (size_t i = 0; i < count && bytes > 0; ++i) {
        if (skip >= runs[i].bytes) {
            skip -= runs[i].bytes;
            continue;
        }
        if (used == capacity)
            return base::Error(invalid_argument, "the transfer spans more physical runs than the table holds");
        size_t available = runs[i].bytes - skip;
        size_t piece = bytes < available ? bytes : available;
        out[used].physical = runs[i].physical + skip;
        out[used].bytes = static_cast<decltype(out[used].bytes)>(piece);
        ++used;
        skip = 0;
        bytes -= piece;
    }
    if (bytes > 0)
        return base::Error(invalid_argument, "the transfer runs past the end of its memory");
    return used;
}

} // namespace ata
