// An open node of ext2fs: the port a client holds, the inode it names, and the open's state.
// Each is served on its own port under node_port (runtime/port_objects.h); the client's last
// send right going closes it.
#pragma once

#include <stdint.h>

#include "ext2/filesystem.h"
#include "fs_types.h"
#include "runtime/port_objects.h"

namespace ext2fs {

class NodeServer;

struct Node final : runtime::PortObject {
    NodeServer* server = nullptr; // the table it is an entry of
    runtime::ServedPort port; // invalid: a free entry
    ext2::Ino ino = 0;
    uint16_t type = 0; // the inode's type bits, as at open
    uint32_t flags = 0; // FS_LOOKUP_* of the open (FS_LOOKUP_WRITE: write access)
    fs_identity identity {}; // whose port it is (fs.defs)
    uint64_t position = 0;
    bool stale = false; // its inode was freed when the filesystem was remounted

    // Each node port has one make-send (ours, moved to the client), so the notification means
    // the node is closed.
    void no_senders(mach_port_mscount_t) override;
};

// The checks before reading or changing a file's data through a node: its open gives the
// access (FS_LOOKUP_READ or FS_LOOKUP_WRITE), and it is a regular file (FS_EISDIR for a
// directory, FS_EINVAL for anything else).
inline kern_return_t may_use_data(const Node& node, uint32_t access)
{
    if (!(node.flags & access))
        return FS_EBADF;
    if (node.type == ext2::mode_dir)
        return FS_EISDIR;
    if (node.type != ext2::mode_reg)
        return FS_EINVAL;
    return KERN_SUCCESS;
}

inline constexpr runtime::PortKind<Node> node_port { "an open node of ext2fs" };

} // namespace ext2fs
