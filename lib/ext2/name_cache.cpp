// The name tables of big directories (name_cache.h).
#include "ext2/name_cache.h"

namespace ext2 {

size_t NameTable::slots_for(size_t names)
{
    size_t n = 16;
    while (n < 2 * names + 2)
        n *= 2;
    return n;
}

bool NameTable::reserve(size_t names)
{
    size_t capacity = slots_for(names);
    return capacity <= m_capacity || rehash(capacity);
}

bool NameTable::rehash(size_t capacity)
{
    auto slots = base::OwnArray<uint64_t>::create(capacity);
    if (slots.is_error())
        return false;
    base::OwnArray<uint64_t> old = static_cast<base::OwnArray<uint64_t>&&>(m_slots);
    m_slots = slots.release_value();
    for (size_t i = 0; i < capacity; ++i)
        m_slots[i] = empty;
    size_t old_capacity = m_capacity;
    m_capacity = capacity;
    m_names = m_used = 0;
    for (size_t i = 0; i < old_capacity; ++i)
        if (old[i] != empty && old[i] != erased)
            place(old[i]);
    return true;
}

bool NameTable::grow()
{
    // A rehash with room for twice the live names; erased slots are dropped by it, so that at
    // most half the slots are ever taken and a probe always meets an empty one.
    size_t capacity = slots_for(m_names * 2 + 16);
    return rehash(capacity > m_capacity ? capacity : m_capacity);
}

bool NameTable::insert(uint32_t hash, LogicalBlock logical, uint32_t offset)
{
    if (!is_representable(logical, offset))
        return false;
    if (!m_slots || 2 * (m_used + 1) > m_capacity) {
        if (!grow())
            return false;
    }
    place(slot_of(hash, logical, offset));
    return true;
}

void NameTable::place(uint64_t slot)
{
    size_t mask = m_capacity - 1;
    size_t i = uint32_t(slot >> 32) & mask;
    while (m_slots[i] != empty)
        i = (i + 1) & mask;
    m_slots[i] = slot;
    ++m_names;
    ++m_used;
}

void NameTable::erase(uint32_t hash, LogicalBlock logical, uint32_t offset)
{
    if (!m_slots || !is_representable(logical, offset))
        return;
    size_t mask = m_capacity - 1;
    uint64_t wanted = slot_of(hash, logical, offset);
    for (size_t i = hash & mask, probes = 0; probes < m_capacity; i = (i + 1) & mask, ++probes) {
        if (m_slots[i] == empty)
            return;
        if (m_slots[i] == wanted) {
            m_slots[i] = erased;
            --m_names;
            return;
        }
    }
}

uint32_t NameCache::hash(base::StringView name)
{
    // FNV-1a: cheap, and collisions only cost a block scan.
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < name.size(); ++i) {
        h ^= static_cast<unsigned char>(name[i]);
        h *= 16777619u;
    }
    return h;
}

NameTable* NameCache::find(Ino ino, uint32_t generation)
{
    for (auto& e : m_entries) {
        if (e.table && e.ino == ino && e.generation == generation) {
            e.used = ++m_clock;
            return e.table.get();
        }
    }
    return nullptr;
}

NameTable* NameCache::make(Ino ino, uint32_t generation, size_t names)
{
    if (names > max_names)
        return nullptr;
    forget(ino);
    // Room: a free entry, and the names under the budget, dropping the least recently used.
    for (;;) {
        size_t held = this->names();
        Entry* free_entry = nullptr;
        Entry* oldest = nullptr;
        for (auto& e : m_entries) {
            if (!e.table)
                free_entry = free_entry ? free_entry : &e;
            else if (!oldest || e.used < oldest->used)
                oldest = &e;
        }
        if (free_entry && held + names <= max_names) {
            auto table = base::create<NameTable>();
            if (table.is_error() || !table.value()->reserve(names))
                return nullptr;
            *free_entry = Entry { ino, generation, ++m_clock, table.release_value() };
            return free_entry->table.get();
        }
        if (!oldest)
            return nullptr;
        drop(*oldest);
    }
}

void NameCache::forget(Ino ino)
{
    for (auto& e : m_entries)
        if (e.table && e.ino == ino)
            drop(e);
}

void NameCache::drop(Entry& e)
{
    e = Entry {};
}

size_t NameCache::names() const
{
    size_t n = 0;
    for (const auto& e : m_entries)
        if (e.table)
            n += e.table->names();
    return n;
}

size_t NameCache::bytes() const
{
    size_t n = 0;
    for (const auto& e : m_entries)
        if (e.table)
            n += sizeof(NameTable) + e.table->capacity() * sizeof(uint64_t);
    return n;
}

} // namespace ext2
