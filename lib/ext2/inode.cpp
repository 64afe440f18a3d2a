// Inodes: their place in the groups' inode tables, reading and writing them through the cache,
// the checks an inode must pass before a call acts on it, sizes, holds of open inodes, and
// freeing an inode with its blocks and extended-attribute block when its last link goes.
#include "ext2/volume.h"

namespace ext2 {

using namespace layout;

namespace {

bool known_type(uint16_t mode)
{
    switch (mode & mode_type_mask) {
    case mode_fifo:
    case mode_chr:
    case mode_dir:
    case mode_blk:
    case mode_reg:
    case mode_lnk:
    case mode_sock:
        return true;
    default:
        return false;
    }
}

} // namespace

base::Result<void> Volume::check_ino(Ino ino) const
{
    if (ino < 1 || ino > m_sb.inodes_count)
        return error(Errc::InvalidArgument, "inode number out of range");
    return {};
}

base::Result<Volume::InodeLocation> Volume::locate(Ino ino) const
{
    TRY(check_ino(ino));
    uint64_t byte = uint64_t((ino - 1) % m_sb.inodes_per_group) * m_inode_size;
    // The descriptor's inode table was checked at mount to lie inside its group.
    return InodeLocation { inode_table(group_of_inode(ino)) + static_cast<uint32_t>(byte >> m_block_log),
        static_cast<uint32_t>(byte & (m_block_size - 1)) };
}

base::Result<Volume::Inode> Volume::read_inode(Ino ino)
{
    InodeLocation at = TRY(locate(ino));
    BlockRef ref = TRY(m_cache.get(at.block));
    Inode in;
    __builtin_memcpy(&in, ref.data() + at.offset, sizeof in);
    return in;
}

base::Result<void> Volume::write_inode(Ino ino, const Inode& in)
{
    InodeLocation at = TRY(locate(ino));
    BlockRef ref = TRY(m_cache.get(at.block));
    __builtin_memcpy(ref.data() + at.offset, &in, sizeof in);
    ref.mark_dirty();
    return {};
}

base::Result<void> Volume::write_new_inode(Ino ino, const Inode& in)
{
    InodeLocation at = TRY(locate(ino));
    BlockRef ref = TRY(m_cache.get(at.block));
    uint8_t* p = ref.data() + at.offset;
    for (uint32_t i = 0; i < m_inode_size; ++i)
        p[i] = 0;
    __builtin_memcpy(p, &in, sizeof in);
    // A large inode gets the extra fields e2fsprogs gives a new one (ext2fs_write_new_inode).
    if (m_inode_size >= sizeof(Inode) + sizeof(InodeExtra)) {
        InodeExtra extra {};
        extra.extra_isize = sizeof(InodeExtra);
        extra.crtime = in.ctime;
        __builtin_memcpy(p + sizeof(Inode), &extra, sizeof extra);
    }
    ref.mark_dirty();
    return {};
}

base::Result<Volume::Inode> Volume::load(Ino ino)
{
    TRY(check_mounted());
    Inode in = TRY(read_inode(ino));
    if (in.links_count == 0 && !is_held(ino))
        return error(Errc::NotFound, "inode not in use");
    if (!known_type(in.mode))
        return corrupt("inode of an unknown type", ino);
    if (in.flags & (extents_fl | inline_data_fl))
        return corrupt("inode with extents or inline data on an ext2 filesystem", ino);
    return in;
}

base::Result<Volume::Inode> Volume::load_directory(Ino ino)
{
    Inode in = TRY(load(ino));
    if ((in.mode & mode_type_mask) != mode_dir)
        return error(Errc::NotDirectory, "not a directory");
    return in;
}

uint64_t Volume::size_of(const Inode& in) const
{
    uint64_t size = in.size;
    if ((in.mode & mode_type_mask) == mode_reg)
        size |= uint64_t(in.size_high) << 32;
    return size;
}

base::Result<void> Volume::set_size(Inode& in, uint64_t size)
{
    if ((in.mode & mode_type_mask) != mode_reg) {
        if (size >> 32)
            return error(Errc::FileTooLarge, "directory or link over 4 GiB");
        in.size = static_cast<uint32_t>(size);
        return {};
    }
    if (size > 0x7fffffff && !has_ro_compat(ro_compat::large_file)) {
        // Linux sets large_file on the first such file; revision 0 has no feature fields.
        if (m_sb.rev_level == good_old_rev)
            return error(Errc::FileTooLarge, "files over 2 GiB need revision 1 (large_file)");
        m_sb.feature_ro_compat |= ro_compat::large_file;
        m_super_dirty = true;
    }
    in.size = static_cast<uint32_t>(size);
    in.size_high = static_cast<uint32_t>(size >> 32);
    return {};
}

bool Volume::is_fast_symlink(const Inode& in) const
{
    if ((in.mode & mode_type_mask) != mode_lnk)
        return false;
    uint32_t ea_sectors = in.file_acl ? m_block_size / 512 : 0;
    return in.blocks == ea_sectors;
}

bool Volume::has_block_map(const Inode& in) const
{
    switch (in.mode & mode_type_mask) {
    case mode_reg:
    case mode_dir:
        return true;
    case mode_lnk:
        return !is_fast_symlink(in);
    default:
        return false; // devices keep their number in i_block; fifos and sockets have nothing
    }
}

bool Volume::is_held(Ino ino) const
{
    for (size_t i = 0; i < Filesystem::max_held; ++i)
        if (m_holds[i].count && m_holds[i].ino == ino)
            return true;
    return false;
}

base::Result<void> Volume::hold(Ino ino)
{
    TRY(load(ino));
    Hold* free_slot = nullptr;
    for (size_t i = 0; i < Filesystem::max_held; ++i) {
        if (m_holds[i].count && m_holds[i].ino == ino) {
            ++m_holds[i].count;
            return {};
        }
        if (!m_holds[i].count && !free_slot)
            free_slot = &m_holds[i];
    }
    if (!free_slot)
        return error(Errc::NoMemory, "too many inodes held open");
    *free_slot = Hold { ino, 1 };
    return {};
}

base::Result<void> Volume::release(Ino ino)
{
    TRY(check_mounted());
    for (size_t i = 0; i < Filesystem::max_held; ++i) {
        Hold& h = m_holds[i];
        if (!h.count || h.ino != ino)
            continue;
        if (--h.count)
            return {};
        Inode in = TRY(read_inode(ino));
        if (in.links_count == 0 && !m_read_only)
            return destroy_inode(ino, in);
        return {};
    }
    return error(Errc::InvalidArgument, "release of an inode that is not held");
}

base::Result<void> Volume::release_all_holds()
{
    base::Result<void> first_error;
    for (size_t i = 0; i < Filesystem::max_held; ++i) {
        Hold& h = m_holds[i];
        if (!h.count)
            continue;
        h.count = 0;
        auto in = read_inode(h.ino);
        if (in.is_error()) {
            if (!first_error.is_error())
                first_error = in.error();
            continue;
        }
        if (in.value().links_count == 0) {
            auto r = destroy_inode(h.ino, in.value());
            if (r.is_error() && !first_error.is_error())
                first_error = r.error();
        }
    }
    return first_error;
}

base::Result<void> Volume::check_xattr_release(Ino ino, const Inode& in)
{
    BlockNumber ea(in.file_acl);
    if (!valid_data_block(ea))
        return corrupt("extended-attribute block beyond the filesystem", ino, ea);
    BlockRef ref = TRY(m_cache.get(ea));
    XattrHeader header;
    __builtin_memcpy(&header, ref.data(), sizeof header);
    // As Linux's ext2_xattr_delete_inode judges the block.
    if (header.magic != xattr_magic || header.blocks != 1)
        return corrupt("extended-attribute block with a bad magic number or size", ino, ea);
    if (header.refcount == 0)
        return corrupt("extended-attribute block with a reference count of 0", ino, ea);
    if (header.refcount == 1)
        TRY(check_freeable_block(ea));
    return {};
}

base::Result<void> Volume::release_xattr(Ino ino, Inode& in)
{
    BlockNumber ea(in.file_acl);
    BlockRef ref = TRY(m_cache.get(ea));
    XattrHeader header;
    __builtin_memcpy(&header, ref.data(), sizeof header);
    if (header.refcount > 1) {
        --header.refcount;
        __builtin_memcpy(ref.data(), &header, sizeof header);
        ref.mark_dirty();
    } else {
        ref.reset();
        TRY(free_block(ea));
    }
    (void)ino;
    in.file_acl = 0;
    uint32_t sectors = m_block_size / 512;
    in.blocks = in.blocks > sectors ? in.blocks - sectors : 0;
    return {};
}

base::Result<void> Volume::check_destroyable(Ino ino, const Inode& in, uint32_t links_after)
{
    if (links_after > 0 || is_held(ino))
        return {};
    if (ino < m_first_ino)
        return error(Errc::NotPermitted, "freeing a reserved inode");
    if (has_block_map(in))
        TRY(check_blocks_from(ino, in, LogicalBlock(0)));
    if (in.file_acl)
        TRY(check_xattr_release(ino, in));
    if (!inodes_trusted(group_of_inode(ino)))
        return corrupt("not freeing an inode in a group whose bitmap is inconsistent", ino);
    return {};
}

base::Result<void> Volume::drop_link(Ino ino, Inode& in)
{
    if (in.links_count == 0)
        return corrupt("dropping a link of an inode with none", ino);
    --in.links_count;
    in.ctime = now();
    if (in.links_count == 0 && !is_held(ino))
        return destroy_inode(ino, in);
    return write_inode(ino, in);
}

base::Result<void> Volume::destroy_inode(Ino ino, Inode& in)
{
    bool directory = (in.mode & mode_type_mask) == mode_dir;
    // Everything checked before the first write, so that a refusal leaves the inode whole (with
    // no link when the last name is gone already: e2fsck finds it unattached, nothing worse).
    auto checked = check_destroyable(ino, in, 0);
    if (!checked.is_error()) {
        auto bit = inode_in_use_bit(ino);
        if (bit.is_error())
            checked = bit.error();
        else if (!bit.value())
            checked = corrupt("freeing an inode that is already free", ino);
    }
    if (checked.is_error()) {
        if (in.links_count != 0) {
            in.links_count = 0;
            TRY(write_inode(ino, in));
        }
        return checked;
    }
    // Its contents go from the file data cache before its blocks can be anyone else's.
    m_files.drop(ino, size_of(in));
    // The attribute block first: a damaged map that names it as well then finds it free and
    // passes over it.
    if (in.file_acl)
        TRY(release_xattr(ino, in));
    base::Result<void> blocks;
    if (has_block_map(in))
        blocks = free_checked_blocks_from(ino, in, LogicalBlock(0));
    in.links_count = 0;
    in.dtime = now();
    in.size = 0;
    if ((in.mode & mode_type_mask) == mode_reg)
        in.size_high = 0;
    TRY(write_inode(ino, in));
    // The inode is deleted on disk now: its bit goes even if a block could not be freed (a
    // device error, the only failure left after the checks).
    auto bit = free_inode_bit(ino, directory);
    TRY(blocks);
    return bit;
}

} // namespace ext2
