// Mounting: the superblock's checks (magic, revision, geometry, features as Linux's ext2
// driver judges them), the group descriptors, the valid-state flag; and sync, which writes the
// superblock and descriptors back through the cache.
#include "ext2/volume.h"

namespace ext2 {

namespace {

using namespace layout;

struct FeatureName {
    uint32_t bit;
    const char* name;
    const char* refusal; // the static sentence of a refused mount
};

constexpr FeatureName incompat_names[] = {
    { incompat::compression, "compression", "unsupported INCOMPAT feature compression (0x1)" },
    { incompat::recover, "needs_recovery",
        "the journal needs recovery (INCOMPAT needs_recovery, 0x4): run e2fsck first" },
    { incompat::journal_dev, "journal_dev",
        "an external journal device (INCOMPAT journal_dev, 0x8), not a filesystem" },
    { incompat::extents, "extent", "unsupported INCOMPAT feature extent (0x40)" },
    { incompat::bit64, "64bit", "unsupported INCOMPAT feature 64bit (0x80)" },
    { incompat::mmp, "mmp", "unsupported INCOMPAT feature mmp (0x100)" },
    { incompat::flex_bg, "flex_bg", "unsupported INCOMPAT feature flex_bg (0x200)" },
    { incompat::ea_inode, "ea_inode", "unsupported INCOMPAT feature ea_inode (0x400)" },
    { incompat::dirdata, "dirdata", "unsupported INCOMPAT feature dirdata (0x1000)" },
    { incompat::csum_seed, "metadata_csum_seed", "unsupported INCOMPAT feature metadata_csum_seed (0x2000)" },
    { incompat::largedir, "large_dir", "unsupported INCOMPAT feature large_dir (0x4000)" },
    { incompat::inline_data, "inline_data", "unsupported INCOMPAT feature inline_data (0x8000)" },
    { incompat::encrypt, "encrypt", "unsupported INCOMPAT feature encrypt (0x10000)" },
    { incompat::casefold, "casefold", "unsupported INCOMPAT feature casefold (0x20000)" },
};

constexpr FeatureName ro_compat_names[] = {
    { ro_compat::huge_file, "huge_file", nullptr },
    { ro_compat::gdt_csum, "uninit_bg", nullptr },
    { ro_compat::dir_nlink, "dir_nlink", nullptr },
    { ro_compat::extra_isize, "extra_isize", nullptr },
    { ro_compat::has_snapshot, "snapshot", nullptr },
    { ro_compat::quota, "quota", nullptr },
    { ro_compat::bigalloc, "bigalloc", nullptr },
    { ro_compat::metadata_csum, "metadata_csum", nullptr },
    { ro_compat::replica, "replica", nullptr },
    { ro_compat::readonly, "read-only", nullptr },
    { ro_compat::project, "project", nullptr },
    { ro_compat::shared_blocks, "shared_blocks", nullptr },
    { ro_compat::verity, "verity", nullptr },
    { ro_compat::orphan_present, "orphan_present", nullptr },
};

const char* feature_name(const FeatureName* table, size_t n, uint32_t bit)
{
    for (size_t i = 0; i < n; ++i)
        if (table[i].bit == bit)
            return table[i].name;
    return "unknown";
}

bool is_power_of(uint32_t n, uint32_t base)
{
    while (n > 1 && n % base == 0)
        n /= base;
    return n == 1;
}

// Linux's ext2_max_size(): the largest file whose data and indirect blocks fit the 32-bit
// i_blocks count (in 512-byte units) and the block map.
uint64_t max_size_for(uint32_t bits)
{
    uint64_t ppb = uint64_t(1) << (bits - 2);
    uint64_t upper_limit = ((uint64_t(1) << 32) - 1) >> (bits - 9);
    uint64_t res = direct_blocks + ppb + ppb * ppb + ppb * ppb * ppb;
    uint64_t meta_blocks = 1 + (1 + ppb) + (1 + ppb + ppb * ppb);
    if (res + meta_blocks > upper_limit) {
        res = upper_limit;
        upper_limit -= direct_blocks;
        meta_blocks = 1;
        upper_limit -= ppb;
        if (upper_limit < ppb * ppb) {
            meta_blocks += 1 + (upper_limit + ppb - 1) / ppb;
        } else {
            meta_blocks += 1 + ppb;
            upper_limit -= ppb * ppb;
            meta_blocks += 1 + (upper_limit + ppb - 1) / ppb + (upper_limit + ppb * ppb - 1) / (ppb * ppb);
        }
        res -= meta_blocks;
    }
    return res << bits;
}

constexpr uint32_t max_groups = 1u << 17;

} // namespace

uint32_t Volume::group_block_count(GroupNumber g) const
{
    if (g.value() + 1 < m_group_count)
        return m_sb.blocks_per_group;
    return m_sb.blocks_count - group_first_block(g).value();
}

bool Volume::group_has_super(GroupNumber group) const
{
    uint32_t g = group.value();
    if (g <= 1 || !has_ro_compat(ro_compat::sparse_super))
        return true;
    if (g % 2 == 0)
        return false;
    return is_power_of(g, 3) || is_power_of(g, 5) || is_power_of(g, 7);
}

uint32_t Volume::header_blocks(GroupNumber g) const
{
    uint32_t header = group_has_super(g) ? 1 : 0; // the superblock or its backup
    uint32_t per_block = m_block_size / sizeof(GroupDescriptor);
    uint32_t meta_group = g.value() / per_block;
    if (has_incompat(incompat::meta_bg) && meta_group >= m_sb.first_meta_bg) {
        uint32_t r = g.value() % per_block;
        if (r == 0 || r == 1 || r == per_block - 1)
            header += 1;
    } else if (group_has_super(g)) {
        uint32_t gdt = has_incompat(incompat::meta_bg) ? m_sb.first_meta_bg : m_descriptor_blocks;
        header += gdt + m_sb.reserved_gdt_blocks;
    }
    return header;
}

BlockNumber Volume::descriptor_block(uint32_t i) const
{
    if (has_incompat(incompat::meta_bg) && i >= m_sb.first_meta_bg) {
        GroupNumber g(i * (m_block_size / sizeof(GroupDescriptor)));
        return group_first_block(g) + (group_has_super(g) ? 1 : 0);
    }
    return BlockNumber(m_sb.first_data_block + 1 + i);
}

bool Volume::is_group_metadata(GroupNumber g, BlockNumber block) const
{
    if (block == block_bitmap(g) || block == inode_bitmap(g) || in_inode_table(g, block))
        return true;
    return block - group_first_block(g) < header_blocks(g);
}

const char* Volume::layout_contradiction(GroupNumber g) const
{
    // Each piece was checked to lie inside its own group, so only the group's own pieces can
    // meet: with flex_bg refused, no group keeps its metadata in another.
    auto in_header = [&](BlockNumber b) { return b - group_first_block(g) < header_blocks(g); };
    if (block_bitmap(g) == inode_bitmap(g))
        return "block bitmap and inode bitmap in the same block";
    if (in_inode_table(g, block_bitmap(g)))
        return "block bitmap inside the inode table";
    if (in_inode_table(g, inode_bitmap(g)))
        return "inode bitmap inside the inode table";
    if (in_header(block_bitmap(g)) || in_header(inode_bitmap(g)) || in_header(inode_table(g)))
        return "bitmap or inode table over the superblock or descriptor blocks";
    return nullptr;
}

namespace {

base::Result<void> count_block(void* context, BlockNumber)
{
    ++*static_cast<uint32_t*>(context);
    return {};
}

struct BadBlockList {
    BlockNumber* blocks;
    uint32_t count;
    uint32_t capacity;
};

base::Result<void> list_block(void* context, BlockNumber block)
{
    auto* list = static_cast<BadBlockList*>(context);
    if (list->count < list->capacity)
        list->blocks[list->count++] = block;
    return {};
}

void sort(BlockNumber* a, uint32_t n)
{
    // Shell sort: no allocation, fast enough for the 65536 entries allowed.
    for (uint32_t gap = n / 2; gap > 0; gap = gap == 2 ? 1 : gap * 5 / 11) {
        for (uint32_t i = gap; i < n; ++i) {
            BlockNumber v = a[i];
            uint32_t j = i;
            for (; j >= gap && a[j - gap] > v; j -= gap)
                a[j] = a[j - gap];
            a[j] = v;
        }
    }
}

} // namespace

base::Result<void> Volume::load_bad_blocks()
{
    Inode in = TRY(read_inode(bad_blocks_ino));
    uint32_t count = 0;
    TRY(for_each_data_block(bad_blocks_ino, in, count_block, &count));
    if (count == 0)
        return {};
    if (count > max_bad_blocks)
        return error(Errc::Unsupported, "a bad-blocks list of more than 65536 blocks");
    auto blocks = base::OwnArray<BlockNumber>::create(count);
    if (blocks.is_error())
        return error(Errc::NoMemory, "no memory for the bad-blocks list");
    m_bad_blocks = blocks.release_value();
    BadBlockList list { m_bad_blocks.data(), 0, count };
    TRY(for_each_data_block(bad_blocks_ino, in, list_block, &list));
    m_bad_block_count = list.count;
    sort(m_bad_blocks.data(), m_bad_block_count);
    return {};
}

bool Volume::is_listed_bad(BlockNumber block) const
{
    uint32_t low = 0, high = m_bad_block_count;
    while (low < high) {
        uint32_t mid = low + (high - low) / 2;
        if (m_bad_blocks[mid] == block)
            return true;
        if (m_bad_blocks[mid] < block)
            low = mid + 1;
        else
            high = mid;
    }
    return false;
}

void Volume::tell_undo_failed(const char* what, const base::Error& e)
{
    const char* name = error_name(e.code());
    tell("{} failed too ({}: {}): space may be lost until e2fsck runs", what, name ? name : "device error",
        e.context() ? e.context() : "");
}

base::Error Volume::corrupt(const char* what, Ino ino, BlockNumber block)
{
    record_corruption(what, ino, block);
    return error(Errc::Corrupt, what);
}

void Volume::record_corruption(const char* what, Ino ino, BlockNumber block)
{
    m_last_corruption.clear();
    base::format(m_last_corruption, "{}", what);
    if (ino)
        base::format(m_last_corruption, " (inode {})", ino);
    if (block != BlockNumber())
        base::format(m_last_corruption, " (block {})", block);
}

base::Result<void> Volume::check_mounted() const
{
    if (!m_mounted)
        return error(Errc::InvalidArgument, "the filesystem is unmounted");
    return {};
}

base::Result<void> Volume::check_writable() const
{
    TRY(check_mounted());
    if (m_read_only)
        return error(Errc::ReadOnly, "the filesystem is mounted read-only");
    return {};
}

uint32_t Volume::now()
{
    uint32_t t = m_clock ? m_clock->now() : m_last_time;
    if (t > m_last_time)
        m_last_time = t;
    return t;
}

base::Result<void> Volume::mount(const MountOptions& options)
{
    m_clock = options.clock;
    m_notes = options.notes;
    uint32_t sector = m_device.sector_size();
    if (sector < 512 || sector > 4096 || (sector & (sector - 1)))
        return error(Errc::Unsupported, "device sector size not a power of two from 512 to 4096");

    // The superblock: 1024 bytes at byte 1024, in whatever sectors hold it.
    uint32_t first_sector = superblock_offset / sector;
    uint32_t skip = superblock_offset % sector;
    uint32_t sectors = (skip + superblock_size + sector - 1) / sector;
    if (m_device.sector_count() < first_sector + sectors)
        return error(Errc::Corrupt, "device too small to hold an ext2 superblock");
    // Kept for write_superblock_now (nothing allocates after mount).
    auto super_sectors = base::OwnArray<uint8_t>::create(sectors * sector);
    if (super_sectors.is_error())
        return error(Errc::NoMemory, "no memory to read the superblock");
    m_super_sectors = super_sectors.release_value();
    TRY(m_device.read(first_sector, sectors, m_super_sectors.data()));
    __builtin_memcpy(&m_sb, m_super_sectors.data() + skip, superblock_size);

    if (m_sb.magic != magic)
        return error(Errc::Corrupt, "no ext2 superblock (bad magic number)");
    if (m_sb.rev_level > dynamic_rev)
        return error(Errc::Unsupported, "revision level above 1");
    if (m_sb.log_block_size > max_block_log - min_block_log)
        return error(Errc::Unsupported, "block size above 4 KiB");
    m_block_log = min_block_log + m_sb.log_block_size;
    m_block_size = 1u << m_block_log;
    if (m_block_size < sector)
        return error(Errc::Unsupported, "block size smaller than the device's sectors");
    m_pointers_per_block = m_block_size / 4;

    if (m_sb.rev_level == good_old_rev) {
        m_first_ino = good_old_first_ino;
        m_inode_size = good_old_inode_size;
    } else {
        m_first_ino = m_sb.first_ino;
        m_inode_size = m_sb.inode_size;
        if (m_inode_size < good_old_inode_size || (m_inode_size & (m_inode_size - 1)) || m_inode_size > m_block_size)
            return error(Errc::Corrupt, "superblock with an invalid inode size");
        if (m_first_ino < good_old_first_ino)
            return error(Errc::Corrupt, "superblock with a first inode below 11");
    }

    // Features, as fs/ext2/super.c judges them.
    uint32_t unknown_incompat = m_sb.feature_incompat & ~incompat::supported;
    if (unknown_incompat) {
        for (const FeatureName& f : incompat_names)
            if (unknown_incompat & f.bit)
                return error(Errc::Unsupported, f.refusal);
        return error(Errc::Unsupported, "unknown INCOMPAT feature");
    }
    m_read_only = options.mode == MountMode::ReadOnly;
    uint32_t unknown_ro = m_sb.feature_ro_compat & ~ro_compat::supported;
    if (unknown_ro) {
        uint32_t bit = unknown_ro & -unknown_ro;
        base::format(m_note, "unknown RO_COMPAT feature {:#x} ({}){}: mounted read-only", unknown_ro,
            feature_name(ro_compat_names, sizeof(ro_compat_names) / sizeof(ro_compat_names[0]), bit),
            (unknown_ro & (unknown_ro - 1)) ? " and others" : "");
        m_read_only = true;
    }

    // Geometry.
    if (m_sb.blocks_per_group == 0 || m_sb.blocks_per_group > 8 * m_block_size)
        return error(Errc::Corrupt, "superblock with an invalid blocks-per-group count");
    if (m_sb.inodes_per_group == 0 || m_sb.inodes_per_group > 8 * m_block_size)
        return error(Errc::Corrupt, "superblock with an invalid inodes-per-group count");
    if (m_sb.first_data_block != (m_block_size == 1024 ? 1u : 0u))
        return error(Errc::Corrupt, "superblock with an invalid first data block");
    if (m_sb.blocks_count <= m_sb.first_data_block + 1)
        return error(Errc::Corrupt, "superblock with too few blocks");
    uint64_t groups
        = (uint64_t(m_sb.blocks_count) - m_sb.first_data_block + m_sb.blocks_per_group - 1) / m_sb.blocks_per_group;
    if (groups > max_groups)
        return error(Errc::Unsupported, "more than 131072 block groups");
    m_group_count = static_cast<uint32_t>(groups);
    if (uint64_t(m_group_count) * m_sb.inodes_per_group != m_sb.inodes_count)
        return error(Errc::Corrupt, "superblock inode count does not match the groups");
    if (m_sb.inodes_count < m_first_ino)
        return error(Errc::Corrupt, "superblock with fewer inodes than the reserved ones");
    if (uint64_t(m_sb.blocks_count) * (m_block_size / sector) > m_device.sector_count())
        return error(Errc::Corrupt, "the filesystem is larger than its device");
    m_inode_table_blocks = (m_sb.inodes_per_group * m_inode_size + m_block_size - 1) / m_block_size;
    uint32_t per_block = m_block_size / sizeof(GroupDescriptor);
    m_descriptor_blocks = (m_group_count + per_block - 1) / per_block;
    if (has_incompat(incompat::meta_bg) && m_sb.first_meta_bg > m_descriptor_blocks)
        return error(Errc::Corrupt, "superblock with first_meta_bg beyond the descriptor blocks");

    uint64_t ppb = m_pointers_per_block;
    uint64_t logical = direct_blocks + ppb + ppb * ppb + ppb * ppb * ppb;
    m_max_file_size = max_size_for(m_block_log);
    // Revision 0 has no large_file feature to set: its files stay under 2 GiB.
    if (m_sb.rev_level == good_old_rev && m_max_file_size > 0x7fffffff)
        m_max_file_size = 0x7fffffff;
    if (logical > (m_max_file_size >> m_block_log))
        logical = m_max_file_size >> m_block_log;
    m_max_logical = static_cast<uint32_t>(logical);

    TRY(m_cache.init(m_device, m_block_size, options.cache_bytes));
    TRY(m_files.init(options.chunk_memory, options.data_cache_bytes));
    m_cache.set_failure_listener(this);
    auto descriptors = base::OwnArray<GroupDescriptor>::create(m_group_count);
    auto group_flags = base::OwnArray<uint8_t>::create(m_group_count);
    auto holds = base::OwnArray<Hold>::create(Filesystem::max_held);
    if (descriptors.is_error() || group_flags.is_error() || holds.is_error())
        return error(Errc::NoMemory, "no memory for the group descriptors");
    m_groups = descriptors.release_value();
    m_group_flags = group_flags.release_value();
    m_holds = holds.release_value();
    for (uint32_t g = 0; g < m_group_count; ++g)
        m_group_flags[g] = 0;
    for (size_t i = 0; i < Filesystem::max_held; ++i)
        m_holds[i] = Hold { 0, 0 };

    // Group descriptors, in their blocks.
    for (uint32_t i = 0; i < m_descriptor_blocks; ++i) {
        BlockNumber block = descriptor_block(i);
        if (!valid_data_block(block))
            return error(Errc::Corrupt, "group descriptor block beyond the filesystem");
        BlockRef ref = TRY(m_cache.get(block));
        uint32_t n = m_group_count - i * per_block;
        if (n > per_block)
            n = per_block;
        __builtin_memcpy(&m_groups[i * per_block], ref.data(), n * sizeof(GroupDescriptor));
    }
    for (GroupNumber g(0); g < GroupNumber(m_group_count); ++g) {
        BlockNumber first = group_first_block(g);
        uint32_t count = group_block_count(g);
        auto inside = [&](BlockNumber b) { return b >= first && b - first < count; };
        if (!inside(block_bitmap(g)))
            return corrupt("group descriptor with its block bitmap outside its group", 0, block_bitmap(g));
        if (!inside(inode_bitmap(g)))
            return corrupt("group descriptor with its inode bitmap outside its group", 0, inode_bitmap(g));
        BlockNumber table = inode_table(g);
        BlockNumber table_end = table + m_inode_table_blocks;
        if (!inside(table) || !inside(table_end - 1) || table_end < table)
            return corrupt("group descriptor with its inode table outside its group", 0, table);
    }
    TRY(check_groups());
    m_last_time = m_sb.wtime > m_sb.mtime ? m_sb.wtime : m_sb.mtime;
    m_generation = m_last_time;
    m_mount_state = m_sb.state;
    if (!(m_sb.state & state_valid))
        base::format(
            m_note, "{}not cleanly unmounted: mounted unchecked, run e2fsck", m_note.view().empty() ? "" : "; ");
    else if (m_sb.state & state_error)
        base::format(m_note, "{}marked as having errors: run e2fsck", m_note.view().empty() ? "" : "; ");
    m_mounted = true;

    if (!m_read_only) {
        m_sb.state &= ~state_valid;
        m_sb.mnt_count++;
        m_sb.mtime = now();
        m_super_dirty = true;
        TRY(sync());
    }
    return {};
}

base::Result<void> Volume::sync()
{
    TRY(check_mounted());
    if (m_read_only)
        return {};
    uint32_t per_block = m_block_size / sizeof(GroupDescriptor);
    if (m_super_dirty) {
        for (uint32_t i = 0; i < m_descriptor_blocks; ++i) {
            BlockRef ref = TRY(m_cache.get(descriptor_block(i)));
            uint32_t n = m_group_count - i * per_block;
            if (n > per_block)
                n = per_block;
            __builtin_memcpy(ref.data(), &m_groups[i * per_block], n * sizeof(GroupDescriptor));
            ref.mark_dirty();
        }
        m_sb.wtime = now();
        BlockRef ref = TRY(m_cache.get(BlockNumber(superblock_offset / m_block_size)));
        __builtin_memcpy(ref.data() + superblock_offset % m_block_size, &m_sb, superblock_size);
        ref.mark_dirty();
        m_super_dirty = false;
    }
    // Every block that can be written is, even after a failure: the failures are counted by
    // write_failed() and reported below.
    (void)m_cache.write_back();
    TRY(m_device.flush());
    if (m_write_failures != m_failures_reported) {
        m_failures_reported = m_write_failures;
        int code = m_unreported_failure.code();
        m_unreported_failure = base::Error(0);
        return base::Error(code, "a block could not be written to the device since the last sync");
    }
    return {};
}

base::Result<void> Volume::unmount()
{
    TRY(check_mounted());
    if (!m_read_only) {
        TRY(release_all_holds());
        // Linux restores the state found at mount: a filesystem mounted unchecked stays so.
        m_sb.state = m_mount_state;
        m_super_dirty = true;
        TRY(sync());
    }
    m_files.drop_all();
    m_mounted = false;
    return {};
}

base::Result<void> Volume::check_groups()
{
    // Metadata that overlaps: whatever the library would write there would land on something
    // else, so it writes nothing.
    GroupNumber end(m_group_count);
    for (GroupNumber g(0); g < end; ++g) {
        if (const char* why = layout_contradiction(g)) {
            if (!m_read_only)
                base::format(m_note, "{}group {}: {}: mounted read-only", m_note.view().empty() ? "" : "; ", g, why);
            m_read_only = true;
            break;
        }
    }
    auto bad = load_bad_blocks();
    if (bad.is_error()) {
        if (bad.error().code() == static_cast<int>(Errc::NoMemory))
            return bad.error();
        if (!m_read_only)
            base::format(m_note, "{}bad-blocks inode unreadable ({}): mounted read-only",
                m_note.view().empty() ? "" : "; ", bad.error().context() ? bad.error().context() : "");
        m_read_only = true;
    }

    // The trusted counts start as the descriptors' sums; verify_group takes out what it distrusts.
    m_trusted_free_blocks = m_trusted_free_inodes = 0;
    for (uint32_t g = 0; g < m_group_count; ++g) {
        m_group_flags[g] = 0;
        m_trusted_free_blocks += m_groups[g].free_blocks_count;
        m_trusted_free_inodes += m_groups[g].free_inodes_count;
    }
    for (GroupNumber g(0); g < end; ++g)
        TRY(verify_group(g));
    for (uint32_t i = 0; i < m_bad_block_count; ++i) {
        BlockNumber b = m_bad_blocks[i];
        GroupNumber g = group_of_block(b);
        if (!blocks_trusted(g))
            continue;
        auto used = block_in_use(b);
        if (used.is_error() || !used.value())
            distrust_blocks(g, "block bitmap marks a block of the bad-blocks list free", b);
    }

    // Stale uninit flags (without the features, the only way this library writes) would make
    // e2fsck take the inodes of a group, and new names pointing into it, for unused ones.
    if (!m_read_only)
        for (GroupNumber g(0); g < end; ++g)
            note_allocation_in(g);

    uint32_t untrusted = 0, first_untrusted = 0;
    for (uint32_t g = 0; g < m_group_count; ++g)
        if (m_group_flags[g] && !untrusted++)
            first_untrusted = g;
    if (untrusted) {
        base::format(m_note,
            "{}{} group{} with a bitmap found inconsistent (first: group {}): nothing is allocated or freed "
            "by it; run e2fsck",
            m_note.view().empty() ? "" : "; ", untrusted, untrusted == 1 ? "" : "s", first_untrusted);
    } else {
        // As Linux does, the superblock's free counts are the sums of the groups'; with a group
        // found inconsistent they are left as found (and kept by every change), as e2fsck will
        // count them from what it finds.
        m_sb.free_blocks_count = static_cast<uint32_t>(m_trusted_free_blocks);
        m_sb.free_inodes_count = static_cast<uint32_t>(m_trusted_free_inodes);
    }
    return {};
}

MemoryUse Volume::memory_use() const
{
    MemoryUse m {};
    m.cache_bytes = m_cache.bytes();
    m.cached_blocks = m_cache.cached_blocks();
    m.dirty_blocks = m_cache.dirty_blocks();
    m.metadata_bytes = sizeof(Volume) + m_group_count * (sizeof(GroupDescriptor) + 1)
        + Filesystem::max_held * sizeof(Hold) + m_bad_block_count * sizeof(BlockNumber);
    m.name_table_bytes = m_names.bytes();
    m.data_cache_bytes = m_files.filled_bytes();
    m.data_cache_chunks = m_files.chunk_count();
    return m;
}

StatFs Volume::statfs() const
{
    StatFs s {};
    s.block_size = m_block_size;
    // Linux's ext2 reports the blocks after the groups' metadata overhead in f_blocks; df on
    // the Hurd does the same. We report the plain count: simpler, and e2fsprogs agrees.
    s.blocks = m_sb.blocks_count;
    s.free_blocks = m_trusted_free_blocks;
    s.available_blocks = m_trusted_free_blocks > m_sb.r_blocks_count ? m_trusted_free_blocks - m_sb.r_blocks_count : 0;
    s.inodes = m_sb.inodes_count;
    s.free_inodes = m_trusted_free_inodes;
    s.max_name_length = max_name_length;
    s.read_only = m_read_only;
    return s;
}

} // namespace ext2
