// File contents: reads through the file data cache (file_cache.h), whose pages are filled in
// runs of consecutive blocks (one device transfer per run, dirty cached blocks laid over it),
// or, when it cannot hold them, the same runs straight into the caller's buffer; every change
// invalidates the cached pages it touches; whole-block writes in runs straight to the device, partial blocks through
// the cache; truncation frees the blocks past the new end and zeroes the rest of the last block, so that a later
// extension reads zeros.
#include "ext2/volume.h"

namespace ext2 {

using namespace layout;

namespace {
constexpr uint32_t max_run_blocks = 1u << 16;

void copy(void* to, const void* from, size_t n)
{
    __builtin_memcpy(to, from, n);
}
void zero(void* to, size_t n)
{
    __builtin_memset(to, 0, n);
}
} // namespace

base::Result<void> Volume::read_blocks_of(Ino ino, const Inode& in, LogicalBlock first, uint32_t count, uint8_t* out)
{
    while (count) {
        Run run = TRY(map(ino, in, first, count > max_run_blocks ? max_run_blocks : count));
        if (run.count > count)
            run.count = count;
        size_t bytes = size_t(run.count) << m_block_log;
        if (run.is_hole()) {
            zero(out, bytes);
        } else {
            TRY(m_cache.read_blocks(run.physical, run.count, out));
            for (uint32_t i = 0; i < run.count; ++i)
                if (const uint8_t* newer = m_cache.dirty_copy(run.physical + i))
                    copy(out + (size_t(i) << m_block_log), newer, m_block_size);
        }
        out += bytes;
        first = first + run.count;
        count -= run.count;
    }
    return {};
}

base::Result<void> Volume::fill_pages(
    Ino ino, const Inode& in, uint32_t chunk, uint8_t* memory, uint32_t first_page, uint32_t end_page)
{
    // Whole blocks up to the end of the file's last block, then zeros from the end of the file:
    // whole pages may be sent to a client, and what a block holds past the end is not the file's.
    uint64_t chunk_start = uint64_t(chunk) * FileCache::chunk_bytes;
    uint64_t start = chunk_start + uint64_t(first_page) * FileCache::page_bytes;
    uint64_t stop = chunk_start + uint64_t(end_page) * FileCache::page_bytes;
    uint64_t size = size_of(in);
    uint64_t blocks_end = (size + m_block_size - 1) & ~uint64_t(m_block_size - 1);
    uint64_t data_end = blocks_end < stop ? blocks_end : stop;
    uint8_t* out = memory + (start - chunk_start);
    if (data_end > start)
        TRY(read_blocks_of(ino, in, LogicalBlock(static_cast<uint32_t>(start >> m_block_log)),
            static_cast<uint32_t>((data_end - start) >> m_block_log), out));
    uint64_t zero_from = size > start ? size : start;
    if (stop > zero_from)
        zero(out + (zero_from - start), static_cast<size_t>(stop - zero_from));
    return {};
}

base::Result<DataView> Volume::view_data(Ino ino, const Inode& in, uint64_t offset, size_t len)
{
    uint64_t size = size_of(in);
    DataView view { nullptr, 0, size };
    if (offset >= size || len == 0)
        return view;
    uint32_t chunk = static_cast<uint32_t>(offset / FileCache::chunk_bytes);
    size_t within = static_cast<size_t>(offset % FileCache::chunk_bytes);
    size_t n = FileCache::chunk_bytes - within;
    if (n > len)
        n = len;
    if (n > size - offset)
        n = static_cast<size_t>(size - offset);
    // The pages of the chunk that lie in the file: a read-ahead reads up to the last of them.
    uint64_t in_chunk = size - uint64_t(chunk) * FileCache::chunk_bytes;
    if (in_chunk > FileCache::chunk_bytes)
        in_chunk = FileCache::chunk_bytes;
    struct Context {
        Volume* volume;
        Ino ino;
        const Inode* in;
        uint32_t chunk;
    } context { this, ino, &in, chunk };
    auto fill = [](void* c, uint8_t* memory, uint32_t first, uint32_t end) -> base::Result<void> {
        auto* x = static_cast<Context*>(c);
        return x->volume->fill_pages(x->ino, *x->in, x->chunk, memory, first, end);
    };
    auto memory = m_files.view(ino, chunk, static_cast<uint32_t>(within / FileCache::page_bytes),
        static_cast<uint32_t>((within + n + FileCache::page_bytes - 1) / FileCache::page_bytes),
        static_cast<uint32_t>((in_chunk + FileCache::page_bytes - 1) / FileCache::page_bytes), fill, &context);
    // A page holds more blocks than a read may reach (and a read-ahead more pages): when the
    // fill fails, the read goes uncached, and fails only if it reaches what failed.
    if (memory.is_error() || !memory.value())
        return view;
    view.data = memory.value() + within;
    view.size = n;
    return view;
}

base::Result<size_t> Volume::read_data(Ino ino, const Inode& in, uint64_t offset, void* buffer, size_t len)
{
    uint64_t size = size_of(in);
    if (offset >= size)
        return size_t(0);
    if (len > size - offset)
        len = static_cast<size_t>(size - offset);
    auto* out = static_cast<uint8_t*>(buffer);
    size_t done = 0;
    // Through the file data cache while it can hold the chunks.
    while (done < len) {
        DataView view = TRY(view_data(ino, in, offset + done, len - done));
        if (!view.data)
            break;
        copy(out + done, view.data, view.size);
        done += view.size;
    }
    // Uncached: whole blocks in runs straight into the buffer, partial ones through the block cache.
    while (done < len) {
        uint64_t position = offset + done;
        LogicalBlock logical(static_cast<uint32_t>(position >> m_block_log));
        uint32_t within = static_cast<uint32_t>(position & (m_block_size - 1));
        size_t want = len - done;
        if (within == 0 && want >= m_block_size) {
            uint64_t whole = want >> m_block_log;
            uint32_t count = whole > max_run_blocks ? max_run_blocks : uint32_t(whole);
            TRY(read_blocks_of(ino, in, logical, count, out + done));
            done += size_t(count) << m_block_log;
            continue;
        }
        size_t n = m_block_size - within;
        if (n > want)
            n = want;
        Run run = TRY(map(ino, in, logical, 1));
        if (run.is_hole()) {
            zero(out + done, n);
        } else {
            BlockRef ref = TRY(m_cache.get(run.physical));
            copy(out + done, ref.data() + within, n);
        }
        done += n;
    }
    return done;
}

base::Result<size_t> Volume::write_data(Ino ino, Inode& in, uint64_t offset, const void* buffer, size_t len)
{
    if (len == 0)
        return size_t(0);
    if (offset >= m_max_file_size)
        return error(Errc::FileTooLarge, "write beyond the largest file size");
    if (len > m_max_file_size - offset)
        len = static_cast<size_t>(m_max_file_size - offset);
    auto* in_bytes = static_cast<const uint8_t*>(buffer);

    // Whole blocks that land on consecutive physical blocks go out as one transfer.
    BlockNumber run_first;
    uint32_t run_count = 0;
    size_t run_done = 0; // bytes before the run
    auto flush_run = [&]() -> base::Result<void> {
        if (!run_count)
            return {};
        for (uint32_t i = 0; i < run_count; ++i)
            m_cache.forget(run_first + i); // any cached copy is now stale
        auto r = m_cache.write_blocks(run_first, run_count, in_bytes + run_done);
        run_count = 0;
        return r;
    };

    size_t done = 0;
    base::Result<void> failure;
    while (done < len) {
        uint64_t position = offset + done;
        LogicalBlock logical(static_cast<uint32_t>(position >> m_block_log));
        uint32_t within = static_cast<uint32_t>(position & (m_block_size - 1));
        size_t want = len - done;
        auto mapped = map_or_allocate(ino, in, logical);
        if (mapped.is_error()) {
            failure = mapped.error();
            break;
        }
        BlockNumber physical = mapped.value().physical;
        if (within == 0 && want >= m_block_size) {
            if (run_count && physical == run_first + run_count && run_count < max_run_blocks) {
                ++run_count;
            } else {
                auto r = flush_run();
                if (r.is_error()) {
                    failure = r;
                    done = run_done;
                    break;
                }
                run_first = physical;
                run_count = 1;
                run_done = done;
            }
            done += m_block_size;
            continue;
        }
        size_t n = m_block_size - within;
        if (n > want)
            n = want;
        auto ref = mapped.value().fresh ? m_cache.get_zeroed(physical) : m_cache.get(physical);
        if (ref.is_error()) {
            failure = ref.error();
            break;
        }
        copy(ref.value().data() + within, in_bytes + done, n);
        ref.value().mark_dirty();
        done += n;
    }
    if (run_count) {
        auto r = flush_run();
        if (r.is_error()) {
            if (!failure.is_error())
                failure = r;
            done = run_done;
        }
    }
    // What the file data cache holds from the old end of the file (whose tail a gap now
    // reads as zeros) or from the write's start is no longer the file's.
    uint64_t old_size = size_of(in);
    m_files.invalidate(ino, offset < old_size ? offset : old_size, offset + len);
    if (offset + done > old_size)
        TRY(set_size(in, offset + done));
    if (done) {
        in.mtime = in.ctime = now();
    }
    // Always: allocation may have changed the map even when nothing was written.
    TRY(write_inode(ino, in));
    if (done == 0 && failure.is_error())
        return failure.error();
    return done;
}

base::Result<void> Volume::truncate_data(Ino ino, Inode& in, uint64_t size)
{
    if (size > m_max_file_size)
        return error(Errc::FileTooLarge, "truncate beyond the largest file size");
    // Between the old and the new end the contents change (to zeros, or to nothing), and the
    // freed blocks may soon be another file's: the file data cache lets go of them first.
    uint64_t old_size = size_of(in);
    m_files.invalidate(ino, size < old_size ? size : old_size, size < old_size ? old_size : size);
    if (size < size_of(in)) {
        // Every check and read first: the blocks to free, and the block that keeps the new end
        // (pinned, so that zeroing its tail cannot fail after the freeing).
        LogicalBlock first_free(static_cast<uint32_t>((size + m_block_size - 1) >> m_block_log));
        TRY(check_blocks_from(ino, in, first_free));
        uint32_t within = static_cast<uint32_t>(size & (m_block_size - 1));
        BlockRef tail;
        bool has_tail = false;
        if (within) {
            Run run = TRY(map(ino, in, LogicalBlock(static_cast<uint32_t>(size >> m_block_log)), 1));
            if (!run.is_hole()) {
                tail = TRY(m_cache.get(run.physical));
                has_tail = true;
            }
        }
        auto freed = free_checked_blocks_from(ino, in, first_free);
        if (!freed.is_error()) {
            if (has_tail) {
                zero(tail.data() + within, m_block_size - within);
                tail.mark_dirty();
            }
            TRY(set_size(in, size));
        }
        in.mtime = in.ctime = now();
        TRY(write_inode(ino, in));
        return freed;
    }
    TRY(set_size(in, size));
    in.mtime = in.ctime = now();
    return write_inode(ino, in);
}

} // namespace ext2
