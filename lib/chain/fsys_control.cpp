// The fsys calls on the link's port that a filesystem answers (fsys_getroot, fsys_syncfs,
// fsys_goaway, fsys_set_options, fsys_get_options): passed to the link's Filesystem, if the
// server registered one. Only the bootstrap port of the next link answers them all; the shutdown
// port the links above hold (shutdown.h) answers fsys_syncfs and fsys_goaway only: it gives no
// way into the files. The filesystem's control port (file_getcontrol, for root) answers
// fsys_syncfs and the options: it can neither open the root nor unmount.
#include "chain/link.h"
#include "chain/shutdown.h"

extern "C" {
#include "fsys_S.h"
}

using chain::link;

static chain::Filesystem* filesystem_for(mach_port_t port)
{
    return link().is_bootstrap(port) ? link().filesystem() : nullptr;
}

// The bootstrap port or the filesystem's control port.
static chain::Filesystem* filesystem_to_control(mach_port_t port)
{
    chain::Filesystem* fs = link().filesystem();
    return fs && fs->is_control_port(port) ? fs : filesystem_for(port);
}

static chain::Filesystem* filesystem_to_sync(mach_port_t port)
{
    return chain::shutdown().is_filesystem_port(port) ? link().filesystem() : filesystem_to_control(port);
}

extern "C" {

kern_return_t S_fsys_getroot(mach_port_t fsys, mach_port_t dotdot_node, const idarray_t uids,
    mach_msg_type_number_t uid_count, const idarray_t gids, mach_msg_type_number_t gid_count, int flags,
    retry_type* do_retry, string_t retry_name, mach_port_t* file, mach_msg_type_name_t* file_poly)
{
    chain::Filesystem* fs = filesystem_for(fsys);
    if (!fs)
        return MIG_BAD_ID;
    // The root port carries the ids asked for (none: nobody's port). Only the link below the
    // filesystem holds this port.
    if (uid_count > FS_IDS_MAX || gid_count > FS_IDS_MAX)
        return FS_EINVAL;
    fs_identity identity {};
    identity.uid_count = uid_count;
    identity.gid_count = gid_count;
    for (mach_msg_type_number_t i = 0; i < uid_count; ++i)
        identity.uids[i] = uids[i];
    for (mach_msg_type_number_t i = 0; i < gid_count; ++i)
        identity.gids[i] = gids[i];
    auto root = fs->root(flags, identity);
    if (root.is_error())
        return root.error().code();
    // The root of the root filesystem has no parent to go back to: '..' stays at the root.
    if (MACH_PORT_VALID(dotdot_node))
        mach_port_deallocate(mach_task_self(), dotdot_node);
    *do_retry = FSYS_RETRY_NORMAL;
    retry_name[0] = 0;
    *file = root.value().release();
    *file_poly = MACH_MSG_TYPE_MOVE_SEND;
    return KERN_SUCCESS;
}

kern_return_t S_fsys_syncfs(mach_port_t fsys, int, int)
{
    chain::Filesystem* fs = filesystem_to_sync(fsys);
    if (!fs)
        return MIG_BAD_ID;
    auto synced = fs->sync();
    return synced.is_error() ? synced.error().code() : KERN_SUCCESS;
}

kern_return_t S_fsys_goaway(mach_port_t fsys, int flags)
{
    chain::Filesystem* fs = chain::shutdown().is_filesystem_port(fsys) ? link().filesystem() : filesystem_for(fsys);
    if (!fs)
        return MIG_BAD_ID;
    auto gone = fs->go_away(flags);
    return gone.is_error() ? gone.error().code() : KERN_SUCCESS;
}

kern_return_t S_fsys_set_options(
    mach_port_t fsys, const fsys_options_t options, mach_msg_type_number_t count, int /*do_children*/)
{
    chain::Filesystem* fs = filesystem_to_control(fsys);
    if (!fs)
        return MIG_BAD_ID;
    auto set = fs->set_options(base::StringView(options, count));
    return set.is_error() ? set.error().code() : KERN_SUCCESS;
}

kern_return_t S_fsys_get_options(mach_port_t fsys, fsys_options_t options, mach_msg_type_number_t* count)
{
    chain::Filesystem* fs = filesystem_to_control(fsys);
    if (!fs)
        return MIG_BAD_ID;
    size_t capacity = *count < FSYS_OPTIONS_MAX ? *count : FSYS_OPTIONS_MAX;
    auto written = fs->options(options, capacity);
    if (written.is_error())
        return written.error().code();
    *count = static_cast<mach_msg_type_number_t>(written.value());
    return KERN_SUCCESS;
}
}
