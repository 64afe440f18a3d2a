// A fixed-size map from a nonzero 32-bit name (a Mach port name) to a value: open addressing,
// linear probing, and deletion by shifting the entries after the hole back, so lookups stay
// short however many names come and go (no tombstones). Twice as many slots as entries at
// most. Portable and host-tested; the runtime's table of served ports is one.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace base {

template<typename Value, size_t MaxEntries> class NameTable {
public:
    static constexpr size_t max_entries = MaxEntries;

    // False when the name is zero, already there, or the table is full.
    bool insert(uint32_t name, const Value& value)
    {
        if (name == 0 || find(name) || m_count == max_entries)
            return false;
        size_t i = home(name);
        while (m_slots[i].name != 0)
            i = next(i);
        m_slots[i] = Slot { name, value };
        ++m_count;
        return true;
    }

    Value* find(uint32_t name)
    {
        Slot* s = slot_of(name);
        return s ? &s->value : nullptr;
    }

    void remove(uint32_t name)
    {
        Slot* s = slot_of(name);
        if (!s)
            return;
        size_t hole = static_cast<size_t>(s - m_slots);
        m_slots[hole] = Slot {};
        --m_count;
        // An entry of the run after the hole moves into it unless its home lies cyclically
        // after the hole and at or before where it sits: then a probe from its home would not
        // pass the hole.
        for (size_t i = next(hole); m_slots[i].name != 0; i = next(i)) {
            size_t want = home(m_slots[i].name);
            bool stays = hole <= i ? (want > hole && want <= i) : (want > hole || want <= i);
            if (!stays) {
                m_slots[hole] = m_slots[i];
                m_slots[i] = Slot {};
                hole = i;
            }
        }
    }

    size_t size() const { return m_count; }

private:
    static constexpr size_t slot_count = [] {
        size_t n = 1;
        while (n < 2 * MaxEntries)
            n *= 2;
        return n;
    }();
    static constexpr unsigned slot_bits = __builtin_ctzll(slot_count);

    struct Slot {
        uint32_t name = 0;
        Value value {};
    };

    static size_t home(uint32_t name)
    {
        // Fibonacci hashing: port names differ mostly in their low bits.
        return static_cast<size_t>((static_cast<uint64_t>(name) * 0x9e3779b97f4a7c15ULL) >> (64 - slot_bits));
    }
    static size_t next(size_t i) { return (i + 1) & (slot_count - 1); }

    Slot* slot_of(uint32_t name)
    {
        if (name == 0)
            return nullptr;
        for (size_t i = home(name), n = 0; n < slot_count; i = next(i), ++n) {
            if (m_slots[i].name == name)
                return &m_slots[i];
            if (m_slots[i].name == 0)
                return nullptr;
        }
        return nullptr;
    }

    Slot m_slots[slot_count];
    size_t m_count = 0;
};

} // namespace base
