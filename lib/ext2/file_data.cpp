// File contents: reads in runs of consecutive blocks straight into the caller's buffer (one
// device transfer per run, dirty cached blocks laid over it), whole-block writes in runs
// straight to the device, partial blocks through the cache; truncation frees the blocks past
// the new end and zeroes the rest of the last block, so that a later extension reads zeros.
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

base::Result<size_t> Volume::read_data(Ino ino, const Inode& in, uint64_t offset, void* buffer, size_t len)
{
    uint64_t size = size_of(in);
    if (offset >= size)
        return size_t(0);
    if (len > size - offset)
        len = static_cast<size_t>(size - offset);
    auto* out = static_cast<uint8_t*>(buffer);
    size_t done = 0;
    while (done < len) {
        uint64_t position = offset + done;
        LogicalBlock logical(static_cast<uint32_t>(position >> m_block_log));
        uint32_t within = static_cast<uint32_t>(position & (m_block_size - 1));
        size_t want = len - done;
        if (within == 0 && want >= m_block_size) {
            uint64_t whole = want >> m_block_log;
            Run run = TRY(map(ino, in, logical, whole > max_run_blocks ? max_run_blocks : uint32_t(whole)));
            size_t bytes = size_t(run.count) << m_block_log;
            if (run.is_hole()) {
                zero(out + done, bytes);
            } else {
                TRY(m_cache.read_blocks(run.physical, run.count, out + done));
                for (uint32_t i = 0; i < run.count; ++i)
                    if (const uint8_t* newer = m_cache.dirty_copy(run.physical + i))
                        copy(out + done + (size_t(i) << m_block_log), newer, m_block_size);
            }
            done += bytes;
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
    if (offset + done > size_of(in))
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
