// link.defs on the link's ports: what the link below asks of this one for its ports, its next
// link's task port, and its health (next_link.h).
#include "chain/link.h"

extern "C" {
#include "link_S.h"
}

using chain::link;

extern "C" {

kern_return_t S_link_ports(mach_port_t bootstrap, int* instance, mach_port_t* device_master,
    mach_port_t* next_bootstrap, mach_port_t* supervision, mach_port_t* next_task, mach_msg_type_name_t* next_task_poly)
{
    // Only the bootstrap port of the next link, once per instance.
    if (!link().is_bootstrap(bootstrap))
        return KERN_INVALID_CAPABILITY;
    auto handed = link().next().hand_ports();
    if (handed.is_error())
        return handed.error().code();
    *instance = handed.value().instance;
    *device_master = handed.value().device_master;
    *next_bootstrap = handed.value().next_bootstrap;
    *supervision = handed.value().supervision;
    *next_task = handed.value().next_task.release();
    *next_task_poly = MACH_MSG_TYPE_MOVE_SEND;
    return KERN_SUCCESS;
}

kern_return_t S_link_deposit_next_task(mach_port_t bootstrap, mach_port_t next_task)
{
    if (!link().is_bootstrap(bootstrap))
        return KERN_INVALID_CAPABILITY;
    link().next().deposit_next_task(runtime::SendRight::adopt(next_task));
    return KERN_SUCCESS;
}

kern_return_t S_link_health(mach_port_t port)
{
    // Asked by the link above on our bootstrap port (and harmless from anyone else).
    if (!link().is_bootstrap(port) && !link().is_device_master(port))
        return KERN_INVALID_CAPABILITY;
    return KERN_SUCCESS;
}

kern_return_t S_link_below_died(mach_port_t bootstrap)
{
    // Only from the link below (on the bootstrap port we gave it).
    if (!link().is_bootstrap(bootstrap))
        return KERN_INVALID_CAPABILITY;
    link().below_died();
    return KERN_SUCCESS;
}

kern_return_t S_link_relay(mach_port_t bootstrap, mach_port_t* relay)
{
    // Only the next link, which forwards there what the links below it ask.
    if (!link().is_bootstrap(bootstrap))
        return KERN_INVALID_CAPABILITY;
    *relay = link().relay();
    return KERN_SUCCESS;
}

} // extern "C"
