// Block and inode allocation in the groups' bitmaps, keeping the descriptors' and the
// superblock's free counts and the used-directory counts right. Placement as Linux's ext2
// does it without Orlov: a file's blocks from a goal (the block after the previous one), a
// file's inode in its parent's group, a directory's inode in a group with at least the
// average number of free inodes and the most free blocks.
//
// A bitmap is not believed alone. Mount checks each group's bitmaps against its descriptor and
// its own metadata (verify_group); a block or inode bitmap found lying, then or later (a free
// bit over an inode plainly in use, over the group's metadata or over a listed bad block),
// makes that bitmap untrusted: nothing is allocated or freed by it again, its free count leaves
// the figures statfs reports, and the notes sink is told once.
#include "ext2/volume.h"

namespace ext2 {

namespace {

using namespace layout;

// The first clear bit in [from, to), or to.
uint32_t find_clear(const uint8_t* map, uint32_t from, uint32_t to)
{
    uint32_t i = from;
    while (i < to) {
        if ((i & 7) == 0 && to - i >= 8 && map[i >> 3] == 0xff) {
            i += 8;
            continue;
        }
        if (!(map[i >> 3] & (1u << (i & 7))))
            return i;
        ++i;
    }
    return to;
}

uint32_t count_clear(const uint8_t* map, uint32_t to)
{
    uint32_t clear = 0;
    uint32_t i = 0;
    for (; i + 8 <= to; i += 8)
        clear += 8 - static_cast<uint32_t>(__builtin_popcount(map[i >> 3]));
    for (; i < to; ++i)
        clear += !(map[i >> 3] & (1u << (i & 7)));
    return clear;
}

bool test_bit(const uint8_t* map, uint32_t i)
{
    return map[i >> 3] & (1u << (i & 7));
}
void set_bit(uint8_t* map, uint32_t i)
{
    map[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
}
void clear_bit(uint8_t* map, uint32_t i)
{
    map[i >> 3] &= static_cast<uint8_t>(~(1u << (i & 7)));
}

// Counts that e2fsck will compare: never wrapped below zero by a count found wrong.
void count_down(uint32_t& n)
{
    if (n)
        --n;
}
void count_down(uint16_t& n)
{
    if (n)
        --n;
}

} // namespace

void Volume::distrust_blocks(GroupNumber g, const char* why, BlockNumber block)
{
    record_corruption(why, 0, block);
    uint8_t& flags = m_group_flags[g.value()];
    if (flags & blocks_untrusted)
        return;
    flags |= blocks_untrusted;
    m_trusted_free_blocks -= descriptor(g).free_blocks_count;
    tell("group {}: {} (block {}): no block is allocated or freed there again; run e2fsck", g, why, block);
}

void Volume::distrust_inodes(GroupNumber g, const char* why, Ino ino)
{
    record_corruption(why, ino);
    uint8_t& flags = m_group_flags[g.value()];
    if (flags & inodes_untrusted)
        return;
    flags |= inodes_untrusted;
    m_trusted_free_inodes -= descriptor(g).free_inodes_count;
    if (ino)
        tell("group {}: {} (inode {}): no inode is allocated or freed there again; run e2fsck", g, why, ino);
    else
        tell("group {}: {}: no inode is allocated or freed there again; run e2fsck", g, why);
}

bool Volume::blocks_trusted(GroupNumber g) const
{
    return !(m_group_flags[g.value()] & blocks_untrusted);
}
bool Volume::inodes_trusted(GroupNumber g) const
{
    return !(m_group_flags[g.value()] & inodes_untrusted);
}

base::Result<void> Volume::verify_group(GroupNumber g)
{
    const GroupDescriptor& gd = descriptor(g);
    BlockNumber first = group_first_block(g);
    uint32_t count = group_block_count(g);
    if (blocks_trusted(g)) {
        auto bitmap = m_cache.get(block_bitmap(g));
        if (bitmap.is_error()) {
            distrust_blocks(g, "block bitmap unreadable", block_bitmap(g));
        } else {
            const uint8_t* map = bitmap.value().data();
            BlockNumber metadata_free;
            auto check = [&](BlockNumber block) {
                if (metadata_free == BlockNumber() && !test_bit(map, block - first))
                    metadata_free = block;
            };
            uint32_t header = header_blocks(g);
            for (uint32_t i = 0; i < header && i < count; ++i)
                check(first + i);
            check(block_bitmap(g));
            check(inode_bitmap(g));
            for (uint32_t i = 0; i < m_inode_table_blocks; ++i)
                check(inode_table(g) + i);
            if (metadata_free != BlockNumber())
                distrust_blocks(g, "block bitmap marks the group's own metadata free", metadata_free);
            else if (count_clear(map, count) != gd.free_blocks_count)
                distrust_blocks(g, "block bitmap disagrees with the group's free block count", block_bitmap(g));
        }
    }
    if (inodes_trusted(g)) {
        auto bitmap = m_cache.get(inode_bitmap(g));
        if (bitmap.is_error())
            distrust_inodes(g, "inode bitmap unreadable", 0);
        else if (count_clear(bitmap.value().data(), m_sb.inodes_per_group) != gd.free_inodes_count)
            distrust_inodes(g, "inode bitmap disagrees with the group's free inode count", 0);
        else if (gd.used_dirs_count > m_sb.inodes_per_group - gd.free_inodes_count)
            distrust_inodes(g, "group descriptor counts more directories than inodes in use", 0);
    }
    return {};
}

void Volume::note_allocation_in(GroupNumber g)
{
    // Without uninit_bg or metadata_csum (the only way this library writes) these fields mean
    // nothing to Linux, but e2fsck would take stale ones as a promise that the group's inodes
    // are unused. Mount clears them in every group; allocation again, in case.
    GroupDescriptor& gd = descriptor(g);
    if (gd.flags & (group_inode_uninit | group_block_uninit) || gd.itable_unused) {
        gd.flags &= static_cast<uint16_t>(~(group_inode_uninit | group_block_uninit));
        gd.itable_unused = 0;
        m_super_dirty = true;
    }
}

base::Result<BlockNumber> Volume::allocate_block(BlockNumber goal)
{
    if (m_trusted_free_blocks == 0)
        return error(Errc::NoSpace, "no free block");
    bool has_goal = valid_data_block(goal);
    uint32_t start = has_goal ? group_of_block(goal).value() : 0;
    for (uint32_t i = 0; i < m_group_count; ++i) {
        GroupNumber g((start + i) % m_group_count);
        GroupDescriptor& gd = descriptor(g);
        if (!blocks_trusted(g) || gd.free_blocks_count == 0)
            continue;
        BlockRef bitmap = TRY(m_cache.get(block_bitmap(g)));
        BlockNumber first = group_first_block(g);
        uint32_t count = group_block_count(g);
        uint32_t from = (i == 0 && has_goal) ? goal - first : 0;
        uint32_t bit = find_clear(bitmap.data(), from, count);
        if (bit == count && from)
            bit = find_clear(bitmap.data(), 0, from);
        if (bit == count) {
            distrust_blocks(g, "group descriptor counts free blocks its bitmap does not have", block_bitmap(g));
            continue;
        }
        BlockNumber block = first + bit;
        if (is_group_metadata(g, block)) {
            distrust_blocks(g, "block bitmap marks the group's own metadata free", block);
            continue;
        }
        if (is_listed_bad(block)) {
            distrust_blocks(g, "block bitmap marks a block of the bad-blocks list free", block);
            continue;
        }
        set_bit(bitmap.data(), bit);
        bitmap.mark_dirty();
        --gd.free_blocks_count;
        --m_trusted_free_blocks;
        count_down(m_sb.free_blocks_count);
        note_allocation_in(g);
        m_super_dirty = true;
        return block;
    }
    return error(Errc::NoSpace, "no free block");
}

base::Result<bool> Volume::block_in_use(BlockNumber block)
{
    if (!valid_data_block(block))
        return corrupt("block number beyond the filesystem", 0, block);
    GroupNumber g = group_of_block(block);
    BlockRef bitmap = TRY(m_cache.get(block_bitmap(g)));
    return test_bit(bitmap.data(), block - group_first_block(g));
}

base::Result<void> Volume::check_freeable_block(BlockNumber block)
{
    if (!valid_data_block(block))
        return corrupt("freeing a block beyond the filesystem", 0, block);
    GroupNumber g = group_of_block(block);
    if (!blocks_trusted(g))
        return corrupt("not freeing a block in a group whose bitmap is inconsistent", 0, block);
    if (is_group_metadata(g, block))
        return corrupt("freeing a block of a group's own metadata", 0, block);
    if (is_listed_bad(block))
        return corrupt("freeing a block of the bad-blocks list", 0, block);
    bool used = TRY(block_in_use(block));
    if (!used)
        return corrupt("freeing a block that is already free (claimed twice?)", 0, block);
    // A trusted group's count equals its bitmap's clear bits, so it stays below the group's
    // size while a set bit remains to be cleared.
    return {};
}

base::Result<void> Volume::free_block(BlockNumber block)
{
    TRY(check_freeable_block(block));
    return clear_block_bit(block);
}

base::Result<void> Volume::clear_block_bit(BlockNumber block)
{
    GroupNumber g = group_of_block(block);
    GroupDescriptor& gd = descriptor(g);
    BlockRef bitmap = TRY(m_cache.get(block_bitmap(g)));
    uint32_t bit = block - group_first_block(g);
    if (!test_bit(bitmap.data(), bit))
        return corrupt("freeing a block that is already free (claimed twice?)", 0, block);
    if (gd.free_blocks_count >= group_block_count(g)) {
        distrust_blocks(g, "group descriptor free block count above the group's size", block);
        return corrupt("group descriptor free block count above the group's size", 0, block);
    }
    clear_bit(bitmap.data(), bit);
    bitmap.mark_dirty();
    ++gd.free_blocks_count;
    if (blocks_trusted(g))
        ++m_trusted_free_blocks;
    ++m_sb.free_blocks_count;
    m_super_dirty = true;
    // The cached copy stays: a clean one costs nothing, and a dirty one (say an indirect block
    // also named as data by a damaged map) keeps the contents the checks before freeing saw.
    return {};
}

base::Result<void> Volume::give_back_block(BlockNumber block)
{
    // A block this call allocated a moment ago: its bit is known good even if its group was
    // found inconsistent since, so the refusal of free_block does not apply.
    if (!valid_data_block(block))
        return corrupt("giving back a block beyond the filesystem", 0, block);
    return clear_block_bit(block);
}

base::Result<bool> Volume::inode_in_use_bit(Ino ino)
{
    TRY(check_ino(ino));
    BlockRef bitmap = TRY(m_cache.get(inode_bitmap(group_of_inode(ino))));
    return test_bit(bitmap.data(), (ino - 1) % m_sb.inodes_per_group);
}

base::Result<bool> Volume::inode_in_use(Ino ino)
{
    Inode in = TRY(read_inode(ino));
    // What e2fsck counts as in use (links), unless a deletion time and no type say it was freed.
    return in.links_count > 0 && (in.dtime == 0 || (in.mode & mode_type_mask) != 0);
}

base::Result<Ino> Volume::allocate_inode(Ino parent, bool directory)
{
    if (m_trusted_free_inodes == 0)
        return error(Errc::NoSpace, "no free inode");
    GroupNumber start = parent >= 1 && parent <= m_sb.inodes_count ? group_of_inode(parent) : GroupNumber(0);
    auto usable_blocks = [&](GroupNumber g) { return blocks_trusted(g) ? descriptor(g).free_blocks_count : 0u; };
    if (directory) {
        // A group with at least the average free inodes, the most free blocks among those.
        uint64_t average = m_trusted_free_inodes / m_group_count;
        GroupNumber none(m_group_count);
        GroupNumber best = none;
        for (GroupNumber g(0); g < none; ++g) {
            const GroupDescriptor& gd = descriptor(g);
            if (!inodes_trusted(g) || gd.free_inodes_count == 0 || gd.free_inodes_count < average)
                continue;
            if (best == none || usable_blocks(g) > usable_blocks(best))
                best = g;
        }
        if (best != none)
            start = best;
    }
    // First pass: a group with free blocks too, so the file's data can stay near it.
    for (int pass = 0; pass < 2; ++pass) {
        for (uint32_t i = 0; i < m_group_count; ++i) {
            GroupNumber g((start.value() + i) % m_group_count);
            GroupDescriptor& gd = descriptor(g);
            if (!inodes_trusted(g) || gd.free_inodes_count == 0)
                continue;
            if (pass == 0 && usable_blocks(g) == 0)
                continue;
            BlockRef bitmap = TRY(m_cache.get(inode_bitmap(g)));
            uint32_t base_ino = g.value() * m_sb.inodes_per_group; // inode number of bit 0, minus 1
            uint32_t from = m_first_ino - 1 > base_ino ? m_first_ino - 1 - base_ino : 0;
            if (from > m_sb.inodes_per_group)
                from = m_sb.inodes_per_group;
            uint32_t bit = find_clear(bitmap.data(), from, m_sb.inodes_per_group);
            if (bit == m_sb.inodes_per_group) {
                distrust_inodes(g, "group descriptor counts free inodes its bitmap does not have", 0);
                continue;
            }
            Ino ino = base_ino + bit + 1;
            bool in_use = TRY(inode_in_use(ino));
            if (in_use) {
                distrust_inodes(g, "inode bitmap marks an inode in use free", ino);
                continue;
            }
            set_bit(bitmap.data(), bit);
            bitmap.mark_dirty();
            --gd.free_inodes_count;
            if (directory)
                ++gd.used_dirs_count;
            --m_trusted_free_inodes;
            count_down(m_sb.free_inodes_count);
            note_allocation_in(g);
            m_super_dirty = true;
            return ino;
        }
    }
    return error(Errc::NoSpace, "no free inode");
}

base::Result<void> Volume::free_inode_bit(Ino ino, bool directory)
{
    TRY(check_ino(ino));
    if (!inodes_trusted(group_of_inode(ino)))
        return corrupt("not freeing an inode in a group whose bitmap is inconsistent", ino);
    return clear_inode_bit(ino, directory);
}

base::Result<void> Volume::give_back_inode(Ino ino, bool directory)
{
    TRY(check_ino(ino));
    return clear_inode_bit(ino, directory);
}

base::Result<void> Volume::clear_inode_bit(Ino ino, bool directory)
{
    GroupNumber g = group_of_inode(ino);
    GroupDescriptor& gd = descriptor(g);
    BlockRef bitmap = TRY(m_cache.get(inode_bitmap(g)));
    uint32_t bit = (ino - 1) % m_sb.inodes_per_group;
    if (!test_bit(bitmap.data(), bit))
        return corrupt("freeing an inode that is already free", ino);
    if (gd.free_inodes_count >= m_sb.inodes_per_group || (directory && gd.used_dirs_count == 0)) {
        distrust_inodes(g, "group descriptor inode counts out of range", ino);
        return corrupt("group descriptor inode counts out of range", ino);
    }
    clear_bit(bitmap.data(), bit);
    bitmap.mark_dirty();
    ++gd.free_inodes_count;
    if (directory)
        count_down(gd.used_dirs_count);
    if (inodes_trusted(g))
        ++m_trusted_free_inodes;
    ++m_sb.free_inodes_count;
    m_super_dirty = true;
    return {};
}

} // namespace ext2
