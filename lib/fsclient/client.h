// The client side of the file protocol (fs.defs): a Node is a port on a file, directory or
// symlink of the root filesystem, owned (move-only; the port is released when the Node goes,
// which is how the server learns the node is closed). Paths are relative to the Node they are
// given to. Errors are FS_E* codes (fsclient/status.h prints them by name) or Mach's codes.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "base/string_view.h"
#include "fs_types.h"
#include "fsclient/dirent.h"
#include "fsclient/status.h"
#include "fsys_types.h"
#include "runtime/mach.h"
#include "runtime/rights.h"

namespace fsclient {

using Stat = fs_stat;
using StatFs = fs_statfs;
using ServerStats = fs_server_stats;

// POSIX's file type bits of Stat::st_mode.
constexpr uint32_t mode_type_mask = 0170000;
constexpr uint32_t mode_directory = 0040000;
constexpr uint32_t mode_regular = 0100000;
constexpr uint32_t mode_symlink = 0120000;

// Memory the server sent out of line (or a copy of in-line data): released when it goes.
class Region {
public:
    Region() = default;
    Region(Region&& o)
        : m_data(o.m_data)
        , m_size(o.m_size)
        , m_mapped(o.m_mapped)
    {
        o.m_data = nullptr;
    }
    Region& operator=(Region&& o);
    Region(const Region&) = delete;
    Region& operator=(const Region&) = delete;
    ~Region() { reset(); }

    // size bytes of fresh zeroed memory from vm_allocate.
    static base::Result<Region> allocate(size_t size);
    const uint8_t* data() const { return m_data; }
    uint8_t* data() { return m_data; }
    size_t size() const { return m_size; }
    void reset();

private:
    friend class Node;
    uint8_t* m_data = nullptr;
    size_t m_size = 0; // bytes of data
    size_t m_mapped = 0; // bytes to vm_deallocate
};

class Node {
public:
    Node() = default;
    // Takes a send right to a node port (from fsys_getroot, dir_lookup or a start-up message).
    static Node adopt(mach_port_t port) { return Node(runtime::SendRight::adopt(port)); }
    explicit Node(runtime::SendRight port)
        : m_port(static_cast<runtime::SendRight&&>(port))
    {
    }

    bool valid() const { return m_port.valid(); }
    mach_port_t port() const { return m_port.name(); }
    mach_port_t release() { return m_port.release(); }

    // dir_lookup: a new port on what path names (FS_LOOKUP_* flags; mode for a created file).
    base::Result<Node> lookup(base::StringView path, int flags = FS_LOOKUP_READ, int mode = 0) const;
    // A new regular file (FS_LOOKUP_CREATE | FS_LOOKUP_EXCL), open for reading and writing.
    base::Result<Node> create(base::StringView path, int mode = 0644) const;

    // io_read at offset into buffer; loops over FS_IO_MAX pieces, stops short at the end.
    base::Result<size_t> read(uint64_t offset, void* buffer, size_t len) const;
    // One io_read of at most FS_IO_MAX bytes, in the memory the server sent (no copy when it
    // came out of line).
    base::Result<Region> read_region(int64_t offset, size_t amount) const;
    // The whole file (at most max bytes: FS_EFBIG beyond).
    base::Result<Region> read_all(size_t max = 256 << 20) const;
    // io_write at offset (FS_OFFSET_CURRENT: the port's position); loops over FS_IO_MAX pieces.
    base::Result<size_t> write(int64_t offset, const void* data, size_t len) const;
    base::Result<int64_t> seek(int64_t offset, int whence) const;

    base::Result<Stat> stat() const;
    base::Result<StatFs> statfs() const;
    base::Result<ServerStats> server_stats() const;

    // Directory operations: name is one component of this directory.
    base::Result<void> mkdir(base::StringView name, int mode = 0755) const;
    base::Result<void> rmdir(base::StringView name) const;
    base::Result<void> unlink(base::StringView name) const;
    base::Result<void> symlink(base::StringView name, base::StringView target) const;
    // Makes name in this directory a hard link to file.
    base::Result<void> link(const Node& file, base::StringView name, bool replace = false) const;
    base::Result<void> rename(
        base::StringView from, const Node& to_dir, base::StringView to, bool replace = true) const;

    // Calls f(const Dirent&) for each entry; f returns false to stop early.
    template<typename F> base::Result<void> for_each_entry(F f) const;

    // On a port got with FS_LOOKUP_NOLINK: the target (no terminating zero) into buffer.
    base::Result<size_t> readlink(char* buffer, size_t len) const;
    base::Result<void> truncate(uint64_t size) const;
    base::Result<void> chmod(uint32_t mode) const;
    base::Result<void> chown(uint32_t uid, uint32_t gid) const;
    base::Result<void> utimes(int64_t atime, int64_t mtime) const;
    base::Result<void> sync() const;

    // io_restrict_auth: a new port on the same node, with the same open flags, that carries
    // identity (a subset of this port's ids, or any if this port's include uid 0; else FS_EPERM).
    base::Result<Node> restrict_auth(const fs_identity& identity) const;
    // io_restrict_auth_as: a new port on this node carrying model's identity (model: a port
    // of the same server), without write access unless both have it.
    base::Result<Node> restrict_auth_as(const Node& model) const;
    // io_get_auth: the identity this port carries.
    base::Result<fs_identity> auth() const;
    // file_getcontrol: the filesystem's control port, for fsys_set_options and fsys_get_options
    // (root's only, else FS_EPERM).
    base::Result<runtime::SendRight> control() const;

    // One dir_readdir batch (for for_each_entry): its bytes into buffer, their size returned.
    base::Result<size_t> readdir_batch(
        int64_t cursor, int max_entries, char (&buffer)[FS_READDIR_MAX], int64_t& next, int& count) const;

private:
    runtime::SendRight m_port;
};

// An identity of one uid and one gid (root_identity(): 0 and 0).
fs_identity identity_of(uint32_t uid, uint32_t gid);
inline fs_identity root_identity()
{
    return identity_of(0, 0);
}

// The root directory of the filesystem behind control (fsys_getroot on the bootstrap port of
// the link below ext2fs), opened with flags (FS_LOOKUP_WRITE: write access, fs.defs), carrying
// identity.
base::Result<Node> root_from(mach_port_t control, int flags, const fs_identity& identity);
// fsys_syncfs and fsys_goaway on the control port.
base::Result<void> sync_filesystem(mach_port_t control);
base::Result<void> filesystem_go_away(mach_port_t control);
// fsys_set_options on a control port: words each ending with a zero ("--writable").
base::Result<void> set_filesystem_options(mach_port_t control, base::StringView words);
// fsys_get_options: the filesystem's options, words each ending with a zero; their size.
base::Result<size_t> filesystem_options(mach_port_t control, char (&words)[FSYS_OPTIONS_MAX]);

template<typename F> base::Result<void> Node::for_each_entry(F f) const
{
    int64_t cursor = 0;
    for (;;) {
        int64_t next = 0;
        int count = 0;
        char buffer[FS_READDIR_MAX];
        size_t size = TRY(readdir_batch(cursor, 64, buffer, next, count));
        if (count == 0)
            return {};
        DirentReader reader(buffer, size);
        Dirent d;
        for (int i = 0; i < count; ++i) {
            if (reader.next(d) != 1)
                return fsclient::error(FS_EIO, "a malformed dir_readdir reply");
            if (!f(static_cast<const Dirent&>(d)))
                return {};
        }
        cursor = next;
    }
}

} // namespace fsclient
