// Port-right ownership.
#include "runtime/rights.h"

namespace mach {

base::Result<SendRight> SendRight::copy() const
{
    if (!valid())
        return SendRight();
    MACH_TRY(mach_port_mod_refs(mach_task_self(), m_name, MACH_PORT_RIGHT_SEND, 1), "copying a send right");
    return SendRight(m_name);
}

void SendRight::reset()
{
    if (valid())
        mach_port_deallocate(mach_task_self(), m_name);
    m_name = MACH_PORT_NULL;
}

void SendOnceRight::reset()
{
    if (valid())
        mach_port_deallocate(mach_task_self(), m_name);
    m_name = MACH_PORT_NULL;
}

base::Result<ReceiveRight> ReceiveRight::allocate()
{
    mach_port_t name = MACH_PORT_NULL;
    MACH_TRY(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &name), "allocating a port");
    return ReceiveRight(name);
}

base::Result<SendRight> ReceiveRight::make_send() const
{
    MACH_TRY(mach_port_insert_right(mach_task_self(), m_name, m_name, MACH_MSG_TYPE_MAKE_SEND),
             "making a send right");
    return SendRight::adopt(m_name);
}

void ReceiveRight::reset()
{
    if (valid())
        mach_port_mod_refs(mach_task_self(), m_name, MACH_PORT_RIGHT_RECEIVE, -1);
    m_name = MACH_PORT_NULL;
}

} // namespace mach
