// The fsys calls on the link's port that a filesystem answers (fsys_getroot, fsys_syncfs,
// fsys_goaway): passed to the link's Filesystem, if the server registered one. Only the bootstrap
// port of the next link answers them.
#include "chain/link.h"

extern "C" {
#include "fsys_S.h"
}

using chain::link;

static chain::Filesystem* filesystem_for(mach_port_t port)
{
    return link().is_bootstrap(port) ? link().filesystem() : nullptr;
}

extern "C" {

kern_return_t S_fsys_getroot(mach_port_t fsys, mach_port_t dotdot_node, const idarray_t, mach_msg_type_number_t,
    const idarray_t, mach_msg_type_number_t, int flags, retry_type* do_retry, string_t retry_name, mach_port_t* file,
    mach_msg_type_name_t* file_poly)
{
    chain::Filesystem* fs = filesystem_for(fsys);
    if (!fs)
        return MIG_BAD_ID;
    auto root = fs->root(flags);
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
    chain::Filesystem* fs = filesystem_for(fsys);
    if (!fs)
        return MIG_BAD_ID;
    auto synced = fs->sync();
    return synced.is_error() ? synced.error().code() : KERN_SUCCESS;
}

kern_return_t S_fsys_goaway(mach_port_t fsys, int flags)
{
    chain::Filesystem* fs = filesystem_for(fsys);
    if (!fs)
        return MIG_BAD_ID;
    auto gone = fs->go_away(flags);
    return gone.is_error() ? gone.error().code() : KERN_SUCCESS;
}
}
