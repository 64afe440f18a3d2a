// The file protocol's calls on directory nodes: lookup, listing, and the changes of names.
#include "access.h"
#include "fsclient/dirent.h"
#include "handler_support.h"
#include "node_server.h"
#include "resolve.h"

namespace ext2fs {

kern_return_t NodeServer::dir_lookup(
    Node& d, const char* path, int flags, int mode, mach_port_t* result, mach_msg_type_name_t* poly)
{
    constexpr int known = FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_EXEC | FS_LOOKUP_CREATE | FS_LOOKUP_EXCL
        | FS_LOOKUP_NOLINK | FS_LOOKUP_APPEND | FS_LOOKUP_TRUNC | FS_LOOKUP_DIRECTORY;
    if (flags & ~known)
        return FS_EINVAL;
    size_t length = bounded_length(path, FS_PATH_MAX + 1);
    if (length > FS_PATH_MAX)
        return FS_ENAMETOOLONG;
    // A port without write access gives none, and changes nothing (no create, no truncation).
    if ((flags & (FS_LOOKUP_WRITE | FS_LOOKUP_CREATE | FS_LOOKUP_TRUNC)) && !(d.flags & FS_LOOKUP_WRITE))
        return FS_EBADF;
    if ((flags & (FS_LOOKUP_WRITE | FS_LOOKUP_TRUNC)) && m_fs->read_only())
        return FS_EROFS;
    // Room for the new port first: nothing is created or truncated for a port that cannot be.
    if (kern_return_t r = room_for(d.identity))
        return r;
    LookupRequest request { d.ino, base::StringView(path, length), static_cast<uint32_t>(flags),
        static_cast<uint16_t>(mode), &d.identity };
    auto found = resolve(*m_fs, request);
    if (found.is_error())
        return reply_error(found.error(), "dir_lookup");
    ext2::Ino ino = found.value().ino;
    ext2::Stat st {};
    if (kern_return_t r = stat_for(ino, st, "dir_lookup"))
        return r;
    // Regular files (and devices) are checked when opened, as POSIX's open; a file just created
    // is opened as asked. A directory is checked at each use (readdir: r, lookup: x, changes:
    // w and x), so that a directory port that may only be searched can still be a cwd.
    if (!is_type(st.mode, ext2::mode_dir) && !is_type(st.mode, ext2::mode_lnk) && !found.value().created) {
        unsigned want = 0;
        if (flags & FS_LOOKUP_READ)
            want |= access::read;
        if (flags & (FS_LOOKUP_WRITE | FS_LOOKUP_TRUNC))
            want |= access::write;
        if (flags & FS_LOOKUP_EXEC)
            want |= access::execute;
        if (!access::permits(d.identity, st, want))
            return FS_EACCES;
    }
    if ((flags & FS_LOOKUP_TRUNC) && (flags & FS_LOOKUP_WRITE) && is_type(st.mode, ext2::mode_reg) && st.size > 0) {
        if (kern_return_t r = status_of(m_fs->truncate(ino, 0), "dir_lookup"))
            return r;
    }
    auto opened = open_node(ino, static_cast<uint32_t>(flags), d.identity);
    if (opened.is_error())
        return reply_error(opened.error(), "dir_lookup");
    // A send right made for the reply and moved with it: if the reply cannot be delivered, the
    // server loop destroys it, the port has no senders and is closed.
    *result = opened.value().release();
    *poly = MACH_MSG_TYPE_MOVE_SEND;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::dir_readdir(
    Node& o, char** data, mach_msg_type_number_t* count, int64_t cursor, int max_entries, int64_t* next, int* amount)
{
    if (o.type != ext2::mode_dir)
        return FS_ENOTDIR;
    if (cursor < 0)
        return FS_EINVAL;
    {
        ext2::Stat dir {};
        if (kern_return_t r = stat_for(o.ino, dir, "dir_readdir"))
            return r;
        if (!access::permits(o.identity, dir, access::read))
            return FS_EACCES;
    }
    size_t wanted = max_entries < 1 ? 1 : max_entries > 256 ? 256 : static_cast<size_t>(max_entries);
    size_t capacity = *count < FS_READDIR_MAX ? *count : FS_READDIR_MAX;
    fsclient::DirentWriter out(*data, capacity);
    // A few entries at a time, as many as surely fit in what is left of the reply.
    static ext2::DirEntry entries[8];
    uint64_t at = static_cast<uint64_t>(cursor);
    for (unsigned rounds = 0; out.count() < wanted && rounds < 1024; ++rounds) {
        size_t k = out.room() / fsclient::DirentWriter::max_record;
        if (k > wanted - out.count())
            k = wanted - out.count();
        if (k > sizeof entries / sizeof entries[0])
            k = sizeof entries / sizeof entries[0];
        if (k == 0)
            break;
        auto batch = m_fs->readdir(o.ino, at, entries, k);
        if (batch.is_error()) {
            // The entries before a bad one are answered; the next call meets the error.
            if (out.count() > 0)
                break;
            return reply_error(batch.error(), "dir_readdir");
        }
        for (size_t i = 0; i < batch.value().count; ++i)
            (void)out.add(entries[i].ino, static_cast<uint8_t>(entries[i].type), entries[i].name.view());
        bool moved = batch.value().next != at;
        at = batch.value().next;
        if (batch.value().end || !moved)
            break;
    }
    *count = static_cast<mach_msg_type_number_t>(out.size());
    *next = static_cast<int64_t>(at);
    *amount = static_cast<int>(out.count());
    return KERN_SUCCESS;
}

kern_return_t NodeServer::dir_mkdir(Node& d, const char* name, int mode)
{
    if (kern_return_t r = check_name(name))
        return r;
    ext2::Stat dir {};
    if (kern_return_t r = may_change_directory(d, dir, "dir_mkdir"))
        return r;
    ext2::Owner owner = access::owner_in(d.identity, dir);
    return status_of(
        m_fs->mkdir(d.ino, name, static_cast<uint16_t>(mode) & ext2::mode_permission_mask, owner), "dir_mkdir");
}

kern_return_t NodeServer::may_remove(const Node& d, const char* name, const char* operation)
{
    if (kern_return_t r = check_name(name))
        return r;
    ext2::Stat dir {};
    if (kern_return_t r = may_change_directory(d, dir, operation))
        return r;
    return may_remove_name(d, dir, name, operation);
}

kern_return_t NodeServer::dir_rmdir(Node& d, const char* name)
{
    if (kern_return_t r = may_remove(d, name, "dir_rmdir"))
        return r;
    return status_of(m_fs->rmdir(d.ino, name), "dir_rmdir");
}

kern_return_t NodeServer::dir_unlink(Node& d, const char* name)
{
    if (kern_return_t r = may_remove(d, name, "dir_unlink"))
        return r;
    return status_of(m_fs->unlink(d.ino, name), "dir_unlink");
}

// dir_link and dir_rename take a second port of ours, a send right that came with the request:
// released on success only (server.h's ownership rule: on an error the loop releases it).
kern_return_t NodeServer::dir_link(Node& d, mach_port_t file, const char* name, int exclusive)
{
    Node* f = runtime::served(file, node_port);
    if (!f)
        return FS_EXDEV;
    if (f->stale)
        return FS_ESTALE;
    if (kern_return_t r = check_name(name))
        return r;
    ext2::Stat dir_st {};
    if (kern_return_t r = may_change_directory(d, dir_st, "dir_link"))
        return r;
    auto existing = m_fs->lookup(d.ino, name);
    if (!existing.is_error()) {
        if (exclusive)
            return FS_EEXIST;
        // The Hurd's dir_link without excl replaces the name (never a directory); a link to
        // the file the name already has is done already.
        if (existing.value() != f->ino) {
            if (kern_return_t r = may_remove_name(d, dir_st, name, "dir_link"))
                return r;
            if (kern_return_t r = status_of(m_fs->unlink(d.ino, name), "dir_link"))
                return r;
        }
    } else if (existing.error().code() != static_cast<int>(ext2::Errc::NotFound)) {
        return reply_error(existing.error(), "dir_link");
    }
    if (existing.is_error() || existing.value() != f->ino) {
        if (kern_return_t r = status_of(m_fs->link(d.ino, name, f->ino), "dir_link"))
            return r;
    }
    mach_port_deallocate(mach_task_self(), file);
    return KERN_SUCCESS;
}

kern_return_t NodeServer::dir_rename(Node& d, const char* from, mach_port_t to_dir, const char* to, int exclusive)
{
    Node* t = runtime::served(to_dir, node_port);
    if (!t)
        return FS_EXDEV;
    if (t->stale)
        return FS_ESTALE;
    if (kern_return_t r = check_name(from))
        return r;
    if (kern_return_t r = check_name(to))
        return r;
    // Both directories change: each port needs write access, its identity w and x there.
    // The identity that removes the name is the one of the port the request came on; the
    // target directory's port must carry the same rights or less (its own checks).
    ext2::Stat from_st {}, to_st {};
    if (kern_return_t r = may_change_directory(d, from_st, "dir_rename"))
        return r;
    if (kern_return_t r = may_change_directory(*t, to_st, "dir_rename"))
        return r;
    if (kern_return_t r = may_remove_name(d, from_st, from, "dir_rename"))
        return r;
    auto existing = m_fs->lookup(t->ino, to);
    if (!existing.is_error()) {
        if (exclusive)
            return FS_EEXIST;
        if (kern_return_t r = may_remove_name(*t, to_st, to, "dir_rename"))
            return r;
    } else if (existing.error().code() != static_cast<int>(ext2::Errc::NotFound)) {
        return reply_error(existing.error(), "dir_rename");
    }
    // A directory moved to another parent has its '..' rewritten: that needs w on it (as
    // Linux asks), unless root.
    if (t->ino != d.ino && !access::is_root(d.identity)) {
        auto moved = m_fs->lookup(d.ino, from);
        if (moved.is_error())
            return reply_error(moved.error(), "dir_rename");
        ext2::Stat st {};
        if (kern_return_t r = stat_for(moved.value(), st, "dir_rename"))
            return r;
        if (is_type(st.mode, ext2::mode_dir) && !access::permits(d.identity, st, access::write))
            return FS_EACCES;
    }
    if (kern_return_t r = status_of(m_fs->rename(d.ino, from, t->ino, to), "dir_rename"))
        return r;
    mach_port_deallocate(mach_task_self(), to_dir);
    return KERN_SUCCESS;
}

kern_return_t NodeServer::dir_symlink(Node& d, const char* name, const char* target)
{
    if (kern_return_t r = check_name(name))
        return r;
    size_t length = bounded_length(target, FS_PATH_MAX + 1);
    if (length > FS_PATH_MAX)
        return FS_ENAMETOOLONG;
    if (length == 0)
        return FS_ENOENT;
    ext2::Stat dir {};
    if (kern_return_t r = may_change_directory(d, dir, "dir_symlink"))
        return r;
    ext2::Owner owner = access::owner_in(d.identity, dir);
    return status_of(m_fs->symlink(d.ino, name, base::StringView(target, length), owner), "dir_symlink");
}

kern_return_t NodeServer::may_change_directory(const Node& d, ext2::Stat& dir, const char* operation)
{
    if (!(d.flags & FS_LOOKUP_WRITE))
        return FS_EBADF;
    if (d.type != ext2::mode_dir)
        return FS_ENOTDIR;
    if (kern_return_t r = stat_for(d.ino, dir, operation))
        return r;
    if (!access::permits(d.identity, dir, access::write | access::execute))
        return FS_EACCES;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::may_remove_name(const Node& d, const ext2::Stat& dir, const char* name, const char* operation)
{
    if (!(dir.mode & 01000) || access::is_root(d.identity) || access::has_uid(d.identity, dir.uid))
        return KERN_SUCCESS;
    // A sticky directory: the victim's owner may remove it too.
    auto victim = m_fs->lookup(d.ino, name);
    if (victim.is_error())
        return reply_error(victim.error(), operation);
    ext2::Stat st {};
    if (kern_return_t r = stat_for(victim.value(), st, operation))
        return r;
    return access::may_remove(d.identity, dir, st) ? KERN_SUCCESS : FS_EPERM;
}

} // namespace ext2fs
