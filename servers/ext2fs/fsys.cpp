// The link's calls on ext2fs (fsys.defs, through chain::Filesystem): the root node, sync,
// fsys_goaway's unmount and read-only remount, and the run-time options (fsys_set_options,
// fsys_get_options) that switch between read-only and read-write, on the link's port and on the
// control port that file_getcontrol gives root (how `fsysopts / --writable` reaches them).
#include "access.h"
#include "base/format.h"
#include "fsclient/status.h"
#include "fsys_types.h"
#include "handler_support.h"
#include "node_server.h"
#include "runtime/console.h"

namespace ext2fs {

namespace {
constexpr runtime::PortKind<ControlPort> control_port { "ext2fs's control port" };
} // namespace

base::Result<runtime::SendRight> NodeServer::root(int flags, const fs_identity& identity)
{
    if (!m_fs)
        return fsclient::error(FS_ESTALE, "the filesystem is not mounted");
    // The root directory: read, write (change what it holds) and search access only.
    if (flags & ~(FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_EXEC | FS_LOOKUP_DIRECTORY))
        return fsclient::error(FS_EINVAL, "flags for the root beyond read, write and exec");
    if (!access::valid(identity))
        return fsclient::error(FS_EINVAL, "more ids than FS_IDS_MAX");
    auto opened = open_node(ext2::root_ino, static_cast<uint32_t>(flags), identity);
    if (opened.is_error())
        return fsclient::error(protocol_code(opened.error()), opened.error().context());
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

base::Result<void> NodeServer::remount(ext2::MountMode mode)
{
    // Nodes whose last link is gone are freed by the unmount: their ports go stale.
    for (Node& o : m_nodes) {
        if (!o.port.valid())
            continue;
        auto st = m_fs->stat(o.ino);
        if (st.is_error() || st.value().links == 0)
            o.stale = true;
    }
    auto unmounted = m_fs->unmount();
    if (unmounted.is_error()) {
        runtime::report("unmounting {}: {}", m_device_name.view(), fsclient::ErrorText { unmounted.error() });
        return fsclient::error(protocol_code(unmounted.error()), "unmounting");
    }
    m_fs.reset();
    ext2::MountOptions options = m_options;
    options.mode = mode;
    auto mounted = ext2::Filesystem::mount(m_device, options);
    if (mounted.is_error()) {
        runtime::report("mounting {} again: {}", m_device_name.view(), fsclient::ErrorText { mounted.error() });
        return fsclient::error(protocol_code(mounted.error()), "mounting again");
    }
    m_fs = mounted.release_value();
    for (Node& o : m_nodes)
        if (o.port.valid() && !o.stale && m_fs->hold(o.ino).is_error())
            o.stale = true;
    return {};
}

base::Result<void> NodeServer::go_away(int)
{
    if (!m_fs || m_fs->read_only()) {
        // Nothing to write; a read-only mount is clean as it is.
        return {};
    }
    auto remounted = remount(ext2::MountMode::ReadOnly);
    if (remounted.is_error()) {
        // remount() said why. Not unmounted: the caller learns it; unmounted but not mounted
        // again: the disk is clean, and nothing more can be done here.
        return m_fs ? remounted : base::Result<void> {};
    }
    if (m_fs->has_errors())
        runtime::report(
            "{} is unmounted but marked as having errors (run e2fsck); serving it read-only", m_device_name.view());
    else
        runtime::report("{} is clean; serving it read-only", m_device_name.view());
    return {};
}

base::Result<void> NodeServer::make_read_only()
{
    // As the Hurd's diskfs: not while a file is open for writing, whose next write would fail.
    // A node with no name left would be freed by the unmount under its client.
    for (const Node& o : m_nodes) {
        if (!o.port.valid() || o.stale)
            continue;
        if (o.type == ext2::mode_reg && (o.flags & FS_LOOKUP_WRITE))
            return fsclient::error(FS_EBUSY, "a file is open for writing");
        auto st = m_fs->stat(o.ino);
        if (!st.is_error() && st.value().links == 0)
            return fsclient::error(FS_EBUSY, "a file with no name left is open");
    }
    // The unmount writes everything, marks the filesystem clean and flushes the disk's cache.
    TRY(remount(ext2::MountMode::ReadOnly));
    if (auto closed = m_device.change_access(DeviceAccess::ReadOnly); closed.is_error())
        runtime::report("{}: reopening the device read-only: {}", m_device_name.view(), closed.error());
    runtime::report("{} is clean; read-only now", m_device_name.view());
    return {};
}

base::Result<void> NodeServer::make_writable()
{
    if (m_fs->has_errors()) {
        runtime::report("{} is marked as having errors: run e2fsck before making it writable; it stays read-only",
            m_device_name.view());
        return fsclient::error(FS_EROFS, "the filesystem is marked as having errors");
    }
    // The read-only mount wrote nothing, so its unmount writes nothing either; the device is
    // opened for writing only then, and the filesystem mounted read-write on it.
    TRY(remount(ext2::MountMode::ReadOnly));
    if (auto opened = m_device.change_access(DeviceAccess::ReadWrite); opened.is_error()) {
        runtime::report("{} cannot be written ({}); it stays read-only", m_device_name.view(), opened.error());
        return fsclient::error(FS_EROFS, "the device cannot be written");
    }
    TRY(remount(ext2::MountMode::ReadWrite));
    if (m_fs->read_only()) {
        // The library keeps it read-only (a feature it cannot write, overlapping metadata).
        runtime::report("{} must stay read-only: {}", m_device_name.view(), m_fs->mount_note());
        (void)m_device.change_access(DeviceAccess::ReadOnly);
        return fsclient::error(FS_EROFS, "the filesystem must stay read-only");
    }
    if (!m_fs->mount_note().empty())
        runtime::report("{}", m_fs->mount_note());
    runtime::report("{} is writable now", m_device_name.view());
    return {};
}

base::Result<void> NodeServer::set_options(base::StringView words)
{
    // Every word is checked before anything changes; of --readonly and --writable the last
    // one counts, as on a command line.
    enum class Want { Same, ReadOnly, Writable } want = Want::Same;
    while (!words.empty()) {
        size_t end = words.find('\0');
        base::StringView word = words.substr(0, end);
        words = end < words.size() ? words.substr(end + 1) : base::StringView();
        if (word.empty())
            continue;
        if (word == "--readonly" || word == "-r")
            want = Want::ReadOnly;
        else if (word == "--writable" || word == "-w")
            want = Want::Writable;
        else
            return fsclient::error(FS_EINVAL, "an option ext2fs cannot change at run time");
    }
    if (want == Want::Same)
        return {};
    if (!m_fs)
        return fsclient::error(FS_ESTALE, "the filesystem is not mounted");
    if ((want == Want::ReadOnly) == m_fs->read_only())
        return {};
    auto changed = want == Want::ReadOnly ? make_read_only() : make_writable();
    if (changed.is_error() && !m_fs) {
        // The remount failed half-way: serve what can be served, read-only.
        (void)m_device.change_access(DeviceAccess::ReadOnly);
        ext2::MountOptions options = m_options;
        options.mode = ext2::MountMode::ReadOnly;
        auto mounted = ext2::Filesystem::mount(m_device, options);
        if (!mounted.is_error()) {
            m_fs = mounted.release_value();
            for (Node& o : m_nodes)
                if (o.port.valid() && !o.stale && m_fs->hold(o.ino).is_error())
                    o.stale = true;
            runtime::report("{} is served read-only again", m_device_name.view());
        }
    }
    return changed;
}

base::Result<size_t> NodeServer::options(char* out, size_t capacity)
{
    // The words a command line would give for this state, each ending with a zero.
    base::BufferSink<FSYS_OPTIONS_MAX> words;
    bool read_only = !m_fs || m_fs->read_only();
    words.put("ext2fs");
    words.put('\0');
    words.put(read_only ? "--readonly" : "--writable");
    words.put('\0');
    base::format(words, "--cache-kib={}", m_options.cache_bytes / 1024);
    words.put('\0');
    words.put(m_device_name.view());
    words.put('\0');
    if (words.truncated() || words.view().size() > capacity)
        return fsclient::error(FS_EINVAL, "the options do not fit");
    __builtin_memcpy(out, words.view().data(), words.view().size());
    return words.view().size();
}

kern_return_t NodeServer::file_getcontrol(Node& n, mach_port_t* result, mach_msg_type_name_t* poly)
{
    if (!access::is_root(n.identity))
        return FS_EPERM;
    if (!m_control.valid()) {
        auto served = runtime::ServedPort::create(chain::link().server(), control_port, m_control_object);
        if (served.is_error())
            return protocol_code(served.error());
        m_control = static_cast<runtime::ServedPort&&>(served.value());
    }
    auto send = m_control.make_send();
    if (send.is_error())
        return protocol_code(send.error());
    *result = send.value().release();
    *poly = MACH_MSG_TYPE_MOVE_SEND;
    return KERN_SUCCESS;
}

} // namespace ext2fs
