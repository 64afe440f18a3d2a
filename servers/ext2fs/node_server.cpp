// The file protocol's calls on ext2fs's node ports.
#include "node_server.h"

#include "access.h"
#include "fsclient/dirent.h"
#include "fsclient/status.h"
#include "resolve.h"
#include "runtime/console.h"
#include "runtime/heap.h"

extern "C" {
#include <mach/notify.h>
#include <mach/task_info.h>
}

namespace ext2fs {

namespace {

constexpr uint64_t page_size = 4096;
constexpr unsigned max_corruptions_told = 32;

uint64_t round_to_page(uint64_t n)
{
    return (n + page_size - 1) & ~(page_size - 1);
}

bool is_type(uint16_t mode, uint16_t type)
{
    return (mode & ext2::mode_type_mask) == type;
}

// Whether an error is one of the protocol's. Some are still made here from a bare FS_E* code
// (base::Error(FS_ENFILE, ...)), which gives them Mach's domain: those are told by their number.
bool is_protocol_error(const base::Error& e)
{
    return e.is(fs::domain) || fs::is_fs_error(e.code());
}

// The protocol's code for any error the library, the disk or Mach gave.
int protocol_code(const base::Error& e)
{
    if (e.is(ext2::domain)) {
        int n = ext2::errno_of(e.code());
        return n ? FS_ERROR_BASE + n : FS_EIO;
    }
    if (is_protocol_error(e))
        return e.code();
    switch (e.code()) {
    case D_NO_MEMORY:
    case KERN_RESOURCE_SHORTAGE:
    case KERN_NO_SPACE:
        return FS_ENOMEM;
    case D_READ_ONLY:
        return FS_EROFS;
    default:
        return FS_EIO;
    }
}

// A name argument: zero-terminated within the protocol's bound, without '/' (the library
// refuses '/' too; checked here so that the answer does not depend on it).
kern_return_t check_name(const char* name)
{
    size_t n = 0;
    while (n <= FS_NAME_MAX && name[n])
        ++n;
    if (n > FS_NAME_MAX)
        return FS_ENAMETOOLONG;
    if (n == 0)
        return FS_ENOENT;
    return KERN_SUCCESS;
}

size_t bounded_length(const char* s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        ++n;
    return n;
}

uint32_t wall_clock_seconds()
{
    time_value64_t t {};
    static mach_port_t host = mach_host_self();
    if (host_get_time64(host, &t) != KERN_SUCCESS)
        return 0;
    return static_cast<uint32_t>(t.seconds);
}

} // namespace

kern_return_t NodeServer::reply_error(const base::Error& e, const char* operation)
{
    int code = protocol_code(e);
    bool corrupt = e.is(ext2::domain) && e.code() == static_cast<int>(ext2::Errc::Corrupt);
    bool disk = !e.is(ext2::domain) && !is_protocol_error(e);
    if ((corrupt || disk) && m_corruptions_told < max_corruptions_told) {
        ++m_corruptions_told;
        if (corrupt && m_fs && !m_fs->last_corruption().empty())
            mach::report("{}: the filesystem is corrupt: {}", operation, m_fs->last_corruption());
        else if (corrupt)
            mach::report("{}: the filesystem is corrupt: {}", operation, e.context() ? e.context() : "");
        else
            mach::report("{}: disk error: {}", operation, e);
        if (m_corruptions_told == max_corruptions_told)
            mach::report("(further corruption and disk errors are not told)");
    }
    // The first write the disk refused marked the filesystem as having errors: said once.
    if (disk && !m_errors_told && m_fs && m_fs->has_errors() && !m_fs->last_write_failure().empty()) {
        m_errors_told = true;
        mach::report("{}: {}: the filesystem is marked as having errors (run e2fsck); serving on", m_device_name.view(),
            m_fs->last_write_failure());
    }
    return code;
}

NodeServer::Open* NodeServer::find(mach_port_t port)
{
    if (!MACH_PORT_VALID(port))
        return nullptr;
    for (Open& o : m_opens)
        if (o.port.name() == port)
            return &o;
    return nullptr;
}

// The open a request came on, checked: a node of ours, its inode still there.
kern_return_t NodeServer::usable(Open* o, Open*& out)
{
    if (!o)
        return FS_EBADF;
    if (o->stale || !m_fs)
        return FS_ESTALE;
    out = o;
    return KERN_SUCCESS;
}

#define USE(port, name)                                                                                                \
    Open* name = nullptr;                                                                                              \
    if (kern_return_t _r = usable(find(port), name))                                                                   \
    return _r

kern_return_t NodeServer::room_for(const fs_identity& identity) const
{
    if (m_open_count >= max_open)
        return FS_ENFILE;
    if (access::is_root(identity))
        return KERN_SUCCESS;
    // Not root's: the table less root's reserve, and one uid's share of it.
    uint32_t uid = identity.uid_count ? identity.uids[0] : FS_ID_NOBODY;
    size_t others = 0, same = 0;
    for (const Open& o : m_opens) {
        if (!o.port.valid() || access::is_root(o.identity))
            continue;
        ++others;
        if ((o.identity.uid_count ? o.identity.uids[0] : FS_ID_NOBODY) == uid)
            ++same;
    }
    if (others >= max_open - root_reserve || same >= per_uid_max)
        return FS_ENFILE;
    return KERN_SUCCESS;
}

base::Result<mach::SendRight> NodeServer::open_node(ext2::Ino ino, uint32_t flags, const fs_identity& identity)
{
    if (kern_return_t r = room_for(identity))
        return base::Error(r, "the uid's share of the table of open nodes is full");
    Open* slot = nullptr;
    for (Open& o : m_opens)
        if (!o.port.valid()) {
            slot = &o;
            break;
        }
    if (!slot)
        return base::Error(FS_ENFILE, "the table of open nodes is full");
    ext2::Stat st = TRY(m_fs->stat(ino));
    TRY(m_fs->hold(ino));
    auto port = mach::ReceiveRight::allocate();
    if (port.is_error()) {
        (void)m_fs->release(ino);
        return port.error();
    }
    mach_port_t name = port.value().name();
    auto undo = [&](kern_return_t r, const char* what) -> base::Error {
        (void)m_fs->release(ino);
        return base::Error(r, what);
    };
    if (kern_return_t r = mach_port_insert_right(mach_task_self(), name, name, MACH_MSG_TYPE_MAKE_SEND))
        return undo(r, "making a send right to a node");
    mach::SendRight send = mach::SendRight::adopt(name);
    // Told when the client's last send right goes: that closes the node.
    mach_port_t previous = MACH_PORT_NULL;
    if (kern_return_t r = mach_port_request_notification(
            mach_task_self(), name, MACH_NOTIFY_NO_SENDERS, 1, name, MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous))
        return undo(r, "asking for a node's no-senders notification");
    if (auto added = chain::link().server().add_port(name); added.is_error())
        return undo(added.error().code(), "serving a node's port");
    slot->port = static_cast<mach::ReceiveRight&&>(port.value());
    slot->ino = ino;
    slot->type = static_cast<uint16_t>(st.mode & ext2::mode_type_mask);
    slot->flags = flags;
    slot->identity = identity;
    slot->position = 0;
    slot->stale = false;
    ++m_open_count;
    return send;
}

void NodeServer::close(Open& o)
{
    if (!o.stale && m_fs)
        (void)m_fs->release(o.ino);
    // Destroying the receive right takes it out of the port set too.
    o.port.reset();
    o = Open {};
    --m_open_count;
}

void NodeServer::no_senders(mach_port_t port, mach_port_mscount_t)
{
    // Each node port has one make-send (ours, moved to the client), so a notification means
    // the node is closed.
    if (Open* o = find(port))
        close(*o);
}

base::Result<mach::SendRight> NodeServer::root(int flags, const fs_identity& identity)
{
    if (!m_fs)
        return base::Error(FS_ESTALE, "the filesystem is not mounted");
    // The root directory: read, write (change what it holds) and search access only.
    if (flags & ~(FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_EXEC | FS_LOOKUP_DIRECTORY))
        return base::Error(FS_EINVAL, "flags for the root beyond read, write and exec");
    if (!access::valid(identity))
        return base::Error(FS_EINVAL, "more ids than FS_IDS_MAX");
    auto opened = open_node(ext2::root_ino, static_cast<uint32_t>(flags), identity);
    if (opened.is_error())
        return fs::error(protocol_code(opened.error()), opened.error().context());
    return opened;
}

base::Result<void> NodeServer::sync()
{
    if (!m_fs)
        return {};
    auto synced = m_fs->sync();
    if (synced.is_error())
        return base::Error(reply_error(synced.error(), "fsys_syncfs"), "sync");
    return {};
}

base::Result<void> NodeServer::go_away(int)
{
    if (!m_fs || m_fs->read_only()) {
        // Nothing to write; a read-only mount is clean as it is.
        return {};
    }
    // Nodes whose last link is gone are freed by the unmount: their ports go stale.
    for (Open& o : m_opens) {
        if (!o.port.valid())
            continue;
        auto st = m_fs->stat(o.ino);
        if (st.is_error() || st.value().links == 0)
            o.stale = true;
    }
    auto unmounted = m_fs->unmount();
    if (unmounted.is_error()) {
        mach::report("fsys_goaway: unmounting {}: {}", m_device_name.view(), fs::ErrorText { unmounted.error() });
        return fs::error(protocol_code(unmounted.error()), "unmounting");
    }
    delete m_fs;
    m_fs = nullptr;
    ext2::MountOptions options = m_options;
    options.mode = ext2::MountMode::ReadOnly;
    auto mounted = ext2::Filesystem::mount(m_device, options);
    if (mounted.is_error()) {
        mach::report(
            "fsys_goaway: mounting {} again read-only: {}", m_device_name.view(), fs::ErrorText { mounted.error() });
        return {};
    }
    m_fs = mounted.value();
    for (Open& o : m_opens)
        if (o.port.valid() && !o.stale && m_fs->hold(o.ino).is_error())
            o.stale = true;
    if (m_fs->has_errors())
        mach::report(
            "{} is unmounted but marked as having errors (run e2fsck); serving it read-only", m_device_name.view());
    else
        mach::report("{} is clean; serving it read-only", m_device_name.view());
    return {};
}

kern_return_t NodeServer::stat_for(ext2::Ino ino, ext2::Stat& out, const char* operation)
{
    auto st = m_fs->stat(ino);
    if (st.is_error())
        return reply_error(st.error(), operation);
    out = st.value();
    return KERN_SUCCESS;
}

kern_return_t NodeServer::may_change_directory(const Open& d, ext2::Stat& dir, const char* operation)
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

kern_return_t NodeServer::may_remove_name(const Open& d, const ext2::Stat& dir, const char* name, const char* operation)
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

kern_return_t NodeServer::dir_lookup(
    mach_port_t dir, const char* path, int flags, int mode, mach_port_t* result, mach_msg_type_name_t* poly)
{
    USE(dir, d);
    constexpr int known = FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_EXEC | FS_LOOKUP_CREATE | FS_LOOKUP_EXCL
        | FS_LOOKUP_NOLINK | FS_LOOKUP_APPEND | FS_LOOKUP_TRUNC | FS_LOOKUP_DIRECTORY;
    if (flags & ~known)
        return FS_EINVAL;
    size_t length = bounded_length(path, FS_PATH_MAX + 1);
    if (length > FS_PATH_MAX)
        return FS_ENAMETOOLONG;
    // A port without write access gives none, and changes nothing (no create, no truncation).
    if ((flags & (FS_LOOKUP_WRITE | FS_LOOKUP_CREATE | FS_LOOKUP_TRUNC)) && !(d->flags & FS_LOOKUP_WRITE))
        return FS_EBADF;
    if ((flags & (FS_LOOKUP_WRITE | FS_LOOKUP_TRUNC)) && m_fs->read_only())
        return FS_EROFS;
    // Room for the new port first: nothing is created or truncated for a port that cannot be.
    if (kern_return_t r = room_for(d->identity))
        return r;
    LookupRequest request { d->ino, base::StringView(path, length), static_cast<uint32_t>(flags),
        static_cast<uint16_t>(mode), &d->identity };
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
        if (!access::permits(d->identity, st, want))
            return FS_EACCES;
    }
    if ((flags & FS_LOOKUP_TRUNC) && (flags & FS_LOOKUP_WRITE) && is_type(st.mode, ext2::mode_reg) && st.size > 0) {
        if (kern_return_t r = status_of(m_fs->truncate(ino, 0), "dir_lookup"))
            return r;
    }
    auto opened = open_node(ino, static_cast<uint32_t>(flags), d->identity);
    if (opened.is_error())
        return reply_error(opened.error(), "dir_lookup");
    // A send right made for the reply and moved with it: if the reply cannot be delivered, the
    // server loop destroys it, the port has no senders and is closed.
    *result = opened.value().release();
    *poly = MACH_MSG_TYPE_MOVE_SEND;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_read(
    mach_port_t port, char** data, mach_msg_type_number_t* count, int64_t offset, vm_size_t amount)
{
    USE(port, o);
    if (!(o->flags & FS_LOOKUP_READ))
        return FS_EBADF;
    if (o->type == ext2::mode_dir)
        return FS_EISDIR;
    if (o->type != ext2::mode_reg)
        return FS_EINVAL;
    if (offset < 0 && offset != FS_OFFSET_CURRENT)
        return FS_EINVAL;
    uint64_t at = offset == FS_OFFSET_CURRENT ? o->position : static_cast<uint64_t>(offset);
    auto st = m_fs->stat(o->ino);
    if (st.is_error())
        return reply_error(st.error(), "io_read");
    uint64_t size = st.value().size;
    uint64_t want = amount < FS_IO_MAX ? amount : FS_IO_MAX;
    if (at >= size)
        want = 0;
    else if (want > size - at)
        want = size - at;

    size_t got = 0;
    if (want <= *count) {
        // In-line, in the reply itself.
        auto r = m_fs->read(o->ino, at, *data, want);
        if (r.is_error())
            return reply_error(r.error(), "io_read");
        got = r.value();
    } else {
        // Out of line: pages of ours that MIG gives away with the reply (dealloc).
        vm_address_t buffer = 0;
        vm_size_t mapped = round_to_page(want);
        if (vm_allocate(mach_task_self(), &buffer, mapped, TRUE) != KERN_SUCCESS)
            return FS_ENOMEM;
        auto r = m_fs->read(o->ino, at, reinterpret_cast<void*>(buffer), want);
        if (r.is_error()) {
            vm_deallocate(mach_task_self(), buffer, mapped);
            return reply_error(r.error(), "io_read");
        }
        got = r.value();
        // The kernel takes away only the pages of the data sent; the rest is released here.
        vm_size_t used = round_to_page(got);
        if (used < mapped)
            vm_deallocate(mach_task_self(), buffer + used, mapped - used);
        // Nothing read: the empty in-line array of the reply is the answer.
        if (got > 0)
            *data = reinterpret_cast<char*>(buffer);
    }
    *count = static_cast<mach_msg_type_number_t>(got);
    if (offset == FS_OFFSET_CURRENT)
        o->position += got;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_write(
    mach_port_t port, const char* data, mach_msg_type_number_t count, int64_t offset, vm_size_t* amount)
{
    USE(port, o);
    if (!(o->flags & FS_LOOKUP_WRITE))
        return FS_EBADF;
    if (o->type == ext2::mode_dir)
        return FS_EISDIR;
    if (o->type != ext2::mode_reg)
        return FS_EINVAL;
    if (offset < 0 && offset != FS_OFFSET_CURRENT)
        return FS_EINVAL;
    uint64_t at = static_cast<uint64_t>(offset);
    if (offset == FS_OFFSET_CURRENT) {
        at = o->position;
        if (o->flags & FS_LOOKUP_APPEND) {
            auto st = m_fs->stat(o->ino);
            if (st.is_error())
                return reply_error(st.error(), "io_write");
            at = st.value().size;
        }
    }
    size_t len = count < FS_IO_MAX ? count : FS_IO_MAX;
    auto r = m_fs->write(o->ino, at, data, len);
    if (r.is_error())
        return reply_error(r.error(), "io_write");
    *amount = r.value();
    if (offset == FS_OFFSET_CURRENT)
        o->position = at + r.value();
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_seek(mach_port_t port, int64_t offset, int whence, int64_t* position)
{
    USE(port, o);
    int64_t base = 0;
    switch (whence) {
    case FS_SEEK_SET:
        break;
    case FS_SEEK_CUR:
        base = static_cast<int64_t>(o->position);
        break;
    case FS_SEEK_END: {
        auto st = m_fs->stat(o->ino);
        if (st.is_error())
            return reply_error(st.error(), "io_seek");
        base = static_cast<int64_t>(st.value().size);
        break;
    }
    default:
        return FS_EINVAL;
    }
    int64_t target = 0;
    if (__builtin_add_overflow(base, offset, &target) || target < 0)
        return FS_EINVAL;
    o->position = static_cast<uint64_t>(target);
    *position = target;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_stat(mach_port_t port, fs_stat* out)
{
    USE(port, o);
    auto st = m_fs->stat(o->ino);
    if (st.is_error())
        return reply_error(st.error(), "io_stat");
    const ext2::Stat& s = st.value();
    *out = fs_stat {};
    out->ino = s.ino;
    out->size = s.size;
    out->blocks = s.blocks512;
    out->mode = s.mode;
    out->nlink = s.links;
    out->uid = s.uid;
    out->gid = s.gid;
    out->atime = s.atime;
    out->mtime = s.mtime;
    out->ctime = s.ctime;
    out->blksize = m_fs->statfs().block_size;
    out->rdev = s.rdev;
    out->flags = s.flags;
    out->gen = s.generation;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::dir_readdir(mach_port_t port, char** data, mach_msg_type_number_t* count, int64_t cursor,
    int max_entries, int64_t* next, int* amount)
{
    USE(port, o);
    if (o->type != ext2::mode_dir)
        return FS_ENOTDIR;
    if (cursor < 0)
        return FS_EINVAL;
    {
        ext2::Stat dir {};
        if (kern_return_t r = stat_for(o->ino, dir, "dir_readdir"))
            return r;
        if (!access::permits(o->identity, dir, access::read))
            return FS_EACCES;
    }
    size_t wanted = max_entries < 1 ? 1 : max_entries > 256 ? 256 : static_cast<size_t>(max_entries);
    size_t capacity = *count < FS_READDIR_MAX ? *count : FS_READDIR_MAX;
    fs::DirentWriter out(*data, capacity);
    // A few entries at a time, as many as surely fit in what is left of the reply.
    static ext2::DirEntry entries[8];
    uint64_t at = static_cast<uint64_t>(cursor);
    for (unsigned rounds = 0; out.count() < wanted && rounds < 1024; ++rounds) {
        size_t k = out.room() / fs::DirentWriter::max_record;
        if (k > wanted - out.count())
            k = wanted - out.count();
        if (k > sizeof entries / sizeof entries[0])
            k = sizeof entries / sizeof entries[0];
        if (k == 0)
            break;
        auto batch = m_fs->readdir(o->ino, at, entries, k);
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

kern_return_t NodeServer::dir_mkdir(mach_port_t port, const char* name, int mode)
{
    USE(port, d);
    if (kern_return_t r = check_name(name))
        return r;
    ext2::Stat dir {};
    if (kern_return_t r = may_change_directory(*d, dir, "dir_mkdir"))
        return r;
    ext2::Owner owner = access::owner_in(d->identity, dir);
    return status_of(
        m_fs->mkdir(d->ino, name, static_cast<uint16_t>(mode) & ext2::mode_permission_mask, owner), "dir_mkdir");
}

kern_return_t NodeServer::dir_rmdir(mach_port_t port, const char* name)
{
    USE(port, d);
    if (kern_return_t r = check_name(name))
        return r;
    ext2::Stat dir {};
    if (kern_return_t r = may_change_directory(*d, dir, "dir_rmdir"))
        return r;
    if (kern_return_t r = may_remove_name(*d, dir, name, "dir_rmdir"))
        return r;
    return status_of(m_fs->rmdir(d->ino, name), "dir_rmdir");
}

kern_return_t NodeServer::dir_unlink(mach_port_t port, const char* name)
{
    USE(port, d);
    if (kern_return_t r = check_name(name))
        return r;
    ext2::Stat dir {};
    if (kern_return_t r = may_change_directory(*d, dir, "dir_unlink"))
        return r;
    if (kern_return_t r = may_remove_name(*d, dir, name, "dir_unlink"))
        return r;
    return status_of(m_fs->unlink(d->ino, name), "dir_unlink");
}

// dir_link and dir_rename take a second port of ours, a send right that came with the request:
// released on success only (server.h's ownership rule: on an error the loop releases it).
kern_return_t NodeServer::dir_link(mach_port_t dir, mach_port_t file, const char* name, int exclusive)
{
    USE(dir, d);
    Open* f = find(file);
    if (!f)
        return FS_EXDEV;
    if (f->stale)
        return FS_ESTALE;
    if (kern_return_t r = check_name(name))
        return r;
    ext2::Stat dir_st {};
    if (kern_return_t r = may_change_directory(*d, dir_st, "dir_link"))
        return r;
    auto existing = m_fs->lookup(d->ino, name);
    if (!existing.is_error()) {
        if (exclusive)
            return FS_EEXIST;
        // The Hurd's dir_link without excl replaces the name (never a directory); a link to
        // the file the name already has is done already.
        if (existing.value() != f->ino) {
            if (kern_return_t r = may_remove_name(*d, dir_st, name, "dir_link"))
                return r;
            if (kern_return_t r = status_of(m_fs->unlink(d->ino, name), "dir_link"))
                return r;
        }
    } else if (existing.error().code() != static_cast<int>(ext2::Errc::NotFound)) {
        return reply_error(existing.error(), "dir_link");
    }
    if (existing.is_error() || existing.value() != f->ino) {
        if (kern_return_t r = status_of(m_fs->link(d->ino, name, f->ino), "dir_link"))
            return r;
    }
    mach_port_deallocate(mach_task_self(), file);
    return KERN_SUCCESS;
}

kern_return_t NodeServer::dir_rename(
    mach_port_t from_dir, const char* from, mach_port_t to_dir, const char* to, int exclusive)
{
    USE(from_dir, d);
    Open* t = find(to_dir);
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
    if (kern_return_t r = may_change_directory(*d, from_st, "dir_rename"))
        return r;
    if (kern_return_t r = may_change_directory(*t, to_st, "dir_rename"))
        return r;
    if (kern_return_t r = may_remove_name(*d, from_st, from, "dir_rename"))
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
    if (t->ino != d->ino && !access::is_root(d->identity)) {
        auto moved = m_fs->lookup(d->ino, from);
        if (moved.is_error())
            return reply_error(moved.error(), "dir_rename");
        ext2::Stat st {};
        if (kern_return_t r = stat_for(moved.value(), st, "dir_rename"))
            return r;
        if (is_type(st.mode, ext2::mode_dir) && !access::permits(d->identity, st, access::write))
            return FS_EACCES;
    }
    if (kern_return_t r = status_of(m_fs->rename(d->ino, from, t->ino, to), "dir_rename"))
        return r;
    mach_port_deallocate(mach_task_self(), to_dir);
    return KERN_SUCCESS;
}

kern_return_t NodeServer::dir_symlink(mach_port_t port, const char* name, const char* target)
{
    USE(port, d);
    if (kern_return_t r = check_name(name))
        return r;
    size_t length = bounded_length(target, FS_PATH_MAX + 1);
    if (length > FS_PATH_MAX)
        return FS_ENAMETOOLONG;
    if (length == 0)
        return FS_ENOENT;
    ext2::Stat dir {};
    if (kern_return_t r = may_change_directory(*d, dir, "dir_symlink"))
        return r;
    ext2::Owner owner = access::owner_in(d->identity, dir);
    return status_of(m_fs->symlink(d->ino, name, base::StringView(target, length), owner), "dir_symlink");
}

kern_return_t NodeServer::file_readlink(mach_port_t port, char* target)
{
    USE(port, o);
    if (o->type != ext2::mode_lnk)
        return FS_EINVAL;
    auto n = m_fs->readlink(o->ino, target, FS_PATH_MAX);
    if (n.is_error())
        return reply_error(n.error(), "file_readlink");
    target[n.value()] = 0;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::file_set_size(mach_port_t port, int64_t size)
{
    USE(port, o);
    if (!(o->flags & FS_LOOKUP_WRITE))
        return FS_EBADF;
    if (o->type == ext2::mode_dir)
        return FS_EISDIR;
    if (o->type != ext2::mode_reg)
        return FS_EINVAL;
    if (size < 0)
        return FS_EINVAL;
    return status_of(m_fs->truncate(o->ino, static_cast<uint64_t>(size)), "file_set_size");
}

kern_return_t NodeServer::file_chmod(mach_port_t port, int mode)
{
    USE(port, o);
    if (!(o->flags & FS_LOOKUP_WRITE))
        return FS_EBADF;
    ext2::Stat st {};
    if (kern_return_t r = stat_for(o->ino, st, "file_chmod"))
        return r;
    if (!access::is_owner(o->identity, st))
        return FS_EPERM;
    uint16_t bits = static_cast<uint16_t>(mode) & ext2::mode_permission_mask;
    // As POSIX: set-group-ID only for a group one is in, unless root.
    if (!access::is_root(o->identity) && !access::has_gid(o->identity, st.gid))
        bits &= static_cast<uint16_t>(~02000);
    return status_of(m_fs->chmod(o->ino, bits), "file_chmod");
}

kern_return_t NodeServer::file_chown(mach_port_t port, uint32_t uid, uint32_t gid)
{
    USE(port, o);
    if (!(o->flags & FS_LOOKUP_WRITE))
        return FS_EBADF;
    ext2::Stat st {};
    if (kern_return_t r = stat_for(o->ino, st, "file_chown"))
        return r;
    if (uid == FS_ID_UNCHANGED)
        uid = st.uid;
    if (gid == FS_ID_UNCHANGED)
        gid = st.gid;
    bool root = access::is_root(o->identity);
    // As POSIX (_POSIX_CHOWN_RESTRICTED): root gives any owner and group; the owner keeps the
    // owner and may give a group it is in.
    if (!root
        && (!access::is_owner(o->identity, st) || uid != st.uid
            || (gid != st.gid && !access::has_gid(o->identity, gid))))
        return FS_EPERM;
    if (kern_return_t r = status_of(m_fs->chown(o->ino, uid, gid), "file_chown"))
        return r;
    // A change by anyone but root clears set-user-ID and set-group-ID.
    if (!root && (st.mode & 06000) && !is_type(st.mode, ext2::mode_dir))
        return status_of(
            m_fs->chmod(o->ino, static_cast<uint16_t>(st.mode & ext2::mode_permission_mask & ~06000)), "file_chown");
    return KERN_SUCCESS;
}

kern_return_t NodeServer::file_utimes(mach_port_t port, int64_t atime, int64_t mtime)
{
    USE(port, o);
    if (!(o->flags & FS_LOOKUP_WRITE))
        return FS_EBADF;
    auto st = m_fs->stat(o->ino);
    if (st.is_error())
        return reply_error(st.error(), "file_utimes");
    // As POSIX's utimensat: times given only by the owner (or root); the clock's time also by
    // whoever may write the node.
    bool given = (atime != FS_TIME_OMIT && atime != FS_TIME_NOW) || (mtime != FS_TIME_OMIT && mtime != FS_TIME_NOW);
    if (!access::is_owner(o->identity, st.value())) {
        if (given)
            return FS_EPERM;
        if (!access::permits(o->identity, st.value(), access::write))
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
    return status_of(m_fs->utimes(o->ino, a, m), "file_utimes");
}

kern_return_t NodeServer::file_syncfs(mach_port_t port)
{
    USE(port, o);
    (void)o;
    return status_of(m_fs->sync(), "file_syncfs");
}

kern_return_t NodeServer::file_statfs(mach_port_t port, fs_statfs* out)
{
    USE(port, o);
    (void)o;
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

kern_return_t NodeServer::server_stats(mach_port_t port, fs_server_stats* out)
{
    // Any node port, even a stale one: the figures are the server's, not the node's.
    if (!find(port))
        return FS_EBADF;
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
    out->heap_bytes = mach::heap_statistics().bytes_in_use;
    out->open_nodes = m_open_count;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_restrict_auth(
    mach_port_t port, const fs_identity& identity, mach_port_t* result, mach_msg_type_name_t* poly)
{
    USE(port, o);
    if (!access::valid(identity))
        return FS_EINVAL;
    if (!access::may_become(o->identity, identity))
        return FS_EPERM;
    auto opened = open_node(o->ino, o->flags, identity);
    if (opened.is_error())
        return reply_error(opened.error(), "io_restrict_auth");
    *result = opened.value().release();
    *poly = MACH_MSG_TYPE_MOVE_SEND;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_restrict_auth_as(
    mach_port_t port, mach_port_t model, mach_port_t* result, mach_msg_type_name_t* poly)
{
    USE(port, o);
    Open* m = find(model);
    if (!m)
        return FS_EXDEV;
    if (!access::may_become(o->identity, m->identity))
        return FS_EPERM;
    uint32_t flags = o->flags;
    if (!(m->flags & FS_LOOKUP_WRITE))
        flags &= ~static_cast<uint32_t>(FS_LOOKUP_WRITE);
    auto opened = open_node(o->ino, flags, m->identity);
    if (opened.is_error())
        return reply_error(opened.error(), "io_restrict_auth_as");
    // The send right to our own port that came with the request (ours on success only).
    mach_port_deallocate(mach_task_self(), model);
    *result = opened.value().release();
    *poly = MACH_MSG_TYPE_MOVE_SEND;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_get_auth(mach_port_t port, fs_identity* out)
{
    // Any node port, even a stale one: the identity is the port's.
    Open* o = find(port);
    if (!o)
        return FS_EBADF;
    *out = o->identity;
    return KERN_SUCCESS;
}

} // namespace ext2fs
