// Filling the Table read_table returns: partitions in order, warnings up to their capacity.
// Internal to the library.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "partition/partition.h"

namespace partition {

// Fills a Table: partitions in the order given (the callers give increasing numbers), warnings
// up to the capacity.
class Builder {
public:
    explicit Builder(Table& table)
        : m_table(table)
    {
    }

    void warn(const char* what, unsigned partition = 0, unsigned other = 0)
    {
        if (m_table.warning_count == max_warnings) {
            m_table.more_warnings = true;
            return;
        }
        m_table.warnings[m_table.warning_count++] = { what, partition, other };
    }

    void add(const Partition& p)
    {
        if (m_table.count == max_partitions) {
            if (!m_full) {
                warn("left out, with every partition after it: the table holds 128 partitions", p.number);
                m_full = true;
            }
            return;
        }
        m_table.partitions[m_table.count++] = p;
    }

    // Drops, with a warning each, the partitions that contain one of the sectors given.
    void drop_over(const uint64_t* sectors, size_t sector_count, const char* what)
    {
        size_t kept = 0;
        for (size_t i = 0; i < m_table.count; ++i) {
            const Partition& p = m_table.partitions[i];
            bool over = false;
            for (size_t s = 0; s < sector_count && !over; ++s)
                over = sectors[s] >= p.first_sector && sectors[s] - p.first_sector < p.sector_count;
            if (over)
                warn(what, p.number);
            else
                m_table.partitions[kept++] = p;
        }
        m_table.count = kept;
    }

    void reset()
    {
        m_table.count = 0;
        m_table.warning_count = 0;
        m_table.more_warnings = false;
        m_full = false;
    }

    Table& table() { return m_table; }

private:
    Table& m_table;
    bool m_full = false;
};

} // namespace partition
