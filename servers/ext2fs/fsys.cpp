// The link's calls on ext2fs (fsys.defs, through chain::Filesystem): the root node, sync, and
// fsys_goaway's unmount and read-only remount.
#include "access.h"
#include "fsclient/status.h"
#include "handler_support.h"
#include "node_server.h"
#include "runtime/console.h"

namespace ext2fs {

base::Result<mach::SendRight> NodeServer::root(int flags, const fs_identity& identity)
{
    if (!m_fs)
        return fs::error(FS_ESTALE, "the filesystem is not mounted");
    // The root directory: read, write (change what it holds) and search access only.
    if (flags & ~(FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_EXEC | FS_LOOKUP_DIRECTORY))
        return fs::error(FS_EINVAL, "flags for the root beyond read, write and exec");
    if (!access::valid(identity))
        return fs::error(FS_EINVAL, "more ids than FS_IDS_MAX");
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
    for (Node& o : m_nodes) {
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
    m_fs.reset();
    ext2::MountOptions options = m_options;
    options.mode = ext2::MountMode::ReadOnly;
    auto mounted = ext2::Filesystem::mount(m_device, options);
    if (mounted.is_error()) {
        mach::report(
            "fsys_goaway: mounting {} again read-only: {}", m_device_name.view(), fs::ErrorText { mounted.error() });
        return {};
    }
    m_fs = mounted.release_value();
    for (Node& o : m_nodes)
        if (o.port.valid() && !o.stale && m_fs->hold(o.ino).is_error())
            o.stale = true;
    if (m_fs->has_errors())
        mach::report(
            "{} is unmounted but marked as having errors (run e2fsck); serving it read-only", m_device_name.view());
    else
        mach::report("{} is clean; serving it read-only", m_device_name.view());
    return {};
}

} // namespace ext2fs
