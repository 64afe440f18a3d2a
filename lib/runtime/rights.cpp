// Port-right ownership.
#include "runtime/rights.h"

namespace runtime {

void release_user_reference(mach_port_t name)
{
    mach_port_deallocate(mach_task_self(), name);
}

void release_receive_right(mach_port_t name)
{
    mach_port_mod_refs(mach_task_self(), name, MACH_PORT_RIGHT_RECEIVE, -1);
}

base::Result<SendRight> SendRight::copy() const
{
    if (!valid())
        return SendRight();
    MACH_TRY(mach_port_mod_refs(mach_task_self(), name(), MACH_PORT_RIGHT_SEND, 1), "copying a send right");
    return SendRight::adopt(name());
}

base::Result<ReceiveRight> ReceiveRight::allocate()
{
    mach_port_t name = MACH_PORT_NULL;
    MACH_TRY(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &name), "allocating a port");
    return ReceiveRight::adopt(name);
}

base::Result<SendRight> ReceiveRight::make_send() const
{
    MACH_TRY(mach_port_insert_right(mach_task_self(), name(), name(), MACH_MSG_TYPE_MAKE_SEND), "making a send right");
    return SendRight::adopt(name());
}

} // namespace runtime
