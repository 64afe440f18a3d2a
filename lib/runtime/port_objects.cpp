// The task's table of served ports (base/name_table.h). One thread runs at a time
// (threads.h): no lock.
#include "runtime/port_objects.h"

#include "base/name_table.h"
#include "runtime/server.h"

namespace runtime {

namespace {

struct Entry {
    const void* kind = nullptr;
    PortObject* object = nullptr;
};

base::NameTable<Entry, max_served_ports> g_table;

} // namespace

namespace detail {

base::Result<void> register_port(mach_port_t name, const void* kind, PortObject* object)
{
    if (!MACH_PORT_VALID(name))
        return base::Error(KERN_INVALID_NAME, "serving an invalid port");
    if (g_table.find(name))
        return base::Error(KERN_NAME_EXISTS, "serving a port twice");
    if (!g_table.insert(name, Entry { kind, object }))
        return base::Error(KERN_RESOURCE_SHORTAGE, "the table of served ports is full");
    return {};
}

void unregister_port(mach_port_t name)
{
    g_table.remove(name);
}

PortObject* find_port(mach_port_t name, const void* kind)
{
    Entry* e = MACH_PORT_VALID(name) ? g_table.find(name) : nullptr;
    return e && e->kind == kind ? e->object : nullptr;
}

} // namespace detail

bool deliver_no_senders(mach_port_t port, mach_port_mscount_t count)
{
    Entry* e = MACH_PORT_VALID(port) ? g_table.find(port) : nullptr;
    if (!e)
        return false;
    e->object->no_senders(count);
    return true;
}

size_t served_port_count()
{
    return g_table.size();
}

base::Result<ServedPort> ServedPort::adopt(Server& server, ReceiveRight right, const void* kind, PortObject* object)
{
    TRY(detail::register_port(right.name(), kind, object));
    if (auto added = server.add_port(right.name()); added.is_error()) {
        detail::unregister_port(right.name());
        return added.error();
    }
    ServedPort p;
    p.m_right = static_cast<ReceiveRight&&>(right);
    return p;
}

void ServedPort::reset()
{
    if (m_right.valid())
        detail::unregister_port(m_right.name());
    m_right.reset();
}

} // namespace runtime
