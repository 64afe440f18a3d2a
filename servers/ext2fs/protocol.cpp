// The MIG server functions of fs.defs: each passes its request to the NodeServer.
#include "protocol.h"

#include "fault_hook.h"

extern "C" {
#include "fs_S.h"
}

namespace {
ext2fs::NodeServer* g_server = nullptr;
}

namespace ext2fs {
void serve_protocol(NodeServer& server)
{
    g_server = &server;
}
} // namespace ext2fs

// Before serve_protocol() no node port exists: a request then (on the link's port) is not ours.
#define SERVE(call) return g_server ? g_server->call : MIG_BAD_ID

extern "C" {

kern_return_t S_dir_lookup(
    mach_port_t dir, const_fs_path_t path, int flags, int mode, mach_port_t* result, mach_msg_type_name_t* poly)
{
    SERVE(dir_lookup(dir, path, flags, mode, result, poly));
}

kern_return_t S_io_read(
    mach_port_t io, fs_data_t* data, mach_msg_type_number_t* count, int64_t offset, vm_size_t amount)
{
    SERVE(io_read(io, data, count, offset, amount));
}

kern_return_t S_io_write(
    mach_port_t io, const_fs_data_t data, mach_msg_type_number_t count, int64_t offset, vm_size_t* amount)
{
    ext2fs::count_write();
    SERVE(io_write(io, data, count, offset, amount));
}

kern_return_t S_io_seek(mach_port_t io, int64_t offset, int whence, int64_t* position)
{
    SERVE(io_seek(io, offset, whence, position));
}

kern_return_t S_io_stat(mach_port_t io, fs_stat_t* info)
{
    SERVE(io_stat(io, info));
}

kern_return_t S_dir_readdir(mach_port_t dir, fs_data_t* data, mach_msg_type_number_t* count, int64_t cursor,
    int entries, int64_t* next, int* amount)
{
    SERVE(dir_readdir(dir, data, count, cursor, entries, next, amount));
}

kern_return_t S_dir_mkdir(mach_port_t dir, const_fs_name_t name, int mode)
{
    SERVE(dir_mkdir(dir, name, mode));
}

kern_return_t S_dir_rmdir(mach_port_t dir, const_fs_name_t name)
{
    SERVE(dir_rmdir(dir, name));
}

kern_return_t S_dir_unlink(mach_port_t dir, const_fs_name_t name)
{
    SERVE(dir_unlink(dir, name));
}

kern_return_t S_dir_link(mach_port_t dir, mach_port_t file, const_fs_name_t name, int exclusive)
{
    SERVE(dir_link(dir, file, name, exclusive));
}

kern_return_t S_dir_rename(
    mach_port_t from_dir, const_fs_name_t from, mach_port_t to_dir, const_fs_name_t to, int exclusive)
{
    SERVE(dir_rename(from_dir, from, to_dir, to, exclusive));
}

kern_return_t S_dir_symlink(mach_port_t dir, const_fs_name_t name, const_fs_path_t target)
{
    SERVE(dir_symlink(dir, name, target));
}

kern_return_t S_file_readlink(mach_port_t file, fs_path_t target)
{
    SERVE(file_readlink(file, target));
}

kern_return_t S_file_set_size(mach_port_t file, int64_t size)
{
    SERVE(file_set_size(file, size));
}

kern_return_t S_file_chmod(mach_port_t file, int mode)
{
    SERVE(file_chmod(file, mode));
}

kern_return_t S_file_chown(mach_port_t file, uint32_t uid, uint32_t gid)
{
    SERVE(file_chown(file, uid, gid));
}

kern_return_t S_file_utimes(mach_port_t file, int64_t atime, int64_t mtime)
{
    SERVE(file_utimes(file, atime, mtime));
}

kern_return_t S_file_syncfs(mach_port_t file, int, int)
{
    SERVE(file_syncfs(file));
}

kern_return_t S_file_statfs(mach_port_t file, fs_statfs_t* info)
{
    SERVE(file_statfs(file, info));
}

kern_return_t S_fs_server_stats(mach_port_t file, fs_server_stats_t* stats)
{
    SERVE(server_stats(file, stats));
}

kern_return_t S_io_restrict_auth(
    mach_port_t io, fs_identity_t identity, mach_port_t* result, mach_msg_type_name_t* poly)
{
    SERVE(io_restrict_auth(io, identity, result, poly));
}

kern_return_t S_io_get_auth(mach_port_t io, fs_identity_t* identity)
{
    SERVE(io_get_auth(io, identity));
}

kern_return_t S_io_restrict_auth_as(mach_port_t io, mach_port_t model, mach_port_t* result, mach_msg_type_name_t* poly)
{
    SERVE(io_restrict_auth_as(io, model, result, poly));
}
}

namespace ext2fs {

} // namespace ext2fs
