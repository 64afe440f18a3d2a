// Lookups through a directory's hash index (dir_index, "htree"), read-only: the index names the
// leaf block where a name's hash falls, and only that block (and the next ones, on a hash
// collision across blocks) is scanned. The index is checked as it is walked; anything that does
// not hold (a field out of range, hashes out of order, a block outside the directory) makes the
// lookup fall back to a scan of every block, which needs no index. Writes clear EXT2_INDEX_FL
// (directory.cpp), so the index is never trusted after this library changed the directory.
//
// The layout (e2fsprogs' ext2_fs.h; Linux's fs/ext4/namei.c):
//   block 0: '.' (12 bytes), '..' spanning the rest of the block, then at byte 24 the root info
//            {reserved_zero u32, hash_version u8, info_length u8 = 8, indirect_levels u8,
//            unused_flags u8}, then the entries;
//   a node:  one empty entry spanning the block, then the entries at byte 8;
//   entries: {hash u32, block u32}, the first one's hash replaced by {limit u16, count u16}; the
//            first entry covers the hashes below the second one's.
#include "ext2/dir_hash.h"
#include "ext2/volume.h"

namespace ext2 {

using namespace layout;

namespace {

constexpr uint32_t root_info_offset = 24;
constexpr uint32_t root_entries_offset = 32;
constexpr uint32_t node_entries_offset = 8;
constexpr uint32_t max_levels = 3; // the root and, with largedir, two levels of nodes
constexpr uint32_t block_mask = 0x0fffffff; // the high bits of an entry's block are not the block's
constexpr uint32_t hash_collision = 1; // an entry whose hash goes on from the previous block
constexpr uint32_t flag_unsigned_hash = 0x2; // superblock s_flags: names hash as unsigned chars
constexpr size_t superblock_flags_offset = 0x160;

uint32_t le32(const uint8_t* p)
{
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint16_t le16(const uint8_t* p)
{
    return static_cast<uint16_t>(p[0] | p[1] << 8);
}

// One level of the walk: a node's block (held in the cache while the walk lasts), where its
// entries start, and which one we went down.
struct Frame {
    BlockRef ref;
    uint32_t offset = 0;
    uint32_t count = 0;
    uint32_t position = 0;
    // The first entry's hash is 0: it covers everything below the second.
    uint32_t hash(uint32_t i) const { return i ? le32(ref.data() + offset + i * 8) : 0; }
    LogicalBlock block(uint32_t i) const { return LogicalBlock(le32(ref.data() + offset + i * 8 + 4) & block_mask); }
};

} // namespace

base::Result<Volume::IndexAnswer> Volume::find_indexed(
    Ino dir, const Inode& in, uint32_t blocks, base::StringView name, EntryPlace* place)
{
    // Reads the entries of the index block at logical into frame; false when they do not hold.
    auto read_node = [&](LogicalBlock logical, bool root, Frame& frame, uint8_t* levels,
                         HashVersion* version) -> base::Result<bool> {
        if (logical >= LogicalBlock(blocks))
            return false;
        Run run = TRY(map(dir, in, logical, 1));
        if (run.is_hole())
            return false;
        BlockRef ref = TRY(m_cache.get(run.physical));
        const uint8_t* b = ref.data();
        uint32_t offset = node_entries_offset;
        if (root) {
            const uint8_t* info = b + root_info_offset;
            if (le32(info) != 0 || info[5] != 8 || info[4] > uint8_t(HashVersion::TeaUnsigned) || info[6] >= max_levels)
                return false;
            uint8_t v = info[4];
            uint32_t sb_flags = le32(reinterpret_cast<const uint8_t*>(&m_sb) + superblock_flags_offset);
            if (v <= uint8_t(HashVersion::Tea) && (sb_flags & flag_unsigned_hash))
                v = static_cast<uint8_t>(v + 3);
            *version = static_cast<HashVersion>(v);
            *levels = info[6];
            offset = root_entries_offset;
        } else if (le32(b) != 0 || le16(b + 4) != m_block_size) {
            return false; // not an empty entry spanning the block
        }
        uint16_t limit = le16(b + offset), count = le16(b + offset + 2);
        uint32_t room = (m_block_size - offset) / 8;
        if (count == 0 || count > limit || limit > room)
            return false;
        frame.ref = static_cast<BlockRef&&>(ref);
        frame.offset = offset;
        frame.count = count;
        for (uint32_t i = 0; i < count; ++i)
            if (frame.block(i) >= LogicalBlock(blocks) || (i > 1 && frame.hash(i) < frame.hash(i - 1)))
                return false;
        return true;
    };

    Frame frames[max_levels];
    uint8_t levels = 0;
    HashVersion version = HashVersion::Legacy;
    if (!TRY(read_node(LogicalBlock(0), true, frames[0], &levels, &version)))
        return IndexAnswer::Unusable;
    DirHash hash;
    if (!dir_hash(version, name, m_sb.hash_seed, &hash))
        return IndexAnswer::Unusable;

    // Down the tree: at each level the last entry whose hash is at most the name's.
    auto descend_from = [&](uint32_t level) -> base::Result<bool> {
        for (uint32_t l = level;; ++l) {
            Frame& f = frames[l];
            uint32_t lo = 1, hi = f.count; // the answer is the last entry below hi with hash <= ours
            while (lo < hi) {
                uint32_t mid = (lo + hi) / 2;
                if (f.hash(mid) <= hash.major)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            f.position = lo - 1;
            if (l == levels)
                return true;
            uint8_t unused_levels = 0;
            HashVersion unused_version;
            if (!TRY(read_node(f.block(f.position), false, frames[l + 1], &unused_levels, &unused_version)))
                return false;
        }
    };
    if (!TRY(descend_from(0)))
        return IndexAnswer::Unusable;

    for (;;) {
        Frame& leaf_level = frames[levels];
        if (TRY(find_in_block(dir, in, leaf_level.block(leaf_level.position), name, place)))
            return IndexAnswer::Found;
        // The name's hash may go on into the next leaf: the next entry (at this level, or after
        // climbing to a level that has one) then starts with the same hash, marked as a collision.
        int32_t level = levels;
        while (level >= 0 && frames[level].position + 1 >= frames[level].count)
            --level;
        if (level < 0)
            return IndexAnswer::Absent;
        uint32_t next_hash = frames[level].hash(frames[level].position + 1);
        if (!(next_hash & hash_collision) || (next_hash & ~hash_collision) != hash.major)
            return IndexAnswer::Absent;
        ++frames[level].position;
        // Down the first entries of the levels below.
        for (uint32_t l = static_cast<uint32_t>(level); l < levels; ++l) {
            uint8_t unused_levels = 0;
            HashVersion unused_version;
            if (!TRY(read_node(
                    frames[l].block(frames[l].position), false, frames[l + 1], &unused_levels, &unused_version)))
                return IndexAnswer::Unusable;
            frames[l + 1].position = 0;
        }
    }
}

} // namespace ext2
