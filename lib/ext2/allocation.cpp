// Block and inode allocation in the groups' bitmaps, keeping the descriptors' and the
// superblock's free counts and the used-directory counts right. Placement as Linux's ext2
// does it without Orlov: a file's blocks from a goal (the block after the previous one), a
// file's inode in its parent's group, a directory's inode in a group with at least the
// average number of free inodes and the most free blocks. A group whose bitmap contradicts
// its counts or its own metadata is marked bad: nothing is allocated or freed there again.
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

} // namespace

base::Result<uint32_t> Volume::allocate_block(uint32_t goal)
{
    if (m_sb.free_blocks_count == 0)
        return error(Errc::NoSpace, "no free block");
    bool has_goal = valid_data_block(goal);
    uint32_t start = has_goal ? group_of_block(goal) : 0;
    for (uint32_t i = 0; i < m_group_count; ++i) {
        uint32_t g = (start + i) % m_group_count;
        GroupDescriptor& gd = m_groups[g];
        if ((m_group_flags[g] & group_bad) || gd.free_blocks_count == 0)
            continue;
        BlockRef bitmap = TRY(m_cache.get(gd.block_bitmap));
        uint32_t first = group_first_block(g), count = group_block_count(g);
        uint32_t from = (i == 0 && has_goal) ? goal - first : 0;
        uint32_t bit = find_clear(bitmap.data(), from, count);
        if (bit == count && from)
            bit = find_clear(bitmap.data(), 0, from);
        if (bit == count) {
            m_group_flags[g] |= group_bad;
            record_corruption("group descriptor counts free blocks its bitmap does not have", 0, gd.block_bitmap);
            continue;
        }
        uint32_t block = first + bit;
        if (is_group_metadata(g, block)) {
            m_group_flags[g] |= group_bad;
            record_corruption("block bitmap marks the group's own metadata free", 0, block);
            continue;
        }
        set_bit(bitmap.data(), bit);
        bitmap.mark_dirty();
        --gd.free_blocks_count;
        --m_sb.free_blocks_count;
        m_super_dirty = true;
        return block;
    }
    return error(Errc::NoSpace, "no free block");
}

base::Result<bool> Volume::block_in_use(uint32_t block)
{
    if (!valid_data_block(block))
        return corrupt("block number beyond the filesystem", 0, block);
    uint32_t g = group_of_block(block);
    BlockRef bitmap = TRY(m_cache.get(m_groups[g].block_bitmap));
    return test_bit(bitmap.data(), block - group_first_block(g));
}

base::Result<void> Volume::free_block(uint32_t block)
{
    if (!valid_data_block(block))
        return corrupt("freeing a block beyond the filesystem", 0, block);
    uint32_t g = group_of_block(block);
    GroupDescriptor& gd = m_groups[g];
    if (m_group_flags[g] & group_bad)
        return corrupt("not freeing a block in a group whose bitmap is inconsistent", 0, block);
    if (is_group_metadata(g, block))
        return corrupt("freeing a block of a group's own metadata", 0, block);
    BlockRef bitmap = TRY(m_cache.get(gd.block_bitmap));
    uint32_t bit = block - group_first_block(g);
    if (!test_bit(bitmap.data(), bit))
        return corrupt("freeing a block that is already free (claimed twice?)", 0, block);
    if (gd.free_blocks_count >= group_block_count(g)) {
        m_group_flags[g] |= group_bad;
        return corrupt("group descriptor free block count above the group's size", 0, block);
    }
    clear_bit(bitmap.data(), bit);
    bitmap.mark_dirty();
    ++gd.free_blocks_count;
    ++m_sb.free_blocks_count;
    m_super_dirty = true;
    m_cache.forget(block);
    return {};
}

base::Result<Ino> Volume::allocate_inode(Ino parent, bool directory)
{
    if (m_sb.free_inodes_count == 0)
        return error(Errc::NoSpace, "no free inode");
    uint32_t start = parent >= 1 && parent <= m_sb.inodes_count ? group_of_inode(parent) : 0;
    if (directory) {
        // A group with at least the average free inodes, the most free blocks among those.
        uint32_t average = m_sb.free_inodes_count / m_group_count;
        uint32_t best = m_group_count;
        for (uint32_t g = 0; g < m_group_count; ++g) {
            const GroupDescriptor& gd = m_groups[g];
            if ((m_group_flags[g] & group_bad) || gd.free_inodes_count == 0 || gd.free_inodes_count < average)
                continue;
            if (best == m_group_count || gd.free_blocks_count > m_groups[best].free_blocks_count)
                best = g;
        }
        if (best != m_group_count)
            start = best;
    }
    // First pass: a group with free blocks too, so the file's data can stay near it.
    for (int pass = 0; pass < 2; ++pass) {
        for (uint32_t i = 0; i < m_group_count; ++i) {
            uint32_t g = (start + i) % m_group_count;
            GroupDescriptor& gd = m_groups[g];
            if ((m_group_flags[g] & group_bad) || gd.free_inodes_count == 0)
                continue;
            if (pass == 0 && gd.free_blocks_count == 0)
                continue;
            BlockRef bitmap = TRY(m_cache.get(gd.inode_bitmap));
            uint32_t base_ino = g * m_sb.inodes_per_group; // inode number of bit 0, minus 1
            uint32_t from = m_first_ino - 1 > base_ino ? m_first_ino - 1 - base_ino : 0;
            if (from > m_sb.inodes_per_group)
                from = m_sb.inodes_per_group;
            uint32_t bit = find_clear(bitmap.data(), from, m_sb.inodes_per_group);
            if (bit == m_sb.inodes_per_group) {
                m_group_flags[g] |= group_bad;
                record_corruption("group descriptor counts free inodes its bitmap does not have", 0, gd.inode_bitmap);
                continue;
            }
            set_bit(bitmap.data(), bit);
            bitmap.mark_dirty();
            --gd.free_inodes_count;
            if (directory)
                ++gd.used_dirs_count;
            --m_sb.free_inodes_count;
            m_super_dirty = true;
            return base_ino + bit + 1;
        }
    }
    return error(Errc::NoSpace, "no free inode");
}

base::Result<void> Volume::free_inode_bit(Ino ino, bool directory)
{
    TRY(check_ino(ino));
    uint32_t g = group_of_inode(ino);
    GroupDescriptor& gd = m_groups[g];
    if (m_group_flags[g] & group_bad)
        return corrupt("not freeing an inode in a group whose bitmap is inconsistent", ino);
    BlockRef bitmap = TRY(m_cache.get(gd.inode_bitmap));
    uint32_t bit = (ino - 1) % m_sb.inodes_per_group;
    if (!test_bit(bitmap.data(), bit))
        return corrupt("freeing an inode that is already free", ino);
    if (gd.free_inodes_count >= m_sb.inodes_per_group || (directory && gd.used_dirs_count == 0)) {
        m_group_flags[g] |= group_bad;
        return corrupt("group descriptor inode counts out of range", ino);
    }
    clear_bit(bitmap.data(), bit);
    bitmap.mark_dirty();
    ++gd.free_inodes_count;
    if (directory)
        --gd.used_dirs_count;
    ++m_sb.free_inodes_count;
    m_super_dirty = true;
    return {};
}

} // namespace ext2
