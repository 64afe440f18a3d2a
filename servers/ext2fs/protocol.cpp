// The MIG server functions of fs.defs: each finds the node its request came on and passes the
// request to that node's NodeServer.
#include "protocol.h"

#include "fault_hook.h"

extern "C" {
#include "fs_S.h"
}

using ext2fs::Node;
using ext2fs::NodeServer;

namespace {

// The node served on port, checked: FS_EBADF for a port that is not an open node of ours (the
// link's own port included), FS_ESTALE for a node whose inode went with a remount.
template<typename Call> kern_return_t on_node(mach_port_t port, Call call)
{
    Node* node = runtime::served(port, ext2fs::node_port);
    if (!node)
        return FS_EBADF;
    if (kern_return_t r = node->server->usable(*node))
        return r;
    return call(*node->server, *node);
}

// The same for the calls that answer on a stale node too.
template<typename Call> kern_return_t on_any_node(mach_port_t port, Call call)
{
    Node* node = runtime::served(port, ext2fs::node_port);
    return node ? call(*node->server, *node) : FS_EBADF;
}

} // namespace

extern "C" {

kern_return_t S_dir_lookup(
    mach_port_t dir, const_fs_path_t path, int flags, int mode, mach_port_t* result, mach_msg_type_name_t* poly)
{
    return on_node(dir, [&](NodeServer& s, Node& n) { return s.dir_lookup(n, path, flags, mode, result, poly); });
}

kern_return_t S_io_read(
    mach_port_t io, fs_data_t* data, mach_msg_type_number_t* count, int64_t offset, vm_size_t amount)
{
    return on_node(io, [&](NodeServer& s, Node& n) { return s.io_read(n, data, count, offset, amount); });
}

kern_return_t S_io_write(
    mach_port_t io, const_fs_data_t data, mach_msg_type_number_t count, int64_t offset, vm_size_t* amount)
{
    ext2fs::count_write();
    return on_node(io, [&](NodeServer& s, Node& n) { return s.io_write(n, data, count, offset, amount); });
}

kern_return_t S_io_seek(mach_port_t io, int64_t offset, int whence, int64_t* position)
{
    return on_node(io, [&](NodeServer& s, Node& n) { return s.io_seek(n, offset, whence, position); });
}

kern_return_t S_io_stat(mach_port_t io, fs_stat_t* info)
{
    return on_node(io, [&](NodeServer& s, Node& n) { return s.io_stat(n, info); });
}

kern_return_t S_dir_readdir(mach_port_t dir, fs_data_t* data, mach_msg_type_number_t* count, int64_t cursor,
    int entries, int64_t* next, int* amount)
{
    return on_node(
        dir, [&](NodeServer& s, Node& n) { return s.dir_readdir(n, data, count, cursor, entries, next, amount); });
}

kern_return_t S_dir_mkdir(mach_port_t dir, const_fs_name_t name, int mode)
{
    return on_node(dir, [&](NodeServer& s, Node& n) { return s.dir_mkdir(n, name, mode); });
}

kern_return_t S_dir_rmdir(mach_port_t dir, const_fs_name_t name)
{
    return on_node(dir, [&](NodeServer& s, Node& n) { return s.dir_rmdir(n, name); });
}

kern_return_t S_dir_unlink(mach_port_t dir, const_fs_name_t name)
{
    return on_node(dir, [&](NodeServer& s, Node& n) { return s.dir_unlink(n, name); });
}

kern_return_t S_dir_link(mach_port_t dir, mach_port_t file, const_fs_name_t name, int exclusive)
{
    return on_node(dir, [&](NodeServer& s, Node& n) { return s.dir_link(n, file, name, exclusive); });
}

kern_return_t S_dir_rename(
    mach_port_t from_dir, const_fs_name_t from, mach_port_t to_dir, const_fs_name_t to, int exclusive)
{
    return on_node(from_dir, [&](NodeServer& s, Node& n) { return s.dir_rename(n, from, to_dir, to, exclusive); });
}

kern_return_t S_dir_symlink(mach_port_t dir, const_fs_name_t name, const_fs_path_t target)
{
    return on_node(dir, [&](NodeServer& s, Node& n) { return s.dir_symlink(n, name, target); });
}

kern_return_t S_file_readlink(mach_port_t file, fs_path_t target)
{
    return on_node(file, [&](NodeServer& s, Node& n) { return s.file_readlink(n, target); });
}

kern_return_t S_file_set_size(mach_port_t file, int64_t size)
{
    return on_node(file, [&](NodeServer& s, Node& n) { return s.file_set_size(n, size); });
}

kern_return_t S_file_chmod(mach_port_t file, int mode)
{
    return on_node(file, [&](NodeServer& s, Node& n) { return s.file_chmod(n, mode); });
}

kern_return_t S_file_chown(mach_port_t file, uint32_t uid, uint32_t gid)
{
    return on_node(file, [&](NodeServer& s, Node& n) { return s.file_chown(n, uid, gid); });
}

kern_return_t S_file_utimes(mach_port_t file, int64_t atime, int64_t mtime)
{
    return on_node(file, [&](NodeServer& s, Node& n) { return s.file_utimes(n, atime, mtime); });
}

kern_return_t S_file_syncfs(mach_port_t file, int, int)
{
    return on_node(file, [&](NodeServer& s, Node& n) { return s.file_syncfs(n); });
}

kern_return_t S_file_statfs(mach_port_t file, fs_statfs_t* info)
{
    return on_node(file, [&](NodeServer& s, Node& n) { return s.file_statfs(n, info); });
}

kern_return_t S_file_getcontrol(mach_port_t file, mach_port_t* control, mach_msg_type_name_t* poly)
{
    return on_node(file, [&](NodeServer& s, Node& n) { return s.file_getcontrol(n, control, poly); });
}

kern_return_t S_fs_server_stats(mach_port_t file, fs_server_stats_t* stats)
{
    return on_any_node(file, [&](NodeServer& s, Node& n) { return s.server_stats(n, stats); });
}

kern_return_t S_io_restrict_auth(
    mach_port_t io, fs_identity_t identity, mach_port_t* result, mach_msg_type_name_t* poly)
{
    return on_node(io, [&](NodeServer& s, Node& n) { return s.io_restrict_auth(n, identity, result, poly); });
}

kern_return_t S_io_get_auth(mach_port_t io, fs_identity_t* identity)
{
    return on_any_node(io, [&](NodeServer& s, Node& n) { return s.io_get_auth(n, identity); });
}

kern_return_t S_io_restrict_auth_as(mach_port_t io, mach_port_t model, mach_port_t* result, mach_msg_type_name_t* poly)
{
    return on_node(io, [&](NodeServer& s, Node& n) { return s.io_restrict_auth_as(n, model, result, poly); });
}
}
