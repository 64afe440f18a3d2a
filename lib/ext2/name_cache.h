// Where the names of big directories are, for directories without a usable hash index: for each
// name, the directory block that holds it and its offset there, by a 32-bit hash of the name. An
// entry never moves (a removal merges it into the entry before it, an addition takes a gap), so
// a lookup reads the one entry (or the few) its hash points to instead of scanning blocks, and
// looking up every name of a directory of n entries costs O(n), not O(n^2).
//
// A directory's table is made by one scan, at its first lookup, and kept up to date by
// add_entry and remove_entry; any change that fails midway drops it. Tables are keyed by inode
// number and generation, so a table never outlives its directory's inode.
//
// The budget: at most max_directories tables and max_names names in all (8 bytes a slot, at most
// two slots a name: 2 MiB), the least recently used table going first. A directory of fewer than
// min_blocks blocks is scanned instead (as cheap as a table); one over the budget, or with more
// blocks than a slot can name (max_blocks), too.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/own.h"
#include "base/string_view.h"
#include "ext2/filesystem.h"
#include "ext2/numbers.h"

namespace ext2 {

class NameTable {
public:
    // The slot count for n names: a power of two at least twice n.
    static size_t slots_for(size_t names);
    bool reserve(size_t names);
    // False when out of memory, or when the place cannot be held in a slot (is_representable).
    bool insert(uint32_t hash, LogicalBlock, uint32_t offset);
    void erase(uint32_t hash, LogicalBlock, uint32_t offset);
    // Calls visit(logical, offset) for each entry whose name has this hash, until it returns
    // true; returns whether one did.
    template<typename Visit> bool visit(uint32_t hash, Visit&& visit) const
    {
        if (!m_slots)
            return false;
        size_t mask = m_capacity - 1;
        for (size_t i = hash & mask, probes = 0; probes < m_capacity; i = (i + 1) & mask, ++probes) {
            uint64_t s = m_slots[i];
            if (s == empty)
                return false;
            if (s != erased && uint32_t(s >> 32) == hash) {
                uint32_t place = uint32_t(s) - 2;
                if (visit(LogicalBlock(place >> offset_bits), (place & ((1u << offset_bits) - 1)) << 2))
                    return true;
            }
        }
        return false;
    }
    size_t names() const { return m_names; }
    size_t capacity() const { return m_capacity; }

    // Offsets are multiples of 4 below 64 KiB (the largest block): 14 bits; the block takes
    // the rest of the slot's low half.
    static constexpr uint32_t offset_bits = 14;
    static constexpr uint32_t max_blocks = (1u << (32 - offset_bits)) - 1;
    static bool is_representable(LogicalBlock logical, uint32_t offset)
    {
        return logical.value() < max_blocks && offset % 4 == 0 && offset < (4u << offset_bits);
    }

private:
    // A slot: the name's hash above; below, the block and the offset / 4, plus 2, so that no
    // live slot is `empty` or `erased`.
    static constexpr uint64_t empty = 0;
    static constexpr uint64_t erased = 1;
    static uint64_t slot_of(uint32_t hash, LogicalBlock logical, uint32_t offset)
    {
        uint32_t place = (logical.value() << offset_bits) | (offset >> 2);
        return (uint64_t(hash) << 32) | (uint64_t(place) + 2);
    }
    bool grow();
    bool rehash(size_t capacity);
    void place(uint64_t slot); // into the first free slot of its probe sequence; room was made

    base::OwnArray<uint64_t> m_slots;
    size_t m_capacity = 0;
    size_t m_names = 0;
    size_t m_used = 0; // names and erased slots
};

class NameCache {
public:
    static constexpr size_t max_directories = 8;
    static constexpr size_t max_names = 128 * 1024;
    static constexpr uint32_t min_blocks = 2;

    NameCache() = default;
    NameCache(const NameCache&) = delete;
    NameCache& operator=(const NameCache&) = delete;

    static uint32_t hash(base::StringView name);

    // The table of this directory, or null; marks it used.
    NameTable* find(Ino ino, uint32_t generation);
    // A new, empty table for this directory, with room for `names` names, making room by dropping
    // the least recently used ones; null when over the budget or out of memory.
    NameTable* make(Ino ino, uint32_t generation, size_t names);
    void forget(Ino ino);
    // Whether a table would be kept for a directory of this many blocks.
    static bool worth_it(uint32_t blocks) { return blocks >= min_blocks && blocks <= NameTable::max_blocks; }
    // For statistics: the names held in all tables, and the tables' memory.
    size_t names() const;
    size_t bytes() const;

private:
    struct Entry {
        Ino ino = 0;
        uint32_t generation = 0;
        uint64_t used = 0; // the use counter's value at the last find or make
        base::Own<NameTable> table;
    };
    void drop(Entry&);
    Entry m_entries[max_directories];
    uint64_t m_clock = 0;
};

} // namespace ext2
