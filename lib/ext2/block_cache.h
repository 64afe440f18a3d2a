// The block cache: a fixed pool of filesystem blocks, allocated once at mount, found by hash,
// replaced least recently used first, written back when dirty (on eviction or on write_back).
// A BlockRef pins its block while it is held, so that a request can hold the few blocks it
// works on (an inode table block, a bitmap, an indirect block) without one evicting another.
//
// Writes the device refuses: every one is told to the WriteFailureListener (the volume, which
// marks the filesystem as having errors), whichever path made it (write-back, an eviction, a
// direct transfer). A block whose write failed is not retried, as Linux does not retry a failed
// buffer: it stays in the cache, clean, holding what was meant to be on the disk, and is the
// last to be evicted, so that the filesystem's view in memory (a bitmap, say) stays whole for
// as long as the cache can keep it. An eviction that fails does not fail the request that
// needed the slot: that request has nothing to do with the block.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/own.h"
#include "base/result.h"
#include "ext2/filesystem.h"
#include "ext2/numbers.h"

namespace ext2 {

class BlockCache;

class WriteFailureListener {
public:
    // The device refused a write of count blocks from block: their contents on the disk are
    // older than the filesystem's.
    virtual void write_failed(BlockNumber block, uint32_t count, const base::Error&) = 0;

protected:
    ~WriteFailureListener() = default;
};

class BlockRef {
public:
    BlockRef() = default;
    BlockRef(BlockRef&& o)
        : m_cache(o.m_cache)
        , m_slot(o.m_slot)
    {
        o.m_cache = nullptr;
    }
    BlockRef& operator=(BlockRef&& o);
    BlockRef(const BlockRef&) = delete;
    BlockRef& operator=(const BlockRef&) = delete;
    ~BlockRef() { reset(); }

    uint8_t* data() const;
    BlockNumber number() const;
    // Clears the checked mark too: whoever changes a block vouches for its form again
    // (set_checked) or leaves it to be checked at its next use.
    void mark_dirty();
    void reset();

    // Whether the block's contents were found well formed (a directory block's entries, say)
    // since they were last read or changed, so that a reader need not check them again, as
    // Linux's ext2 keeps PageChecked on a directory page.
    bool checked() const;
    void set_checked();

private:
    friend class BlockCache;
    BlockRef(BlockCache* cache, uint32_t slot);
    BlockCache* m_cache = nullptr;
    uint32_t m_slot = 0;
};

class BlockCache {
public:
    static constexpr size_t min_blocks = 16;

    BlockCache() = default;
    BlockCache(const BlockCache&) = delete;
    BlockCache& operator=(const BlockCache&) = delete;

    // budget_bytes / block_size buffers (at least min_blocks). Errc::NoMemory when the heap
    // cannot give them.
    base::Result<void> init(BlockDevice&, uint32_t block_size, size_t budget_bytes);
    void set_failure_listener(WriteFailureListener* listener) { m_listener = listener; }

    // The block's contents, read from the device unless cached.
    base::Result<BlockRef> get(BlockNumber);
    // A block the caller is about to fill whole (a newly allocated one): zeroed and dirty, not read.
    base::Result<BlockRef> get_zeroed(BlockNumber);
    // Drops a cached copy without writing it: the block was freed, or the caller wrote it to
    // the device directly.
    void forget(BlockNumber);
    // The contents of the cached copy if it is newer than the device (dirty, or its write
    // failed), else nullptr.
    const uint8_t* dirty_copy(BlockNumber) const;
    // Writes every dirty block in increasing block order, consecutive ones in one transfer (at
    // most max_staging_bytes), all of them even when some fail; the first device error comes back.
    base::Result<void> write_back();

    // The device in filesystem blocks, for the few direct transfers (file data runs).
    base::Result<void> read_blocks(BlockNumber first, uint32_t count, void* buffer);
    base::Result<void> write_blocks(BlockNumber first, uint32_t count, const void* buffer);

    uint32_t block_size() const { return m_block_size; }
    size_t capacity() const { return m_count; }
    size_t bytes() const;
    size_t cached_blocks() const;
    size_t dirty_blocks() const;

private:
    friend class BlockRef;
    static constexpr uint32_t none = 0xffffffff;

    struct Slot {
        BlockNumber block;
        uint32_t pins;
        bool valid;
        bool dirty;
        bool failed; // the device refused its last write: the disk holds an older copy
        bool checked; // BlockRef::checked()
        uint32_t hash_next; // slot index or none
        uint32_t lru_prev, lru_next;
    };

    uint32_t bucket_of(BlockNumber block) const { return (block.value() * 2654435761u) & (m_buckets - 1); }
    uint32_t find(BlockNumber) const;
    void unlink_hash(uint32_t slot);
    void unlink_lru(uint32_t slot);
    void touch(uint32_t slot); // to the most recently used end
    void retire(uint32_t slot); // out of the table, to the least recently used end
    base::Result<uint32_t> claim(BlockNumber); // a slot for block, evicting if needed
    base::Result<void> write_slot(uint32_t slot);
    void tell_failure(BlockNumber first, uint32_t count, const base::Error&);
    uint8_t* slot_data(uint32_t slot) const { return m_data.data() + size_t(slot) * m_block_size; }

    BlockDevice* m_device = nullptr;
    WriteFailureListener* m_listener = nullptr;
    uint32_t m_block_size = 0;
    uint32_t m_sectors_per_block = 0;
    size_t m_count = 0;
    uint32_t m_buckets = 0;
    base::OwnArray<Slot> m_slots;
    base::OwnArray<uint32_t> m_hash;
    base::OwnArray<uint32_t> m_order; // scratch for write_back's sort
    base::OwnArray<uint8_t> m_data;
    // write_back's runs of consecutive dirty blocks are gathered here: one device request for
    // a run (an inode table's blocks after many creates) instead of one per block.
    static constexpr size_t max_staging_bytes = 64 * 1024;
    base::OwnArray<uint8_t> m_staging;
    size_t m_staging_blocks = 0;
    uint32_t m_lru_head = none; // most recently used
    uint32_t m_lru_tail = none; // least recently used
};

} // namespace ext2
