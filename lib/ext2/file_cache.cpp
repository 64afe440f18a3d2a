// The file data cache: chunks found by hash, dropped least recently used first.
#include "ext2/file_cache.h"

#include <new>

namespace ext2 {

namespace {

// The library's own chunks when the caller gives no ChunkMemory (the host tests).
class HeapChunkMemory final : public ChunkMemory {
public:
    uint8_t* allocate() override { return new (std::nothrow) uint8_t[chunk_bytes]; }
    void free(uint8_t* memory) override { delete[] memory; }
};

HeapChunkMemory heap_chunks;

bool bit(const uint64_t* map, uint32_t page)
{
    return map[page / 64] >> (page % 64) & 1;
}
void set_bit(uint64_t* map, uint32_t page)
{
    map[page / 64] |= uint64_t(1) << (page % 64);
}
void clear_bit(uint64_t* map, uint32_t page)
{
    map[page / 64] &= ~(uint64_t(1) << (page % 64));
}

} // namespace

FileCache::~FileCache()
{
    drop_all();
}

base::Result<void> FileCache::init(ChunkMemory* memory, size_t budget_bytes)
{
    drop_all();
    m_memory = memory ? memory : &heap_chunks;
    size_t pages = budget_bytes / page_bytes;
    if (pages == 0) {
        m_budget_pages = 0;
        return {};
    }
    // At least one whole chunk, so that any view fits.
    m_budget_pages = static_cast<uint32_t>(pages < pages_per_chunk ? pages_per_chunk : pages);
    m_bucket_count = 1;
    while (m_bucket_count < max_chunks)
        m_bucket_count <<= 1;
    auto chunks = base::OwnArray<Chunk>::create(max_chunks);
    auto buckets = base::OwnArray<uint32_t>::create(m_bucket_count);
    if (chunks.is_error() || buckets.is_error())
        return error(Errc::NoMemory, "no memory for the file data cache's table");
    m_chunks = chunks.release_value();
    m_buckets = buckets.release_value();
    for (uint32_t b = 0; b < m_bucket_count; ++b)
        m_buckets[b] = none;
    m_free_head = none;
    for (uint32_t i = max_chunks; i-- > 0;) {
        m_chunks[i] = Chunk {};
        m_chunks[i].hash_next = m_free_head;
        m_chunks[i].lru_prev = m_chunks[i].lru_next = none;
        m_free_head = i;
    }
    m_lru_head = m_lru_tail = none;
    m_filled_pages = 0;
    m_chunk_count = 0;
    m_stats = {};
    return {};
}

uint32_t FileCache::find(Ino ino, uint32_t index) const
{
    for (uint32_t s = m_buckets[bucket_of(ino, index)]; s != none; s = m_chunks[s].hash_next)
        if (m_chunks[s].ino == ino && m_chunks[s].index == index)
            return s;
    return none;
}

void FileCache::unlink_lru(uint32_t slot)
{
    Chunk& c = m_chunks[slot];
    if (c.lru_prev != none)
        m_chunks[c.lru_prev].lru_next = c.lru_next;
    else
        m_lru_head = c.lru_next;
    if (c.lru_next != none)
        m_chunks[c.lru_next].lru_prev = c.lru_prev;
    else
        m_lru_tail = c.lru_prev;
    c.lru_prev = c.lru_next = none;
}

void FileCache::push_front(uint32_t slot)
{
    Chunk& c = m_chunks[slot];
    c.lru_prev = none;
    c.lru_next = m_lru_head;
    if (m_lru_head != none)
        m_chunks[m_lru_head].lru_prev = slot;
    m_lru_head = slot;
    if (m_lru_tail == none)
        m_lru_tail = slot;
}

void FileCache::release(uint32_t slot)
{
    Chunk& c = m_chunks[slot];
    uint32_t* link = &m_buckets[bucket_of(c.ino, c.index)];
    while (*link != slot)
        link = &m_chunks[*link].hash_next;
    *link = c.hash_next;
    unlink_lru(slot);
    m_memory->free(c.memory);
    m_filled_pages -= c.filled;
    --m_chunk_count;
    c = Chunk {};
    c.lru_prev = c.lru_next = none;
    c.hash_next = m_free_head;
    m_free_head = slot;
}

bool FileCache::make_room(uint32_t pages, uint32_t keep)
{
    // The least recently used chunks go, never the one being filled.
    uint32_t s = m_lru_tail;
    while (m_filled_pages + pages > m_budget_pages && s != none) {
        uint32_t previous = m_chunks[s].lru_prev;
        if (s != keep) {
            release(s);
            ++m_stats.evictions;
        }
        s = previous;
    }
    return m_filled_pages + pages <= m_budget_pages;
}

uint32_t FileCache::claim(Ino ino, uint32_t index, uint32_t pages)
{
    if (m_free_head == none) {
        // Every entry in use: the least recently used one goes.
        release(m_lru_tail);
        ++m_stats.evictions;
    }
    if (!make_room(pages, none))
        return none;
    uint8_t* memory = m_memory->allocate();
    if (!memory)
        return none;
    uint32_t slot = m_free_head;
    Chunk& c = m_chunks[slot];
    m_free_head = c.hash_next;
    c = Chunk {};
    c.ino = ino;
    c.index = index;
    c.memory = memory;
    uint32_t bucket = bucket_of(ino, index);
    c.hash_next = m_buckets[bucket];
    m_buckets[bucket] = slot;
    push_front(slot);
    ++m_chunk_count;
    return slot;
}

base::Result<uint8_t*> FileCache::view(
    Ino ino, uint32_t index, uint32_t first_page, uint32_t end_page, uint32_t ahead_end, Filler fill, void* context)
{
    if (!enabled() || first_page >= end_page || end_page > pages_per_chunk)
        return static_cast<uint8_t*>(nullptr);
    if (ahead_end > pages_per_chunk)
        ahead_end = pages_per_chunk;
    uint32_t slot = find(ino, index);
    uint32_t ahead = end_page;
    if (slot != none) {
        const Chunk& c = m_chunks[slot];
        bool complete = true;
        for (uint32_t p = first_page; p < end_page && complete; ++p)
            complete = bit(c.valid, p);
        // A miss that follows valid pages (or starts the chunk) reads ahead.
        if (!complete && (first_page == 0 || bit(c.valid, first_page - 1)) && ahead_end > end_page)
            ahead = ahead_end;
        uint32_t missing = 0;
        for (uint32_t p = first_page; p < ahead; ++p)
            missing += !bit(c.touched, p);
        if (!make_room(missing, slot))
            return static_cast<uint8_t*>(nullptr);
        unlink_lru(slot);
        push_front(slot);
    } else {
        if (first_page == 0 && ahead_end > end_page)
            ahead = ahead_end;
        slot = claim(ino, index, ahead - first_page);
        if (slot == none)
            return static_cast<uint8_t*>(nullptr);
    }
    // The read-ahead goes in the same transfers as the pages asked for; when that fails, the
    // pages asked for are filled alone, so that a damaged block past them fails only the reads
    // that reach it.
    if (ahead > end_page && !fill_range(slot, first_page, ahead, fill, context).is_error())
        return m_chunks[slot].memory;
    TRY(fill_range(slot, first_page, end_page, fill, context));
    return m_chunks[slot].memory;
}

base::Result<void> FileCache::fill_range(
    uint32_t slot, uint32_t first_page, uint32_t end_page, Filler fill, void* context)
{
    Chunk& c = m_chunks[slot];
    uint32_t p = first_page;
    while (p < end_page) {
        if (bit(c.valid, p)) {
            ++m_stats.hits;
            ++p;
            continue;
        }
        uint32_t end = p + 1;
        while (end < end_page && !bit(c.valid, end))
            ++end;
        // The pages count against the budget from now: fill() writes them, even when it fails.
        for (uint32_t q = p; q < end; ++q) {
            if (!bit(c.touched, q)) {
                set_bit(c.touched, q);
                ++c.filled;
                ++m_filled_pages;
            }
        }
        TRY(fill(context, c.memory, p, end));
        for (uint32_t q = p; q < end; ++q)
            set_bit(c.valid, q);
        m_stats.fills += end - p;
        p = end;
    }
    return {};
}

void FileCache::invalidate_pages(uint32_t slot, uint32_t first, uint32_t end)
{
    for (uint32_t p = first; p < end; ++p)
        clear_bit(m_chunks[slot].valid, p);
}

void FileCache::invalidate(Ino ino, uint64_t from, uint64_t to)
{
    if (!enabled() || m_chunk_count == 0 || from >= to)
        return;
    uint64_t first_chunk = from / chunk_bytes;
    uint64_t last_chunk = (to - 1) / chunk_bytes;
    auto pages_of = [&](uint32_t slot) {
        uint64_t base = uint64_t(m_chunks[slot].index) * chunk_bytes;
        uint64_t lo = from > base ? from - base : 0;
        uint64_t hi = to - base < chunk_bytes ? to - base : chunk_bytes;
        if (lo == 0 && hi == chunk_bytes) {
            release(slot); // nothing of it stays valid: its memory goes now
            return;
        }
        invalidate_pages(
            slot, static_cast<uint32_t>(lo / page_bytes), static_cast<uint32_t>((hi + page_bytes - 1) / page_bytes));
    };
    if (last_chunk - first_chunk < 64) {
        for (uint64_t i = first_chunk; i <= last_chunk; ++i) {
            uint32_t slot = find(ino, static_cast<uint32_t>(i));
            if (slot != none)
                pages_of(slot);
        }
        return;
    }
    // A wide range (a truncation to far away): every chunk of the file is looked at once.
    for (uint32_t s = 0; s < max_chunks; ++s) {
        const Chunk& c = m_chunks[s];
        if (c.memory && c.ino == ino && c.index >= first_chunk && c.index <= last_chunk)
            pages_of(s);
    }
}

void FileCache::drop(Ino ino, uint64_t size)
{
    // Pages past the size are never valid (every change of size invalidates between the old
    // and the new one), so the chunks up to it are all that may hold something.
    invalidate(ino, 0, (size / chunk_bytes + 1) * chunk_bytes);
}

void FileCache::drop_all()
{
    if (!m_chunks)
        return;
    for (uint32_t s = 0; s < max_chunks; ++s)
        if (m_chunks[s].memory)
            release(s);
}

} // namespace ext2
