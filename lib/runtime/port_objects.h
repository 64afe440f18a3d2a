// From the port a request came on to the object that serves it, one way for every server.
//
// A served object (an open node of ext2fs, a program of exec, a disk of rumpdisk, a function of
// the arbiter) holds its receive right as a ServedPort. Making one puts the right in the
// server's port set and its name in the task's table of served ports, under a PortKind that
// says what the object is. A MIG entry point finds its object with served(port, kind): it gets
// the object only if the port was registered under that very kind, so a node's call sent to a
// program's port (or to any port a client invented) finds nothing. The registration lives as
// long as the ServedPort: when it goes, the name leaves the table and the right is destroyed.
// A no-senders notification for a served port reaches its object's no_senders().
//
// A table, not GNU Mach's protected payloads: with a payload set on a port, the kernel reports
// the destination of every message to it as MACH_MSG_TYPE_PROTECTED_PAYLOAD, for send and
// send-once rights alike (ipc/ipc_kmsg.c, the copy-out of the header), so the server loop could
// no longer tell a notification that the kernel sent through a send-once right from one a
// client forged (server.h). The table costs one hash probe per lookup; port names are the
// task's own, so one table per task is the right scope.
#pragma once

#include <stddef.h>

#include "base/result.h"
#include "runtime/rights.h"

namespace runtime {

class Server;

// What every served object is: something a no-senders notification on its port can reach.
class PortObject {
public:
    // The last send right to the object's port went away (only when the object asked the
    // kernel for the notification).
    virtual void no_senders(mach_port_mscount_t) { }

protected:
    ~PortObject() = default;
};

// The kind under which ports are served: one constant per role, such as "an open node" or "a
// program's start-up port". Its address is its identity; T is the type of object it names.
template<typename T> struct PortKind {
    const char* name;
};

namespace detail {
base::Result<void> register_port(mach_port_t, const void* kind, PortObject*);
void unregister_port(mach_port_t);
PortObject* find_port(mach_port_t, const void* kind);
} // namespace detail

// The object served on port under kind, or null when the port is not one of ours of that kind.
template<typename T> T* served(mach_port_t port, const PortKind<T>& kind)
{
    return static_cast<T*>(detail::find_port(port, &kind));
}

// Hands a no-senders notification to the object served on port; false when there is none.
bool deliver_no_senders(mach_port_t port, mach_port_mscount_t);

// How many ports are served, and how many the table holds at most.
size_t served_port_count();
constexpr size_t max_served_ports = 1024;

// A receive right served for an object: in the server's port set and in the table for as long
// as it lives. Moved, it keeps naming the same object (the object must not move).
class ServedPort {
public:
    ServedPort() = default;
    ServedPort(ServedPort&& o)
        : m_right(static_cast<ReceiveRight&&>(o.m_right))
    {
    }
    ServedPort& operator=(ServedPort&& o)
    {
        if (this != &o) {
            reset();
            m_right = static_cast<ReceiveRight&&>(o.m_right);
        }
        return *this;
    }
    ServedPort(const ServedPort&) = delete;
    ServedPort& operator=(const ServedPort&) = delete;
    ~ServedPort() { reset(); }

    // A new port, served for object under kind.
    template<typename T> static base::Result<ServedPort> create(Server& server, const PortKind<T>& kind, T& object)
    {
        return adopt(server, TRY(ReceiveRight::allocate()), &kind, &object);
    }
    // A receive right made elsewhere (handed down at boot), served for object under kind.
    template<typename T>
    static base::Result<ServedPort> adopt(Server& server, ReceiveRight right, const PortKind<T>& kind, T& object)
    {
        return adopt(server, static_cast<ReceiveRight&&>(right), &kind, &object);
    }

    mach_port_t name() const { return m_right.name(); }
    bool valid() const { return m_right.valid(); }
    base::Result<SendRight> make_send() const { return m_right.make_send(); }
    // Stops serving it: out of the table, the right destroyed.
    void reset();

private:
    static base::Result<ServedPort> adopt(Server&, ReceiveRight, const void* kind, PortObject*);
    ReceiveRight m_right;
};

} // namespace runtime
