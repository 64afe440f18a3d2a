// The file protocol's file_* calls on nodes, and the server's figures.
#include "access.h"
#include "handler_support.h"
#include "node_server.h"
#include "runtime/heap.h"

extern "C" {
#include <mach/task_info.h>
}

namespace ext2fs {

kern_return_t NodeServer::file_readlink(Node& o, char* target)
{
    if (o.type != ext2::mode_lnk)
        return FS_EINVAL;
    auto n = m_fs->readlink(o.ino, target, FS_PATH_MAX);
    if (n.is_error())
        return reply_error(n.error(), "file_readlink");
    target[n.value()] = 0;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::file_set_size(Node& o, int64_t size)
{
    if (kern_return_t r = may_use_data(o, FS_LOOKUP_WRITE))
        return r;
    if (size < 0)
        return FS_EINVAL;
    return status_of(m_fs->truncate(o.ino, static_cast<uint64_t>(size)), "file_set_size");
}

kern_return_t NodeServer::file_chmod(Node& o, int mode)
{
    if (!(o.flags & FS_LOOKUP_WRITE))
        return FS_EBADF;
    ext2::Stat st {};
    if (kern_return_t r = stat_for(o.ino, st, "file_chmod"))
        return r;
    if (!access::is_owner(o.identity, st))
        return FS_EPERM;
    uint16_t bits = static_cast<uint16_t>(mode) & ext2::mode_permission_mask;
    // As POSIX: set-group-ID only for a group one is in, unless root.
    if (!access::is_root(o.identity) && !access::has_gid(o.identity, st.gid))
        bits &= static_cast<uint16_t>(~02000);
    return status_of(m_fs->chmod(o.ino, bits), "file_chmod");
}

kern_return_t NodeServer::file_chown(Node& o, uint32_t uid, uint32_t gid)
{
    if (!(o.flags & FS_LOOKUP_WRITE))
        return FS_EBADF;
    ext2::Stat st {};
    if (kern_return_t r = stat_for(o.ino, st, "file_chown"))
        return r;
    if (uid == FS_ID_UNCHANGED)
        uid = st.uid;
    if (gid == FS_ID_UNCHANGED)
        gid = st.gid;
    bool root = access::is_root(o.identity);
    // As POSIX (_POSIX_CHOWN_RESTRICTED): root gives any owner and group; the owner keeps the
    // owner and may give a group it is in.
    if (!root
        && (!access::is_owner(o.identity, st) || uid != st.uid || (gid != st.gid && !access::has_gid(o.identity, gid))))
        return FS_EPERM;
    if (kern_return_t r = status_of(m_fs->chown(o.ino, uid, gid), "file_chown"))
        return r;
    // A change by anyone but root clears set-user-ID and set-group-ID.
    if (!root && (st.mode & 06000) && !is_type(st.mode, ext2::mode_dir))
        return status_of(
            m_fs->chmod(o.ino, static_cast<uint16_t>(st.mode & ext2::mode_permission_mask & ~06000)), "file_chown");
    return KERN_SUCCESS;
}

kern_return_t NodeServer::file_utimes(Node& o, int64_t atime, int64_t mtime)
{
    if (!(o.flags & FS_LOOKUP_WRITE))
        return FS_EBADF;
    auto st = m_fs->stat(o.ino);
    if (st.is_error())
        return reply_error(st.error(), "file_utimes");
    // As POSIX's utimensat: times given only by the owner (or root); the clock's time also by
    // whoever may write the node.
    bool given = (atime != FS_TIME_OMIT && atime != FS_TIME_NOW) || (mtime != FS_TIME_OMIT && mtime != FS_TIME_NOW);
    if (!access::is_owner(o.identity, st.value())) {
        if (given)
            return FS_EPERM;
        if (!access::permits(o.identity, st.value(), access::write))
            return FS_EACCES;
    }
    auto pick = [](int64_t wanted, uint32_t current, uint32_t now, bool& bad) -> uint32_t {
        if (wanted == FS_TIME_OMIT)
            return current;
        if (wanted == FS_TIME_NOW)
            return now;
        if (wanted < 0 || wanted > 0xffffffffLL)
            bad = true;
        return static_cast<uint32_t>(wanted);
    };
    bool bad = false;
    uint32_t now = wall_clock_seconds();
    uint32_t a = pick(atime, st.value().atime, now, bad);
    uint32_t m = pick(mtime, st.value().mtime, now, bad);
    if (bad)
        return FS_EINVAL;
    return status_of(m_fs->utimes(o.ino, a, m), "file_utimes");
}

// Any node of the filesystem answers for the whole of it.
kern_return_t NodeServer::file_syncfs(Node&)
{
    return status_of(m_fs->sync(), "file_syncfs");
}

kern_return_t NodeServer::file_statfs(Node&, fs_statfs* out)
{
    ext2::StatFs s = m_fs->statfs();
    *out = fs_statfs {};
    out->f_blocks = s.blocks;
    out->f_bfree = s.free_blocks;
    out->f_bavail = s.available_blocks;
    out->f_files = s.inodes;
    out->f_ffree = s.free_inodes;
    out->f_bsize = s.block_size;
    out->f_namemax = s.max_name_length;
    out->f_flags = s.read_only ? FS_STATFS_READONLY : 0;
    out->f_type = FS_TYPE_EXT2;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::server_stats(Node&, fs_server_stats* out)
{
    // Any node port, even a stale one: the figures are the server's, not the node's.
    *out = fs_server_stats {};
    task_basic_info_data_t info {};
    mach_msg_type_number_t count = TASK_BASIC_INFO_COUNT;
    if (task_info(mach_task_self(), TASK_BASIC_INFO, reinterpret_cast<task_info_t>(&info), &count) == KERN_SUCCESS) {
        out->resident_bytes = info.resident_size;
        out->virtual_bytes = info.virtual_size;
    }
    if (m_fs) {
        ext2::MemoryUse use = m_fs->memory_use();
        out->cache_bytes = use.cache_bytes;
        out->cached_blocks = use.cached_blocks;
        out->dirty_blocks = use.dirty_blocks;
        out->metadata_bytes = use.metadata_bytes;
    }
    out->heap_bytes = runtime::heap_statistics().bytes_in_use;
    out->open_nodes = m_open_count;
    return KERN_SUCCESS;
}

} // namespace ext2fs
