// The calls that change names: create, mkdir, symlink, mknod, link, unlink, rmdir, rename.
// Each checks everything it can before its first write, and undoes its allocations when a
// later step fails, so that a failed call leaves a filesystem e2fsck accepts.
#include "ext2/volume.h"

namespace ext2 {

using namespace layout;

namespace {

bool is_dot_or_dot_dot(base::StringView name)
{
    return name == base::StringView(".") || name == base::StringView("..");
}
bool is_directory(const Volume::Inode& in)
{
    return (in.mode & mode_type_mask) == mode_dir;
}
bool is_not_found(const base::Error& e)
{
    return e.code() == static_cast<int>(Errc::NotFound);
}

base::Result<void> check_name(base::StringView name)
{
    if (name.empty())
        return error(Errc::NotFound, "empty name");
    if (name.size() > max_name_length)
        return error(Errc::NameTooLong, "name over 255 bytes");
    for (char c : name)
        if (c == '/' || c == 0)
            return error(Errc::InvalidArgument, "name with '/' or NUL in it");
    return {};
}

// A directory that a new name may go into, with no entry of that name yet.
base::Result<Volume::Inode> parent_for_new(Volume& v, Ino dir, base::StringView name)
{
    TRY(v.check_writable());
    TRY(check_name(name));
    if (is_dot_or_dot_dot(name))
        return error(Errc::Exists, "'.' and '..' exist");
    Volume::Inode d = TRY(v.load_directory(dir));
    if (d.links_count == 0)
        return error(Errc::NotFound, "the directory was removed");
    auto found = v.find_entry(dir, d, name);
    if (!found.is_error())
        return error(Errc::Exists, "name exists");
    if (!is_not_found(found.error()))
        return found.error();
    return d;
}

// The inode an existing entry names; an entry naming an unused inode is corruption.
base::Result<Volume::Inode> entry_target(Volume& v, Ino dir, const EntryPlace& place)
{
    auto in = v.load(place.ino);
    if (in.is_error() && is_not_found(in.error()))
        return v.corrupt("directory entry naming an unused inode", dir);
    return in;
}

Volume::Inode new_inode(Volume& v, uint16_t mode, Owner owner, uint16_t links)
{
    Volume::Inode in {};
    in.mode = mode;
    in.uid = static_cast<uint16_t>(owner.uid);
    in.uid_high = static_cast<uint16_t>(owner.uid >> 16);
    in.gid = static_cast<uint16_t>(owner.gid);
    in.gid_high = static_cast<uint16_t>(owner.gid >> 16);
    in.atime = in.ctime = in.mtime = v.now();
    in.links_count = links;
    in.generation = v.next_generation();
    return in;
}

// Undoes a new inode (and its one block) after a later step failed. The caller returns the
// first failure; a failure here is told through the notes, never dropped.
void undo_inode(Volume& v, Ino ino, bool directory, BlockNumber block)
{
    if (block != BlockNumber()) {
        v.cache().forget(block); // written only in the cache: not worth writing now
        auto r = v.give_back_block(block);
        if (r.is_error())
            v.tell_undo_failed("giving back the block of a new inode", r.error());
    }
    auto in = v.read_inode(ino);
    base::Result<void> written = in.is_error() ? base::Result<void>(in.error()) : base::Result<void> {};
    if (!in.is_error()) {
        in.value().links_count = 0;
        in.value().dtime = v.now();
        written = v.write_inode(ino, in.value());
    }
    if (written.is_error())
        v.tell_undo_failed("marking a new inode deleted", written.error());
    auto r = v.give_back_inode(ino, directory);
    if (r.is_error())
        v.tell_undo_failed("giving back a new inode", r.error());
}

// A new inode with its entry in dir; block is its one data block, if any.
base::Result<Ino> install(
    Volume& v, Ino dir, Volume::Inode& d, base::StringView name, Ino ino, const Volume::Inode& in, BlockNumber block)
{
    bool directory = is_directory(in);
    auto r = v.write_new_inode(ino, in);
    if (!r.is_error())
        r = v.add_entry(dir, d, name, ino, v.file_type_of(in.mode));
    if (r.is_error()) {
        undo_inode(v, ino, directory, block);
        return r.error();
    }
    return ino;
}

} // namespace

base::Result<Ino> Filesystem::create(Ino dir, base::StringView name, uint16_t mode, Owner owner)
{
    Volume& v = *m_volume;
    Volume::Inode d = TRY(parent_for_new(v, dir, name));
    Ino ino = TRY(v.allocate_inode(dir, false));
    Volume::Inode in = new_inode(v, static_cast<uint16_t>(mode_reg | (mode & mode_permission_mask)), owner, 1);
    return install(v, dir, d, name, ino, in, BlockNumber());
}

base::Result<Ino> Filesystem::mknod(Ino dir, base::StringView name, uint16_t mode, uint32_t rdev, Owner owner)
{
    Volume& v = *m_volume;
    uint16_t type = mode & mode_type_mask;
    if (type != mode_chr && type != mode_blk && type != mode_fifo && type != mode_sock)
        return error(Errc::InvalidArgument, "mknod of something not a device, fifo or socket");
    Volume::Inode d = TRY(parent_for_new(v, dir, name));
    Ino ino = TRY(v.allocate_inode(dir, false));
    Volume::Inode in = new_inode(v, static_cast<uint16_t>(type | (mode & mode_permission_mask)), owner, 1);
    if (type == mode_chr || type == mode_blk) {
        // Linux: the old 16-bit encoding in i_block[0] when it fits, else the new one in [1].
        if (rdev < 0x10000)
            in.block[0] = rdev;
        else
            in.block[1] = rdev;
    }
    return install(v, dir, d, name, ino, in, BlockNumber());
}

base::Result<Ino> Filesystem::mkdir(Ino dir, base::StringView name, uint16_t mode, Owner owner)
{
    Volume& v = *m_volume;
    Volume::Inode d = TRY(parent_for_new(v, dir, name));
    if (d.links_count >= max_links)
        return error(Errc::TooManyLinks, "the directory has the most subdirectories ext2 allows");
    Ino ino = TRY(v.allocate_inode(dir, true));
    auto block = v.allocate_block(v.group_first_block(v.group_of_inode(ino)));
    if (block.is_error()) {
        undo_inode(v, ino, true, BlockNumber());
        return block.error();
    }
    Volume::Inode in = new_inode(v, static_cast<uint16_t>(mode_dir | (mode & mode_permission_mask)), owner, 2);
    in.size = v.block_size();
    in.block[0] = block.value().value();
    in.blocks = v.block_size() / 512;
    auto written = v.write_new_directory_block(block.value(), ino, dir);
    if (written.is_error()) {
        undo_inode(v, ino, true, block.value());
        return written.error();
    }
    TRY(install(v, dir, d, name, ino, in, block.value()));
    ++d.links_count; // the new directory's '..'
    TRY(v.write_inode(dir, d));
    return ino;
}

base::Result<Ino> Filesystem::symlink(Ino dir, base::StringView name, base::StringView target, Owner owner)
{
    Volume& v = *m_volume;
    if (target.empty())
        return error(Errc::NotFound, "empty symbolic link target");
    if (target.size() >= v.block_size())
        return error(Errc::NameTooLong, "symbolic link target longer than a block");
    Volume::Inode d = TRY(parent_for_new(v, dir, name));
    Ino ino = TRY(v.allocate_inode(dir, false));
    Volume::Inode in = new_inode(v, mode_lnk | 0777, owner, 1);
    in.size = static_cast<uint32_t>(target.size());
    BlockNumber block;
    if (target.size() < fast_symlink_bytes) {
        __builtin_memcpy(in.block, target.data(), target.size());
    } else {
        auto b = v.allocate_block(v.group_first_block(v.group_of_inode(ino)));
        if (b.is_error()) {
            undo_inode(v, ino, false, BlockNumber());
            return b.error();
        }
        block = b.value();
        auto ref = v.cache().get_zeroed(block);
        if (ref.is_error()) {
            undo_inode(v, ino, false, block);
            return ref.error();
        }
        __builtin_memcpy(ref.value().data(), target.data(), target.size());
        in.block[0] = block.value();
        in.blocks = v.block_size() / 512;
    }
    return install(v, dir, d, name, ino, in, block);
}

base::Result<void> Filesystem::link(Ino dir, base::StringView name, Ino target)
{
    Volume& v = *m_volume;
    TRY(v.check_writable());
    Volume::Inode t = TRY(v.load(target));
    if (is_directory(t))
        return error(Errc::NotPermitted, "a hard link to a directory");
    if (v.is_reserved(target))
        return error(Errc::NotPermitted, "a reserved inode");
    if (t.links_count >= max_links)
        return error(Errc::TooManyLinks, "the file has the most links ext2 allows");
    Volume::Inode d = TRY(parent_for_new(v, dir, name));
    TRY(v.add_entry(dir, d, name, target, v.file_type_of(t.mode)));
    ++t.links_count;
    t.ctime = v.now();
    return v.write_inode(target, t);
}

base::Result<void> Filesystem::unlink(Ino dir, base::StringView name)
{
    Volume& v = *m_volume;
    TRY(v.check_writable());
    TRY(check_name(name));
    if (is_dot_or_dot_dot(name))
        return error(Errc::IsDirectory, "'.' and '..' are directories");
    Volume::Inode d = TRY(v.load_directory(dir));
    EntryPlace place = TRY(v.find_entry(dir, d, name));
    Volume::Inode t = TRY(entry_target(v, dir, place));
    if (is_directory(t))
        return error(Errc::IsDirectory, "unlink of a directory");
    if (v.is_reserved(place.ino))
        return error(Errc::NotPermitted, "a reserved inode");
    TRY(v.check_destroyable(place.ino, t, t.links_count - 1u));
    TRY(v.remove_entry(dir, d, place));
    return v.drop_link(place.ino, t);
}

base::Result<void> Filesystem::rmdir(Ino dir, base::StringView name)
{
    Volume& v = *m_volume;
    TRY(v.check_writable());
    TRY(check_name(name));
    if (name == base::StringView("."))
        return error(Errc::InvalidArgument, "rmdir of '.'");
    if (name == base::StringView(".."))
        return error(Errc::NotEmpty, "rmdir of '..'");
    Volume::Inode d = TRY(v.load_directory(dir));
    EntryPlace place = TRY(v.find_entry(dir, d, name));
    if (place.ino == dir)
        return v.corrupt("directory entry naming its own directory", dir);
    Volume::Inode t = TRY(entry_target(v, dir, place));
    if (!is_directory(t))
        return error(Errc::NotDirectory, "rmdir of something not a directory");
    if (place.ino == root_ino || v.is_reserved(place.ino))
        return error(Errc::Busy, "rmdir of the root or a reserved inode");
    bool empty = TRY(v.is_empty_directory(place.ino, t));
    if (!empty)
        return error(Errc::NotEmpty, "directory not empty");
    TRY(v.check_destroyable(place.ino, t, 0));
    TRY(v.remove_entry(dir, d, place));
    if (d.links_count > 1)
        --d.links_count; // its '..'
    TRY(v.write_inode(dir, d));
    t.links_count = 1; // its own '.' goes with it; the entry's link is dropped below
    return v.drop_link(place.ino, t);
}

base::Result<void> Filesystem::rename(Ino from_dir, base::StringView from, Ino to_dir, base::StringView to)
{
    Volume& v = *m_volume;
    TRY(v.check_writable());
    TRY(check_name(from));
    TRY(check_name(to));
    if (is_dot_or_dot_dot(from) || is_dot_or_dot_dot(to))
        return error(Errc::InvalidArgument, "rename of '.' or '..'");

    // One in-memory copy per directory inode, shared when both are the same.
    Volume::Inode from_storage = TRY(v.load_directory(from_dir));
    Volume::Inode to_storage {};
    bool same_dir = from_dir == to_dir;
    if (!same_dir)
        to_storage = TRY(v.load_directory(to_dir));
    Volume::Inode& fd = from_storage;
    Volume::Inode& td = same_dir ? from_storage : to_storage;
    if (td.links_count == 0)
        return error(Errc::NotFound, "the target directory was removed");

    EntryPlace source = TRY(v.find_entry(from_dir, fd, from));
    Volume::Inode s = TRY(entry_target(v, from_dir, source));
    if (v.is_reserved(source.ino))
        return error(Errc::NotPermitted, "a reserved inode");
    bool source_is_dir = is_directory(s);
    if (source_is_dir && (source.ino == from_dir || source.ino == root_ino))
        return v.corrupt("directory entry naming its own directory or the root", from_dir);

    auto found = v.find_entry(to_dir, td, to);
    if (found.is_error() && !is_not_found(found.error()))
        return found.error();
    bool replacing = !found.is_error();
    EntryPlace victim_place {};
    Volume::Inode victim {};
    bool victim_is_dir = false;
    if (replacing) {
        victim_place = found.value();
        if (victim_place.ino == source.ino)
            return {}; // two links to one file: POSIX says do nothing
        victim = TRY(entry_target(v, to_dir, victim_place));
        if (v.is_reserved(victim_place.ino) || victim_place.ino == root_ino)
            return error(Errc::Busy, "rename over the root or a reserved inode");
        victim_is_dir = is_directory(victim);
        if (source_is_dir && !victim_is_dir)
            return error(Errc::NotDirectory, "rename of a directory over a file");
        if (!source_is_dir && victim_is_dir)
            return error(Errc::IsDirectory, "rename of a file over a directory");
        if (victim_is_dir) {
            if (victim_place.ino == to_dir || victim_place.ino == from_dir)
                return error(Errc::NotEmpty, "directory not empty");
            bool empty = TRY(v.is_empty_directory(victim_place.ino, victim));
            if (!empty)
                return error(Errc::NotEmpty, "directory not empty");
        }
        TRY(v.check_destroyable(victim_place.ino, victim, victim_is_dir ? 0u : victim.links_count - 1u));
    }
    if (source_is_dir && !same_dir) {
        // to_dir must not be the source or below it. The walk up by '..' is bounded: a
        // longer chain than the inode count is a loop.
        Ino at = to_dir;
        for (uint32_t steps = 0;; ++steps) {
            if (at == source.ino)
                return error(Errc::InvalidArgument, "moving a directory into itself");
            if (at == root_ino)
                break;
            if (steps > v.inode_count())
                return v.corrupt("loop in the directory tree's '..' entries", to_dir);
            Volume::Inode up = TRY(v.load_directory(at));
            Ino parent = TRY(v.parent_of(at, up));
            if (parent == at)
                return v.corrupt("directory whose '..' names itself", at);
            at = parent;
        }
        if (!replacing && td.links_count >= max_links)
            return error(Errc::TooManyLinks, "the directory has the most subdirectories ext2 allows");
    }

    // The new name first, so that a failure leaves the old one.
    if (replacing)
        TRY(v.retarget_entry(to_dir, td, victim_place, source.ino, v.file_type_of(s.mode)));
    else
        TRY(v.add_entry(to_dir, td, to, source.ino, v.file_type_of(s.mode)));
    // Adding may have split an entry of the same block: find the old name again.
    EntryPlace old_place = TRY(v.find_entry(from_dir, fd, from));
    if (old_place.ino != source.ino)
        return v.corrupt("directory entry changed during a rename", from_dir);
    TRY(v.remove_entry(from_dir, fd, old_place));

    if (source_is_dir && !same_dir) {
        TRY(v.set_parent(source.ino, s, to_dir));
        if (fd.links_count > 1)
            --fd.links_count;
        ++td.links_count;
    }
    if (replacing && victim_is_dir) {
        if (td.links_count > 1)
            --td.links_count; // the victim's '..'
        victim.links_count = 1; // its '.'; the entry's link is dropped below
    }
    s.ctime = v.now();
    TRY(v.write_inode(source.ino, s));
    TRY(v.write_inode(from_dir, fd));
    if (!same_dir)
        TRY(v.write_inode(to_dir, td));
    if (replacing)
        TRY(v.drop_link(victim_place.ino, victim));
    return {};
}

} // namespace ext2
