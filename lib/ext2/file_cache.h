// The file data cache: the contents of regular files kept in memory, so that a warm read is a
// memory read and a read of whole pages can be handed to a client without copying a byte (the
// server sends the cache's pages copy-on-write, servers/ext2fs/io.cpp).
//
// A file is cached in chunks of chunk_bytes (1 MiB, the largest read of the file protocol): a
// chunk is one piece of memory of its own that holds chunk_bytes of one file from a multiple of
// chunk_bytes, page by page (pages of 4 KiB, each holding whole filesystem blocks), with a bit
// per page saying whether the page is valid. A read asks for a view of one chunk: the pages it
// covers that are not valid are filled first, from the disk with the block cache's newer copies
// laid over (Volume::read_data does that, through fill_pages()), so that a page never holds
// anything but what a read of the disk and the block cache would give at that moment.
//
// Budget: at most budget_bytes of pages are filled at any time (MountOptions::data_cache_bytes;
// default_data_cache_bytes is 96 MiB, enough for the benchmark's 64 MiB file beside everything
// else) and at most max_chunks chunks exist. Room is made by dropping the least recently used
// chunk whole, its memory given back. A page filled and then invalidated still counts (its
// memory is still the chunk's) until its chunk goes.
//
// Coherence: the cache holds no data of its own, only copies: every change to a file's contents
// or size invalidates the pages it touches before the call returns (write_data, truncate_data),
// freeing an inode drops all its chunks (destroy_inode), and the unmount drops everything. So a
// sync and a remount have nothing to write, nothing synced can be lost with it, and a read after
// a write reads what was written.
//
// Memory comes from a ChunkMemory: the server gives whole pages of its address space (zero-filled
// on first touch, so a chunk costs only the pages it fills); without one the library uses its
// heap. A chunk that cannot be had is not an error: the read goes to the disk uncached.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/own.h"
#include "base/result.h"
#include "ext2/filesystem.h"

namespace ext2 {

class FileCache {
public:
    static constexpr size_t page_bytes = 4096;
    static constexpr size_t chunk_bytes = ChunkMemory::chunk_bytes;
    static constexpr uint32_t pages_per_chunk = chunk_bytes / page_bytes;
    static constexpr uint32_t max_chunks = 2048;

    FileCache() = default;
    ~FileCache();
    FileCache(const FileCache&) = delete;
    FileCache& operator=(const FileCache&) = delete;

    // A budget of 0 turns the cache off (every view() is refused and reads go to the disk).
    base::Result<void> init(ChunkMemory*, size_t budget_bytes);
    bool enabled() const { return m_budget_pages != 0; }

    // The memory of ino's chunk at index, with its pages [first, end) valid; fill(context, memory,
    // first, end) is called for each run of pages among them that was not valid, and must make
    // them so (on an error the run stays invalid and the error comes back). A miss at the
    // chunk's first page or just after a valid page is taken for sequential reading: the pages
    // up to ahead_end (the file's last page in the chunk) are filled with it, in the same
    // transfers (a failure there fails only a read that reaches it). nullptr (and no error) when no chunk can be had:
    // the caller reads uncached. The memory stays the chunk's until the next call that may make room (view(), or a
    // drop).
    using Filler = base::Result<void> (*)(void* context, uint8_t* memory, uint32_t first_page, uint32_t end_page);
    base::Result<uint8_t*> view(
        Ino, uint32_t chunk, uint32_t first_page, uint32_t end_page, uint32_t ahead_end, Filler, void* context);

    // The bytes [from, to) of ino's contents changed (or the size did, between from and to):
    // the pages they touch are no longer valid. to may be UINT64_MAX.
    void invalidate(Ino, uint64_t from, uint64_t to);
    // Every chunk of ino, a file of size bytes, goes (the inode is being freed). A chunk wholly
    // in an invalidated range goes too.
    void drop(Ino, uint64_t size);
    // Every chunk goes (unmount).
    void drop_all();

    size_t filled_bytes() const { return size_t(m_filled_pages) * page_bytes; }
    size_t chunk_count() const { return m_chunk_count; }
    size_t budget_bytes() const { return size_t(m_budget_pages) * page_bytes; }
    FileCacheStats stats() const { return m_stats; }

private:
    static constexpr uint32_t none = 0xffffffff;
    static constexpr uint32_t bitmap_words = pages_per_chunk / 64;

    struct Chunk {
        Ino ino;
        uint32_t index;
        uint8_t* memory; // nullptr: a free entry
        uint32_t filled; // pages whose memory was touched (counted in the budget)
        uint64_t valid[bitmap_words];
        uint64_t touched[bitmap_words];
        uint32_t hash_next;
        uint32_t lru_prev, lru_next;
    };

    uint32_t bucket_of(Ino ino, uint32_t index) const
    {
        return ((ino * 2654435761u) ^ (index * 40503u)) & (m_bucket_count - 1);
    }
    uint32_t find(Ino, uint32_t index) const;
    void unlink_lru(uint32_t);
    void push_front(uint32_t);
    void release(uint32_t); // gives the chunk's memory back and frees the entry
    // A new chunk for (ino, index), making room for pages more filled pages; none when memory
    // cannot be had.
    uint32_t claim(Ino, uint32_t index, uint32_t pages);
    bool make_room(uint32_t pages, uint32_t keep);
    base::Result<void> fill_range(uint32_t slot, uint32_t first_page, uint32_t end_page, Filler, void* context);
    void invalidate_pages(uint32_t slot, uint32_t first, uint32_t end);

    ChunkMemory* m_memory = nullptr;
    uint32_t m_budget_pages = 0;
    uint32_t m_filled_pages = 0;
    size_t m_chunk_count = 0;
    uint32_t m_bucket_count = 0;
    base::OwnArray<Chunk> m_chunks;
    base::OwnArray<uint32_t> m_buckets;
    uint32_t m_free_head = none; // free entries, linked through hash_next
    uint32_t m_lru_head = none; // most recently used
    uint32_t m_lru_tail = none;
    FileCacheStats m_stats {};
};

} // namespace ext2
