// ext2fs's side of the file protocol (fs.defs): a bounded table of open nodes, one receive
// right each in the server's port set, with the inode, the open's flags, the identity the port
// carries and its file position. A node's port goes when the client's last send right goes
// (no-senders notification), also when the reply that carried it could not be delivered (the
// server loop destroys it, and with it the only send right). Each uid has a share of the table
// (fs.defs: "Open nodes"). Errors
// of the ext2 library and of the disk become the protocol's FS_E* codes here, once; a corrupt
// structure is also told on the console, with where it is.
#pragma once

#include <stdint.h>

#include "base/result.h"
#include "block_device.h"
#include "chain/link.h"
#include "ext2/filesystem.h"
#include "fs_types.h"
#include "runtime/rights.h"

namespace ext2fs {

class NodeServer final : public chain::Filesystem, public chain::NoSendersHandler {
public:
    static constexpr size_t max_open = 512;
    // Ports whose identity is not root's: at most max_open - root_reserve of them together,
    // and at most per_uid_max for one effective uid (FS_ENFILE to that uid alone beyond).
    static constexpr size_t root_reserve = 64;
    static constexpr size_t per_uid_max = 224;

    // Takes the mounted filesystem (it remounts it read-only on fsys_goaway with options).
    NodeServer(
        MachBlockDevice& device, ext2::Filesystem* fs, const ext2::MountOptions& options, base::StringView device_name)
        : m_device(device)
        , m_fs(fs)
        , m_options(options)
        , m_device_name(device_name)
    {
    }

    // chain::Filesystem: fsys_getroot, fsys_syncfs, fsys_goaway on the link's port.
    base::Result<mach::SendRight> root(int flags, const fs_identity& identity) override;
    base::Result<void> sync() override;
    base::Result<void> go_away(int flags) override;
    // chain::NoSendersHandler
    void no_senders(mach_port_t port, mach_port_mscount_t count) override;

    // The fs.defs calls, with MIG's arguments (see fs.defs for what each does).
    kern_return_t dir_lookup(
        mach_port_t dir, const char* path, int flags, int mode, mach_port_t* result, mach_msg_type_name_t* poly);
    kern_return_t io_read(mach_port_t, char** data, mach_msg_type_number_t* count, int64_t offset, vm_size_t amount);
    kern_return_t io_write(
        mach_port_t, const char* data, mach_msg_type_number_t count, int64_t offset, vm_size_t* amount);
    kern_return_t io_seek(mach_port_t, int64_t offset, int whence, int64_t* position);
    kern_return_t io_stat(mach_port_t, fs_stat* out);
    kern_return_t dir_readdir(mach_port_t, char** data, mach_msg_type_number_t* count, int64_t cursor, int max_entries,
        int64_t* next, int* amount);
    kern_return_t dir_mkdir(mach_port_t, const char* name, int mode);
    kern_return_t dir_rmdir(mach_port_t, const char* name);
    kern_return_t dir_unlink(mach_port_t, const char* name);
    kern_return_t dir_link(mach_port_t dir, mach_port_t file, const char* name, int exclusive);
    kern_return_t dir_rename(mach_port_t from_dir, const char* from, mach_port_t to_dir, const char* to, int exclusive);
    kern_return_t dir_symlink(mach_port_t, const char* name, const char* target);
    kern_return_t file_readlink(mach_port_t, char* target);
    kern_return_t file_set_size(mach_port_t, int64_t size);
    kern_return_t file_chmod(mach_port_t, int mode);
    kern_return_t file_chown(mach_port_t, uint32_t uid, uint32_t gid);
    kern_return_t file_utimes(mach_port_t, int64_t atime, int64_t mtime);
    kern_return_t file_syncfs(mach_port_t);
    kern_return_t file_statfs(mach_port_t, fs_statfs* out);
    kern_return_t server_stats(mach_port_t, fs_server_stats* out);
    kern_return_t io_restrict_auth(
        mach_port_t, const fs_identity& identity, mach_port_t* result, mach_msg_type_name_t* poly);
    kern_return_t io_get_auth(mach_port_t, fs_identity* out);
    kern_return_t io_restrict_auth_as(mach_port_t, mach_port_t model, mach_port_t* result, mach_msg_type_name_t* poly);

    size_t open_count() const { return m_open_count; }

private:
    struct Open {
        mach::ReceiveRight port;
        ext2::Ino ino = 0;
        uint16_t type = 0; // the inode's type bits, as at open
        uint32_t flags = 0; // FS_LOOKUP_* of the open (FS_LOOKUP_WRITE: write access)
        fs_identity identity {}; // whose port it is (fs.defs)
        uint64_t position = 0;
        bool stale = false; // its inode was freed when the filesystem was remounted
    };

    // The open a request came on, or null (FS_EBADF) for a port that is not a node of ours.
    Open* find(mach_port_t port);
    kern_return_t usable(Open*, Open*& out);
    // Whether identity's share of the table has room for one more port (else FS_ENFILE).
    kern_return_t room_for(const fs_identity& identity) const;
    // A new port on ino, opened with flags, carrying identity: a send right to move to the
    // client.
    base::Result<mach::SendRight> open_node(ext2::Ino ino, uint32_t flags, const fs_identity& identity);
    // The node's attributes for a permission check (an error already in the protocol's codes).
    kern_return_t stat_for(ext2::Ino, ext2::Stat& out, const char* operation);
    // The checks before changing directory d (its port's write access, w and x on it).
    kern_return_t may_change_directory(const Open& d, ext2::Stat& dir, const char* operation);
    // The checks before removing name from directory d (may_change_directory, the sticky bit).
    kern_return_t may_remove_name(const Open& d, const ext2::Stat& dir, const char* name, const char* operation);
    void close(Open&);
    // The protocol's code for an error of the library or the disk; tells a corruption.
    kern_return_t reply_error(const base::Error&, const char* operation);
    template<typename T> kern_return_t status_of(const base::Result<T>& r, const char* operation)
    {
        return r.is_error() ? reply_error(r.error(), operation) : KERN_SUCCESS;
    }

    MachBlockDevice& m_device;
    ext2::Filesystem* m_fs; // null after a remount that failed
    ext2::MountOptions m_options;
    base::BoundedString<64> m_device_name;
    Open m_opens[max_open];
    size_t m_open_count = 0;
    unsigned m_corruptions_told = 0;
    bool m_errors_told = false;
};

} // namespace ext2fs
