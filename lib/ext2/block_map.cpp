// The block map: 12 direct blocks, then single, double and triple indirect blocks. Lookups
// return runs of consecutive physical blocks (or holes) so that file reads can be one device
// transfer per run; allocation fills the path to a block; freeing from a logical block onwards
// first checks the whole part of the map it will free (numbers in range, no indirect block
// pointing back up its own path, every block marked used) and only then frees it.
#include "ext2/volume.h"

namespace ext2 {

using namespace layout;

namespace {

// The slots leading to a logical block: offsets[0] is the inode's i_block slot, then one
// index per indirect level. depth 1 is a direct block.
struct Path {
    int depth;
    uint32_t offsets[4];
};

Path path_of(LogicalBlock logical, uint32_t bits) // bits: log2 of pointers per block
{
    uint64_t p = uint64_t(1) << bits;
    uint64_t l = logical.value();
    if (l < direct_blocks)
        return { 1, { uint32_t(l), 0, 0, 0 } };
    l -= direct_blocks;
    if (l < p)
        return { 2, { indirect_slot, uint32_t(l), 0, 0 } };
    l -= p;
    if (l < p * p)
        return { 3, { double_slot, uint32_t(l >> bits), uint32_t(l & (p - 1)), 0 } };
    l -= p * p;
    return { 4, { triple_slot, uint32_t(l >> (2 * bits)), uint32_t((l >> bits) & (p - 1)), uint32_t(l & (p - 1)) } };
}

uint32_t log2(uint32_t n)
{
    uint32_t b = 0;
    while ((1u << b) < n)
        ++b;
    return b;
}

uint32_t* table_of(BlockRef& ref)
{
    return reinterpret_cast<uint32_t*>(ref.data());
}

} // namespace

base::Result<Run> Volume::map(Ino ino, const Inode& in, LogicalBlock logical, uint32_t max)
{
    if (max == 0)
        max = 1;
    if (logical.value() >= m_max_logical)
        return Run { BlockNumber(), max };
    uint32_t bits = log2(m_pointers_per_block);
    Path path = path_of(logical, bits);
    const uint32_t* leaf = in.block;
    uint32_t index = path.offsets[0];
    uint32_t leaf_length = direct_blocks;
    BlockRef ref;
    if (path.depth > 1) {
        BlockNumber ancestors[3];
        BlockNumber pointer(in.block[path.offsets[0]]);
        for (int d = 1; d < path.depth; ++d) {
            if (pointer == BlockNumber()) {
                // A hole as large as the rest of this subtree.
                uint64_t covered = uint64_t(1) << (bits * (path.depth - d));
                uint64_t position = 0;
                for (int k = d; k < path.depth; ++k)
                    position = (position << bits) | path.offsets[k];
                uint64_t remaining = covered - position;
                return Run { BlockNumber(), remaining < max ? uint32_t(remaining) : max };
            }
            if (!valid_data_block(pointer))
                return corrupt("indirect block number beyond the filesystem", ino, pointer);
            for (int k = 0; k < d - 1; ++k)
                if (ancestors[k] == pointer)
                    return corrupt("indirect block that points back up its own path", ino, pointer);
            ancestors[d - 1] = pointer;
            ref = TRY(m_cache.get(pointer));
            const uint32_t* table = table_of(ref);
            if (d == path.depth - 1) {
                leaf = table;
                index = path.offsets[d];
                leaf_length = m_pointers_per_block;
                break;
            }
            pointer = BlockNumber(table[path.offsets[d]]);
        }
    }
    BlockNumber first(leaf[index]);
    Run run { first, 1 };
    if (!run.is_hole() && !valid_data_block(first))
        return corrupt("block map entry beyond the filesystem", ino, first);
    while (run.count < max && index + run.count < leaf_length) {
        BlockNumber next(leaf[index + run.count]);
        if (run.is_hole() ? next != BlockNumber() : (next != first + run.count || !valid_data_block(next)))
            break;
        ++run.count;
    }
    return run;
}

base::Result<Volume::Mapped> Volume::map_or_allocate(Ino ino, Inode& in, LogicalBlock logical)
{
    if (logical.value() >= m_max_logical)
        return error(Errc::FileTooLarge, "beyond the largest file the block map can hold");
    uint32_t bits = log2(m_pointers_per_block);
    Path path = path_of(logical, bits);

    // Walk the existing part of the path; slot is where the first missing pointer goes.
    BlockRef refs[3];
    uint32_t* slot = &in.block[path.offsets[0]];
    int level = 0; // index into path.offsets of slot
    BlockNumber ancestors[3];
    while (*slot != 0) {
        BlockNumber pointer(*slot);
        if (!valid_data_block(pointer))
            return corrupt("block map entry beyond the filesystem", ino, pointer);
        // This path is for writing: through an entry naming a bitmap, the inode table or a
        // descriptor, a write would overwrite the filesystem's own metadata.
        if (is_group_metadata(group_of_block(pointer), pointer))
            return corrupt("block map entry naming group metadata, not written through", ino, pointer);
        if (level == path.depth - 1)
            return Mapped { pointer, false };
        for (int k = 0; k < level; ++k)
            if (ancestors[k] == pointer)
                return corrupt("indirect block that points back up its own path", ino, pointer);
        ancestors[level] = pointer;
        refs[level] = TRY(m_cache.get(pointer));
        ++level;
        slot = &table_of(refs[level - 1])[path.offsets[level]];
    }

    // The goal: right after the previous logical block, else the start of the inode's group.
    BlockNumber goal = group_first_block(group_of_inode(ino));
    if (logical > LogicalBlock(0)) {
        Run previous = TRY(map(ino, in, logical - 1, 1));
        if (!previous.is_hole())
            goal = previous.physical + 1;
    }
    // Every missing block of the path at once, and the new indirect blocks zeroed in the cache,
    // before anything is linked: a full disk or a full cache leaves nothing half-linked.
    uint32_t needed = static_cast<uint32_t>(path.depth - level);
    BlockNumber fresh[4];
    BlockRef tables[3];
    base::Result<void> failure;
    uint32_t got = 0;
    for (; got < needed; ++got) {
        auto b = allocate_block(got == 0 ? goal : fresh[got - 1] + 1);
        if (b.is_error()) {
            failure = b.error();
            break;
        }
        fresh[got] = b.value();
        if (got + 1 < needed) {
            auto table = m_cache.get_zeroed(fresh[got]);
            if (table.is_error()) {
                ++got;
                failure = table.error();
                break;
            }
            tables[got] = table.release_value();
        }
    }
    if (failure.is_error()) {
        for (uint32_t j = 0; j < got; ++j) {
            if (j < 3)
                tables[j].reset();
            m_cache.forget(fresh[j]); // zeroed, never linked: not worth writing
            auto r = give_back_block(fresh[j]);
            if (r.is_error())
                tell_undo_failed("giving back a block allocated for a block map", r.error());
        }
        return failure.error();
    }
    for (uint32_t i = 0; i < needed; ++i) {
        *slot = fresh[i].value();
        if (level > 0)
            refs[level - 1].mark_dirty();
        if (i + 1 == needed)
            break;
        refs[level] = static_cast<BlockRef&&>(tables[i]);
        ++level;
        slot = &table_of(refs[level - 1])[path.offsets[level]];
    }
    in.blocks += needed * (m_block_size / 512);
    return Mapped { fresh[needed - 1], true };
}

namespace {

// Check: every block passes check_freeable_block. Free: after a Check that passed, frees them.
// List: hands the data blocks to a visitor.
enum class Pass { Check, Free, List };

struct Freer {
    Volume& v;
    Ino ino;
    Volume::Inode& in;
    Pass pass;
    uint32_t bits;
    base::Result<void> first_error {};
    BlockNumber ancestors[3] {};
    Volume::BlockVisitor visitor = nullptr;
    void* context = nullptr;

    void note(base::Error e)
    {
        if (!first_error.is_error())
            first_error = e;
    }

    // One block the map names (data or indirect): checked, freed and uncounted, or listed.
    base::Result<void> visit(BlockNumber block, bool data)
    {
        switch (pass) {
        case Pass::Check:
            return v.check_freeable_block(block);
        case Pass::List:
            if (!v.valid_data_block(block))
                return v.corrupt("block map entry beyond the filesystem", ino, block);
            return data ? visitor(context, block) : base::Result<void> {};
        case Pass::Free:
            break;
        }
        // Every block was in use when checked: one found free now was named twice by this map
        // and freed already; its second naming is only uncounted.
        auto used = v.block_in_use(block);
        if (used.is_error()) {
            note(used.error());
        } else if (used.value()) {
            auto r = v.free_block(block);
            if (r.is_error())
                note(r.error());
        }
        uint32_t sectors = v.block_size() / 512;
        in.blocks = in.blocks > sectors ? in.blocks - sectors : 0;
        return {};
    }

    // The entries of indirect block `block` at level `level` (1: entries are data blocks)
    // from entry-space position `from` onwards.
    base::Result<void> walk(BlockNumber block, int level, uint64_t from, int depth)
    {
        for (int k = 0; k < depth; ++k)
            if (ancestors[k] == block)
                return v.corrupt("indirect block that points back up its own path", ino, block);
        ancestors[depth] = block;
        BlockRef ref = TRY(v.cache().get(block));
        uint32_t* table = table_of(ref);
        uint64_t child_span = uint64_t(1) << (bits * (level - 1));
        for (uint64_t i = from / child_span; i < v.pointers_per_block(); ++i) {
            BlockNumber child(table[i]);
            if (child == BlockNumber())
                continue;
            uint64_t child_from = i == from / child_span ? from % child_span : 0;
            if (level > 1) {
                if (pass != Pass::Free && !v.valid_data_block(child))
                    return v.corrupt("indirect block number beyond the filesystem", ino, child);
                TRY(walk(child, level - 1, child_from, depth + 1));
            }
            if (child_from == 0) {
                TRY(visit(child, level == 1));
                // A table freed whole keeps its entries (it is not written again); one that
                // stays loses those of the blocks freed.
                if (pass == Pass::Free && from != 0) {
                    table[i] = 0;
                    ref.mark_dirty();
                }
            }
        }
        return {};
    }

    base::Result<void> run(LogicalBlock from_block)
    {
        uint32_t first = from_block.value();
        for (uint32_t i = first; i < direct_blocks; ++i) {
            if (!in.block[i])
                continue;
            TRY(visit(BlockNumber(in.block[i]), true));
            if (pass == Pass::Free)
                in.block[i] = 0;
        }
        uint64_t p = uint64_t(1) << bits;
        uint64_t start = direct_blocks;
        uint64_t span = p;
        for (int level = 1; level <= 3; ++level) {
            uint32_t& top = in.block[direct_blocks + level - 1];
            if (top && first < start + span) {
                uint64_t from = first > start ? first - start : 0;
                BlockNumber block(top);
                if (pass != Pass::Free && !v.valid_data_block(block))
                    return v.corrupt("indirect block number beyond the filesystem", ino, block);
                TRY(walk(block, level, from, 0));
                if (from == 0) {
                    TRY(visit(block, false));
                    if (pass == Pass::Free)
                        top = 0;
                }
            }
            start += span;
            span *= p;
        }
        return {};
    }
};

} // namespace

base::Result<void> Volume::check_blocks_from(Ino ino, const Inode& in, LogicalBlock first)
{
    Inode copy = in; // the check pass changes nothing, but Freer works on a mutable inode
    Freer check { *this, ino, copy, Pass::Check, log2(m_pointers_per_block) };
    return check.run(first);
}

base::Result<void> Volume::free_checked_blocks_from(Ino ino, Inode& in, LogicalBlock first)
{
    Freer freer { *this, ino, in, Pass::Free, log2(m_pointers_per_block) };
    TRY(freer.run(first));
    return freer.first_error;
}

base::Result<void> Volume::free_blocks_from(Ino ino, Inode& in, LogicalBlock first)
{
    TRY(check_blocks_from(ino, in, first));
    return free_checked_blocks_from(ino, in, first);
}

base::Result<void> Volume::for_each_data_block(Ino ino, const Inode& in, BlockVisitor visitor, void* context)
{
    Inode copy = in;
    Freer lister { *this, ino, copy, Pass::List, log2(m_pointers_per_block) };
    lister.visitor = visitor;
    lister.context = context;
    return lister.run(LogicalBlock(0));
}

} // namespace ext2
