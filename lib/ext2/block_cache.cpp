// The block cache: LRU replacement over a fixed pool, write-back of dirty blocks in block order.
#include "ext2/block_cache.h"

namespace ext2 {

BlockRef::BlockRef(BlockCache* cache, uint32_t slot)
    : m_cache(cache)
    , m_slot(slot)
{
    ++m_cache->m_slots[slot].pins;
}

BlockRef& BlockRef::operator=(BlockRef&& o)
{
    if (this != &o) {
        reset();
        m_cache = o.m_cache;
        m_slot = o.m_slot;
        o.m_cache = nullptr;
    }
    return *this;
}

void BlockRef::reset()
{
    if (m_cache)
        --m_cache->m_slots[m_slot].pins;
    m_cache = nullptr;
}

uint8_t* BlockRef::data() const
{
    return m_cache->slot_data(m_slot);
}
BlockNumber BlockRef::number() const
{
    return m_cache->m_slots[m_slot].block;
}
void BlockRef::mark_dirty()
{
    m_cache->m_slots[m_slot].dirty = true;
    m_cache->m_slots[m_slot].checked = false;
}
bool BlockRef::checked() const
{
    return m_cache->m_slots[m_slot].checked;
}
void BlockRef::set_checked()
{
    m_cache->m_slots[m_slot].checked = true;
}

base::Result<void> BlockCache::init(BlockDevice& device, uint32_t block_size, size_t budget_bytes)
{
    m_device = &device;
    m_block_size = block_size;
    m_sectors_per_block = block_size / device.sector_size();
    m_count = budget_bytes / block_size;
    if (m_count < min_blocks)
        m_count = min_blocks;
    if (m_count > (1u << 20))
        m_count = 1u << 20;
    m_buckets = 1;
    while (m_buckets < m_count)
        m_buckets <<= 1;
    auto slots = base::OwnArray<Slot>::create(m_count);
    auto hash = base::OwnArray<uint32_t>::create(m_buckets);
    auto order = base::OwnArray<uint32_t>::create(m_count);
    auto data = base::OwnArray<uint8_t>::create(m_count * block_size);
    // A sixteenth of the cache, at most max_staging_bytes, at least a block.
    size_t staging = m_count * block_size / 16 < max_staging_bytes ? m_count * block_size / 16 : max_staging_bytes;
    m_staging_blocks = staging / block_size ? staging / block_size : 1;
    auto staging_buffer = base::OwnArray<uint8_t>::create(m_staging_blocks * block_size);
    if (slots.is_error() || hash.is_error() || order.is_error() || data.is_error() || staging_buffer.is_error())
        return error(Errc::NoMemory, "no memory for the block cache");
    m_staging = staging_buffer.release_value();
    m_slots = slots.release_value();
    m_hash = hash.release_value();
    m_order = order.release_value();
    m_data = data.release_value();
    for (uint32_t b = 0; b < m_buckets; ++b)
        m_hash[b] = none;
    // All slots start on the LRU list, free (invalid), in index order.
    for (uint32_t i = 0; i < m_count; ++i) {
        m_slots[i] = Slot { BlockNumber(), 0, false, false, false, false, none, i == 0 ? none : i - 1,
            i + 1 == m_count ? none : i + 1 };
    }
    m_lru_head = 0;
    m_lru_tail = static_cast<uint32_t>(m_count - 1);
    return {};
}

uint32_t BlockCache::find(BlockNumber block) const
{
    for (uint32_t s = m_hash[bucket_of(block)]; s != none; s = m_slots[s].hash_next)
        if (m_slots[s].block == block)
            return s;
    return none;
}

void BlockCache::unlink_hash(uint32_t slot)
{
    uint32_t* link = &m_hash[bucket_of(m_slots[slot].block)];
    while (*link != none) {
        if (*link == slot) {
            *link = m_slots[slot].hash_next;
            break;
        }
        link = &m_slots[*link].hash_next;
    }
    m_slots[slot].hash_next = none;
    m_slots[slot].valid = false;
    m_slots[slot].dirty = false;
    m_slots[slot].failed = false;
}

void BlockCache::unlink_lru(uint32_t slot)
{
    Slot& s = m_slots[slot];
    if (s.lru_prev != none)
        m_slots[s.lru_prev].lru_next = s.lru_next;
    if (s.lru_next != none)
        m_slots[s.lru_next].lru_prev = s.lru_prev;
    if (m_lru_head == slot)
        m_lru_head = s.lru_next;
    if (m_lru_tail == slot)
        m_lru_tail = s.lru_prev;
    s.lru_prev = s.lru_next = none;
}

void BlockCache::touch(uint32_t slot)
{
    if (m_lru_head == slot)
        return;
    unlink_lru(slot);
    Slot& s = m_slots[slot];
    s.lru_next = m_lru_head;
    if (m_lru_head != none)
        m_slots[m_lru_head].lru_prev = slot;
    m_lru_head = slot;
    if (m_lru_tail == none)
        m_lru_tail = slot;
}

void BlockCache::retire(uint32_t slot)
{
    unlink_hash(slot);
    if (m_lru_tail == slot)
        return;
    unlink_lru(slot);
    Slot& s = m_slots[slot];
    s.lru_prev = m_lru_tail;
    if (m_lru_tail != none)
        m_slots[m_lru_tail].lru_next = slot;
    m_lru_tail = slot;
    if (m_lru_head == none)
        m_lru_head = slot;
}

void BlockCache::tell_failure(BlockNumber first, uint32_t count, const base::Error& e)
{
    if (m_listener)
        m_listener->write_failed(first, count, e);
}

base::Result<void> BlockCache::write_slot(uint32_t slot)
{
    Slot& s = m_slots[slot];
    auto r = m_device->write(uint64_t(s.block.value()) * m_sectors_per_block, m_sectors_per_block, slot_data(slot));
    // Clean either way: a failed write is not retried (see the header).
    s.dirty = false;
    s.failed = r.is_error();
    if (r.is_error())
        tell_failure(s.block, 1, r.error());
    return r;
}

base::Result<uint32_t> BlockCache::claim(BlockNumber block)
{
    // The least recently used unpinned slot. A slot whose block was forgotten is retired to the
    // least recently used end, so it is taken before any valid one: the memory the cache
    // touches follows what it holds, not every block it ever held. A block whose write failed
    // is taken only when nothing else is left (the second pass).
    for (int pass = 0; pass < 2; ++pass) {
        for (uint32_t s = m_lru_tail; s != none; s = m_slots[s].lru_prev) {
            Slot& slot = m_slots[s];
            if (slot.pins || (pass == 0 && slot.valid && slot.failed))
                continue;
            if (slot.valid) {
                // A failed write was told to the listener; the block stays as a failed one and
                // another slot is looked for, and the request that needs a slot goes on.
                if (slot.dirty && write_slot(s).is_error() && pass == 0)
                    continue;
                unlink_hash(s);
            }
            slot.block = block;
            slot.valid = true;
            slot.dirty = false;
            slot.failed = false;
            slot.checked = false;
            uint32_t bucket = bucket_of(block);
            slot.hash_next = m_hash[bucket];
            m_hash[bucket] = s;
            touch(s);
            return s;
        }
    }
    return error(Errc::NoMemory, "every block of the cache is in use");
}

base::Result<BlockRef> BlockCache::get(BlockNumber block)
{
    uint32_t s = find(block);
    if (s != none) {
        touch(s);
        return BlockRef(this, s);
    }
    s = TRY(claim(block));
    auto r = m_device->read(uint64_t(block.value()) * m_sectors_per_block, m_sectors_per_block, slot_data(s));
    if (r.is_error()) {
        retire(s);
        return r.error();
    }
    return BlockRef(this, s);
}

base::Result<BlockRef> BlockCache::get_zeroed(BlockNumber block)
{
    uint32_t s = find(block);
    if (s == none)
        s = TRY(claim(block));
    else
        touch(s);
    __builtin_memset(slot_data(s), 0, m_block_size);
    m_slots[s].dirty = true;
    m_slots[s].checked = false;
    return BlockRef(this, s);
}

void BlockCache::forget(BlockNumber block)
{
    uint32_t s = find(block);
    // A pinned copy leaves the table too: its holder may still use the buffer, but nobody finds
    // it again and it is never written.
    if (s != none)
        retire(s);
}

const uint8_t* BlockCache::dirty_copy(BlockNumber block) const
{
    uint32_t s = find(block);
    return s != none && (m_slots[s].dirty || m_slots[s].failed) ? slot_data(s) : nullptr;
}

base::Result<void> BlockCache::write_back()
{
    size_t n = 0;
    for (uint32_t s = 0; s < m_count; ++s)
        if (m_slots[s].valid && m_slots[s].dirty)
            m_order[n++] = s;
    // Shell sort by block number: sequential writes for the device, no allocation.
    for (size_t gap = n / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < n; ++i)
            for (size_t j = i; j >= gap && m_slots[m_order[j - gap]].block > m_slots[m_order[j]].block; j -= gap) {
                uint32_t t = m_order[j];
                m_order[j] = m_order[j - gap];
                m_order[j - gap] = t;
            }
    base::Result<void> first_failure;
    for (size_t i = 0; i < n;) {
        // A run of consecutive blocks goes out as one transfer through the staging buffer; a
        // run whose transfer fails is written again block by block, so that exactly the blocks
        // the device refuses are told and kept as failed.
        size_t end = i + 1;
        while (
            end < n && end - i < m_staging_blocks && m_slots[m_order[end]].block == m_slots[m_order[end - 1]].block + 1)
            ++end;
        if (end - i > 1) {
            for (size_t k = i; k < end; ++k)
                __builtin_memcpy(m_staging.data() + (k - i) * m_block_size, slot_data(m_order[k]), m_block_size);
            uint32_t count = static_cast<uint32_t>(end - i);
            auto r = m_device->write(uint64_t(m_slots[m_order[i]].block.value()) * m_sectors_per_block,
                count * m_sectors_per_block, m_staging.data());
            if (!r.is_error()) {
                for (size_t k = i; k < end; ++k)
                    m_slots[m_order[k]].dirty = m_slots[m_order[k]].failed = false;
                i = end;
                continue;
            }
        }
        for (size_t k = i; k < end; ++k) {
            auto r = write_slot(m_order[k]);
            if (r.is_error() && !first_failure.is_error())
                first_failure = r;
        }
        i = end;
    }
    return first_failure;
}

base::Result<void> BlockCache::read_blocks(BlockNumber first, uint32_t count, void* buffer)
{
    return m_device->read(uint64_t(first.value()) * m_sectors_per_block, count * m_sectors_per_block, buffer);
}

base::Result<void> BlockCache::write_blocks(BlockNumber first, uint32_t count, const void* buffer)
{
    auto r = m_device->write(uint64_t(first.value()) * m_sectors_per_block, count * m_sectors_per_block, buffer);
    if (r.is_error())
        tell_failure(first, count, r.error());
    return r;
}

size_t BlockCache::bytes() const
{
    return m_count * (m_block_size + sizeof(Slot) + sizeof(uint32_t)) + m_buckets * sizeof(uint32_t)
        + m_staging_blocks * m_block_size;
}

size_t BlockCache::cached_blocks() const
{
    size_t n = 0;
    for (uint32_t s = 0; s < m_count; ++s)
        n += m_slots[s].valid;
    return n;
}

size_t BlockCache::dirty_blocks() const
{
    size_t n = 0;
    for (uint32_t s = 0; s < m_count; ++s)
        n += m_slots[s].valid && m_slots[s].dirty;
    return n;
}

} // namespace ext2
