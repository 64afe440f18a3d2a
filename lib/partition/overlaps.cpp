// Overlapping partitions, named pair by pair.
#include "partition/overlaps.h"

#include "partition/disk.h"

namespace partition {

void warn_about_overlaps(Builder& out, const Extended* extended, size_t extended_count)
{
    Table& t = out.table();
    for (size_t i = 0; i < t.count; ++i) {
        const Partition& a = t.partitions[i];
        uint64_t a_last = a.first_sector + a.sector_count - 1;
        for (size_t j = i + 1; j < t.count; ++j) {
            const Partition& b = t.partitions[j];
            if (intersect(a.first_sector, a_last, b.first_sector, b.first_sector + b.sector_count - 1))
                out.warn("overlap", a.number, b.number);
        }
        for (size_t e = 0; e < extended_count; ++e) {
            const Extended& x = extended[e];
            if (a.number >= x.first_logical && a.number < x.end_logical)
                continue;
            if (intersect(a.first_sector, a_last, x.first, x.first + x.count - 1))
                out.warn(a.number < x.number ? "overlap (the second is an extended partition)"
                                             : "overlap (the first is an extended partition)",
                    a.number < x.number ? a.number : x.number, a.number < x.number ? x.number : a.number);
        }
    }
    for (size_t e = 0; e < extended_count; ++e)
        for (size_t f = e + 1; f < extended_count; ++f)
            if (intersect(extended[e].first, extended[e].first + extended[e].count - 1, extended[f].first,
                    extended[f].first + extended[f].count - 1))
                out.warn("overlap (both are extended partitions)", extended[e].number, extended[f].number);
}

} // namespace partition
