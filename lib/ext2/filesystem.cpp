// The public Filesystem: mounting and unmounting, and the calls on one inode (stat, read,
// write, readdir, readlink, truncate, attributes, holds). The calls that change names are in
// namespace.cpp.
#include "ext2/volume.h"

namespace ext2 {

using namespace layout;

base::Result<base::Own<Filesystem>> Filesystem::mount(BlockDevice& device, const MountOptions& options)
{
    auto volume = base::create<Volume>(device);
    if (volume.is_error())
        return error(Errc::NoMemory, "no memory for the filesystem");
    TRY(volume.value()->mount(options));
    auto fs = base::create<Filesystem>(volume.release_value());
    if (fs.is_error())
        return error(Errc::NoMemory, "no memory for the filesystem");
    return fs.release_value();
}

Filesystem::Filesystem(base::Own<Volume> volume)
    : m_volume(static_cast<base::Own<Volume>&&>(volume))
{
}
Filesystem::~Filesystem() = default;

base::StringView Filesystem::mount_note() const
{
    return m_volume->mount_note();
}
base::StringView Filesystem::last_corruption() const
{
    return m_volume->last_corruption();
}

base::Result<Ino> Filesystem::lookup(Ino dir, base::StringView name)
{
    Volume& v = *m_volume;
    Volume::Inode d = TRY(v.load_directory(dir));
    if (name.size() > max_name_length)
        return error(Errc::NameTooLong, "name over 255 bytes");
    if (name.empty())
        return error(Errc::NotFound, "empty name");
    EntryPlace place = TRY(v.find_entry(dir, d, name));
    auto target = v.load(place.ino);
    if (target.is_error()) {
        if (target.error().code() == static_cast<int>(Errc::NotFound))
            return v.corrupt("directory entry naming an unused inode", dir);
        return target.error();
    }
    return place.ino;
}

base::Result<Stat> Filesystem::stat(Ino ino)
{
    Volume& v = *m_volume;
    Volume::Inode in = TRY(v.load(ino));
    Stat s {};
    s.ino = ino;
    s.mode = in.mode;
    s.links = in.links_count;
    s.uid = in.uid | (uint32_t(in.uid_high) << 16);
    s.gid = in.gid | (uint32_t(in.gid_high) << 16);
    s.size = v.size_of(in);
    s.blocks512 = in.blocks;
    s.atime = in.atime;
    s.mtime = in.mtime;
    s.ctime = in.ctime;
    s.flags = in.flags;
    s.generation = in.generation;
    uint16_t type = in.mode & mode_type_mask;
    if (type == mode_chr || type == mode_blk)
        s.rdev = in.block[0] ? in.block[0] : in.block[1];
    return s;
}

static base::Result<void> check_regular(const Volume::Inode& in)
{
    uint16_t type = in.mode & mode_type_mask;
    if (type == mode_dir)
        return error(Errc::IsDirectory, "is a directory");
    if (type != mode_reg)
        return error(Errc::InvalidArgument, "not a regular file");
    return {};
}

base::Result<size_t> Filesystem::read(Ino ino, uint64_t offset, void* buffer, size_t len)
{
    Volume& v = *m_volume;
    Volume::Inode in = TRY(v.load(ino));
    TRY(check_regular(in));
    return v.read_data(ino, in, offset, buffer, len);
}

base::Result<DataView> Filesystem::read_view(Ino ino, uint64_t offset, size_t len)
{
    Volume& v = *m_volume;
    Volume::Inode in = TRY(v.load(ino));
    TRY(check_regular(in));
    return v.view_data(ino, in, offset, len);
}

// An inode a changing call may act on.
static base::Result<Volume::Inode> load_for_change(Volume& v, Ino ino)
{
    TRY(v.check_writable());
    Volume::Inode in = TRY(v.load(ino));
    if (v.is_reserved(ino))
        return error(Errc::NotPermitted, "a reserved inode");
    return in;
}

base::Result<size_t> Filesystem::write(Ino ino, uint64_t offset, const void* buffer, size_t len)
{
    Volume& v = *m_volume;
    Volume::Inode in = TRY(load_for_change(v, ino));
    TRY(check_regular(in));
    return v.write_data(ino, in, offset, buffer, len);
}

base::Result<DirBatch> Filesystem::readdir(Ino dir, uint64_t cursor, DirEntry* out, size_t max)
{
    Volume& v = *m_volume;
    Volume::Inode d = TRY(v.load_directory(dir));
    if (max == 0)
        return error(Errc::InvalidArgument, "readdir into no room");
    return v.read_entries(dir, d, cursor, out, max);
}

base::Result<size_t> Filesystem::readlink(Ino ino, char* buffer, size_t len)
{
    Volume& v = *m_volume;
    Volume::Inode in = TRY(v.load(ino));
    if ((in.mode & mode_type_mask) != mode_lnk)
        return error(Errc::InvalidArgument, "not a symbolic link");
    uint64_t size = v.size_of(in);
    if (size > len)
        size = len;
    if (v.is_fast_symlink(in)) {
        if (v.size_of(in) >= fast_symlink_bytes)
            return v.corrupt("fast symbolic link longer than its inode can hold", ino);
        __builtin_memcpy(buffer, in.block, static_cast<size_t>(size));
        return static_cast<size_t>(size);
    }
    if (v.size_of(in) >= v.block_size())
        return v.corrupt("symbolic link longer than a block", ino);
    Run run = TRY(v.map(ino, in, LogicalBlock(0), 1));
    if (run.is_hole())
        return v.corrupt("symbolic link without its block", ino);
    BlockRef ref = TRY(v.cache().get(run.physical));
    __builtin_memcpy(buffer, ref.data(), static_cast<size_t>(size));
    return static_cast<size_t>(size);
}

base::Result<void> Filesystem::truncate(Ino ino, uint64_t size)
{
    Volume& v = *m_volume;
    Volume::Inode in = TRY(load_for_change(v, ino));
    TRY(check_regular(in));
    return v.truncate_data(ino, in, size);
}

base::Result<void> Filesystem::chmod(Ino ino, uint16_t mode)
{
    Volume& v = *m_volume;
    Volume::Inode in = TRY(load_for_change(v, ino));
    in.mode = static_cast<uint16_t>((in.mode & mode_type_mask) | (mode & mode_permission_mask));
    in.ctime = v.now();
    return v.write_inode(ino, in);
}

base::Result<void> Filesystem::chown(Ino ino, uint32_t uid, uint32_t gid)
{
    Volume& v = *m_volume;
    Volume::Inode in = TRY(load_for_change(v, ino));
    in.uid = static_cast<uint16_t>(uid);
    in.uid_high = static_cast<uint16_t>(uid >> 16);
    in.gid = static_cast<uint16_t>(gid);
    in.gid_high = static_cast<uint16_t>(gid >> 16);
    in.ctime = v.now();
    return v.write_inode(ino, in);
}

base::Result<void> Filesystem::utimes(Ino ino, uint32_t atime, uint32_t mtime)
{
    Volume& v = *m_volume;
    Volume::Inode in = TRY(load_for_change(v, ino));
    in.atime = atime;
    in.mtime = mtime;
    in.ctime = v.now();
    return v.write_inode(ino, in);
}

base::Result<void> Filesystem::hold(Ino ino)
{
    TRY(m_volume->check_mounted());
    return m_volume->hold(ino);
}

base::Result<void> Filesystem::release(Ino ino)
{
    return m_volume->release(ino);
}
base::Result<void> Filesystem::sync()
{
    return m_volume->sync();
}
base::Result<void> Filesystem::unmount()
{
    return m_volume->unmount();
}
StatFs Filesystem::statfs() const
{
    return m_volume->statfs();
}
bool Filesystem::read_only() const
{
    return m_volume->read_only();
}
bool Filesystem::has_errors() const
{
    return m_volume->has_errors();
}
base::StringView Filesystem::last_write_failure() const
{
    return m_volume->last_write_failure();
}

MemoryUse Filesystem::memory_use() const
{
    MemoryUse m = m_volume->memory_use();
    m.metadata_bytes += sizeof(Filesystem);
    return m;
}

DirectoryStats Filesystem::directory_stats() const
{
    return m_volume->directory_stats();
}

FileCacheStats Filesystem::file_cache_stats() const
{
    return m_volume->files().stats();
}

} // namespace ext2
