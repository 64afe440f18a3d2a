// The table of open nodes: opening a node on a port of its own, each uid's share, closing.
// A free entry is found from a stack of free indexes, a share from a count per uid: nothing
// here walks the table, except the remount, which visits every open node once.
#include "access.h"
#include "chain/link.h"
#include "fsclient/status.h"
#include "handler_support.h"
#include "node_server.h"

extern "C" {
#include <mach/notify.h>
}

namespace ext2fs {

namespace {

bool counted(const fs_identity& identity)
{
    return !access::is_root(identity);
}

// The key of identity's share: its effective uid, plus one (a table key is never zero).
uint32_t share_key(const fs_identity& identity)
{
    uint32_t uid = identity.uid_count ? identity.uids[0] : FS_ID_NOBODY;
    return uid == UINT32_MAX ? FS_ID_NOBODY + 1 : uid + 1;
}

} // namespace

NodeServer::NodeServer(MachBlockDevice& device, base::Own<ext2::Filesystem> fs, const ext2::MountOptions& options,
    base::StringView device_name)
    : m_device(device)
    , m_fs(static_cast<base::Own<ext2::Filesystem>&&>(fs))
    , m_options(options)
    , m_device_name(device_name)
{
    for (size_t i = 0; i < max_open; ++i) {
        m_nodes[i].server = this;
        m_free[i] = static_cast<uint16_t>(max_open - 1 - i);
    }
    m_free_count = max_open;
}

kern_return_t NodeServer::usable(const Node& node) const
{
    return node.stale || !m_fs ? FS_ESTALE : KERN_SUCCESS;
}

kern_return_t NodeServer::room_for(const fs_identity& identity)
{
    if (m_open_count >= max_open)
        return FS_ENFILE;
    if (!counted(identity))
        return KERN_SUCCESS;
    // Not root's: the table less root's reserve, and one uid's share of it.
    uint16_t* same = m_open_per_uid.find(share_key(identity));
    if (m_others_open >= max_open - root_reserve || (same && *same >= per_uid_max))
        return FS_ENFILE;
    return KERN_SUCCESS;
}

void NodeServer::charge(const fs_identity& identity, int delta)
{
    if (!counted(identity))
        return;
    m_others_open += delta;
    uint32_t key = share_key(identity);
    uint16_t* same = m_open_per_uid.find(key);
    if (!same) {
        // room_for() came first: a uid with no node yet has room in the table.
        (void)m_open_per_uid.insert(key, 1);
        return;
    }
    *same = static_cast<uint16_t>(*same + delta);
    if (*same == 0)
        m_open_per_uid.remove(key);
}

base::Result<runtime::SendRight> NodeServer::open_node(ext2::Ino ino, uint32_t flags, const fs_identity& identity)
{
    if (kern_return_t r = room_for(identity))
        return fsclient::error(r, "the uid's share of the table of open nodes is full");
    if (m_free_count == 0)
        return fsclient::error(FS_ENFILE, "the table of open nodes is full");
    Node& node = m_nodes[m_free[m_free_count - 1]];
    ext2::Stat st = TRY(m_fs->stat(ino));
    TRY(m_fs->hold(ino));
    auto undo = [&](kern_return_t r, const char* what) -> base::Error {
        node.port.reset();
        (void)m_fs->release(ino);
        return base::Error(r, what);
    };
    auto served = runtime::ServedPort::create(chain::link().server(), node_port, node);
    if (served.is_error())
        return undo(served.error().code(), "serving a node's port");
    node.port = static_cast<runtime::ServedPort&&>(served.value());
    auto send = node.port.make_send();
    if (send.is_error())
        return undo(send.error().code(), "making a send right to a node");
    // Told when the client's last send right goes: that closes the node.
    mach_port_t previous = MACH_PORT_NULL;
    if (kern_return_t r = mach_port_request_notification(mach_task_self(), node.port.name(), MACH_NOTIFY_NO_SENDERS, 1,
            node.port.name(), MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous))
        return undo(r, "asking for a node's no-senders notification");
    --m_free_count;
    node.ino = ino;
    node.type = static_cast<uint16_t>(st.mode & ext2::mode_type_mask);
    node.flags = flags;
    node.identity = identity;
    node.position = 0;
    node.stale = false;
    charge(identity, +1);
    ++m_open_count;
    return send;
}

void NodeServer::close(Node& node)
{
    if (!node.port.valid())
        return;
    if (!node.stale && m_fs)
        (void)m_fs->release(node.ino);
    charge(node.identity, -1);
    // Destroying the receive right takes it out of the port set and the table too.
    node.port.reset();
    node.ino = 0;
    node.identity = fs_identity {};
    node.stale = false;
    m_free[m_free_count++] = static_cast<uint16_t>(&node - m_nodes);
    --m_open_count;
}

void Node::no_senders(mach_port_mscount_t)
{
    server->close(*this);
}

} // namespace ext2fs
