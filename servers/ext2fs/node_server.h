// ext2fs's side of the file protocol (fs.defs): a bounded table of open nodes (node.h), one
// served port each. A node's port goes when the client's last send right goes (no-senders
// notification), also when the reply that carried it could not be delivered (the server loop
// destroys it, and with it the only send right). Each uid has a share of the table (fs.defs:
// "Open nodes"). Errors of the ext2 library and of the disk become the protocol's FS_E* codes
// here, once; a corrupt structure is also told on the console, with where it is.
//
// Where each part lives: node_table.cpp (opening and closing nodes, the shares),
// protocol_errors.cpp (the error mapping), fsys.cpp (the link's calls: root, sync, the
// remount on fsys_goaway, the run-time options and the control port), directory.cpp, io.cpp and file.cpp (the calls on
// nodes), and protocol.cpp (the MIG entry points, which find the node a request came on).
#pragma once

#include <stdint.h>

#include "base/name_table.h"
#include "base/own.h"
#include "base/result.h"
#include "block_device.h"
#include "chain/link.h"
#include "ext2/filesystem.h"
#include "fs_types.h"
#include "node.h"
#include "runtime/port_objects.h"
#include "runtime/rights.h"

namespace ext2fs {

// The object of the filesystem's control port: the port is told apart by its name
// (NodeServer::is_control_port), so this is only what the table of served ports needs.
struct ControlPort final : runtime::PortObject { };

class NodeServer final : public chain::Filesystem {
public:
    static constexpr size_t max_open = 512;
    // Ports whose identity is not root's: at most max_open - root_reserve of them together,
    // and at most per_uid_max for one effective uid (FS_ENFILE to that uid alone beyond).
    static constexpr size_t root_reserve = 64;
    static constexpr size_t per_uid_max = 224;

    // Takes the mounted filesystem (it remounts it read-only on fsys_goaway with options).
    NodeServer(MachBlockDevice& device, base::Own<ext2::Filesystem> fs, const ext2::MountOptions& options,
        base::StringView device_name);

    // chain::Filesystem: fsys_getroot, fsys_syncfs, fsys_goaway on the link's port;
    // fsys_set_options and fsys_get_options there and on the control port (file_getcontrol).
    base::Result<runtime::SendRight> root(int flags, const fs_identity& identity) override;
    base::Result<void> sync() override;
    base::Result<void> go_away(int flags) override;
    // `--readonly` (`-r`): sync, then go on read-only (FS_EBUSY while a regular file is open for
    // writing or an open node has no name left: the remount would lose it); `--writable`
    // (`-w`): read-write again (FS_EROFS when the device cannot be written or the filesystem
    // must stay read-only: marked as having errors, or a reason of the library's). Nothing
    // changes for a word not known (FS_EINVAL); open nodes keep working either way.
    base::Result<void> set_options(base::StringView words) override;
    base::Result<size_t> options(char* out, size_t capacity) override;
    bool is_control_port(mach_port_t port) const override { return port != MACH_PORT_NULL && port == m_control.name(); }

    // FS_ESTALE for a node whose inode went with a remount (or when nothing is mounted).
    kern_return_t usable(const Node&) const;
    void close(Node&);

    // The fs.defs calls on the node the request came on (protocol.cpp found it and checked it
    // with usable(), except for server_stats and io_get_auth, which answer on a stale node
    // too), with MIG's other arguments (see fs.defs for what each does).
    kern_return_t dir_lookup(
        Node& dir, const char* path, int flags, int mode, mach_port_t* result, mach_msg_type_name_t* poly);
    kern_return_t io_read(Node&, char** data, mach_msg_type_number_t* count, int64_t offset, vm_size_t amount);
    kern_return_t io_write(Node&, const char* data, mach_msg_type_number_t count, int64_t offset, vm_size_t* amount);
    kern_return_t io_seek(Node&, int64_t offset, int whence, int64_t* position);
    kern_return_t io_stat(Node&, fs_stat* out);
    kern_return_t dir_readdir(
        Node&, char** data, mach_msg_type_number_t* count, int64_t cursor, int max_entries, int64_t* next, int* amount);
    kern_return_t dir_mkdir(Node&, const char* name, int mode);
    kern_return_t dir_rmdir(Node&, const char* name);
    kern_return_t dir_unlink(Node&, const char* name);
    kern_return_t dir_link(Node& dir, mach_port_t file, const char* name, int exclusive);
    kern_return_t dir_rename(Node& from_dir, const char* from, mach_port_t to_dir, const char* to, int exclusive);
    kern_return_t dir_symlink(Node&, const char* name, const char* target);
    kern_return_t file_readlink(Node&, char* target);
    kern_return_t file_set_size(Node&, int64_t size);
    kern_return_t file_chmod(Node&, int mode);
    kern_return_t file_chown(Node&, uint32_t uid, uint32_t gid);
    kern_return_t file_utimes(Node&, int64_t atime, int64_t mtime);
    kern_return_t file_syncfs(Node&);
    kern_return_t file_statfs(Node&, fs_statfs* out);
    kern_return_t file_getcontrol(Node&, mach_port_t* result, mach_msg_type_name_t* poly);
    kern_return_t server_stats(Node&, fs_server_stats* out);
    kern_return_t io_restrict_auth(Node&, const fs_identity& identity, mach_port_t* result, mach_msg_type_name_t* poly);
    kern_return_t io_get_auth(Node&, fs_identity* out);
    kern_return_t io_restrict_auth_as(Node&, mach_port_t model, mach_port_t* result, mach_msg_type_name_t* poly);

    size_t open_count() const { return m_open_count; }

private:
    // Whether identity's share of the table has room for one more port (else FS_ENFILE).
    kern_return_t room_for(const fs_identity& identity);
    // Counts a node in or out of its uid's share.
    void charge(const fs_identity&, int delta);
    // A new port on ino, opened with flags, carrying identity: a send right to move to the
    // client.
    base::Result<runtime::SendRight> open_node(ext2::Ino ino, uint32_t flags, const fs_identity& identity);
    // The node's attributes for a permission check (an error already in the protocol's codes).
    kern_return_t stat_for(ext2::Ino, ext2::Stat& out, const char* operation);
    // The checks before changing directory d (its port's write access, w and x on it).
    kern_return_t may_change_directory(const Node& d, ext2::Stat& dir, const char* operation);
    // The checks before removing name from directory d (may_change_directory, the sticky bit).
    kern_return_t may_remove_name(const Node& d, const ext2::Stat& dir, const char* name, const char* operation);
    // All the checks before removing name from directory d: the name, then both of the above.
    kern_return_t may_remove(const Node& d, const char* name, const char* operation);
    // The protocol's code for an error of the library or the disk; tells a corruption.
    kern_return_t reply_error(const base::Error&, const char* operation);
    // The remounts of fsys.cpp: read-only, or read-write (with why it cannot be).
    base::Result<void> make_read_only();
    base::Result<void> make_writable();
    // Unmounts (which frees the inodes of open nodes with no name left: those nodes go stale),
    // mounts again in mode and holds every open node's inode again.
    base::Result<void> remount(ext2::MountMode mode);
    template<typename T> kern_return_t status_of(const base::Result<T>& r, const char* operation)
    {
        return r.is_error() ? reply_error(r.error(), operation) : KERN_SUCCESS;
    }

    MachBlockDevice& m_device;
    base::Own<ext2::Filesystem> m_fs; // none after a remount that failed
    ext2::MountOptions m_options;
    base::BoundedString<64> m_device_name;
    Node m_nodes[max_open];
    uint16_t m_free[max_open]; // the indexes of the free entries of m_nodes, a stack
    size_t m_free_count = 0;
    size_t m_open_count = 0;
    // Open nodes whose identity is not root's: how many in all, and per uid (keyed uid + 1).
    size_t m_others_open = 0;
    base::NameTable<uint16_t, max_open> m_open_per_uid;
    unsigned m_corruptions_told = 0;
    // The control port (file_getcontrol), made at the first request for it.
    ControlPort m_control_object;
    runtime::ServedPort m_control;
    bool m_errors_told = false;
};

} // namespace ext2fs
