// Supervision of the next link: its exceptions and its death reach this link, which restarts it
// where the policy says so (next_link.h), and otherwise says what happened and takes the chain
// down, instead of leaving it to hang.
#include "chain/link.h"
#include "runtime/console.h"
#include "runtime/port_objects.h"

extern "C" {
#include "exc_S.h"
#include "notify_S.h"
}

using chain::link;

extern "C" {

kern_return_t catch_exception_raise(mach_port_t port, mach_port_t thread, mach_port_t task, integer_t exception,
    integer_t code, rpc_long_integer_t subcode)
{
    if (!link().is_supervision_port(port))
        return KERN_FAILURE;
    struct i386_thread_state state { };
    mach_msg_type_number_t count = i386_THREAD_STATE_COUNT;
    unsigned long pc = 0;
    if (thread_get_state(thread, i386_THREAD_STATE, reinterpret_cast<thread_state_t>(&state), &count) == KERN_SUCCESS)
        pc = state.rip;
    mach_port_deallocate(mach_task_self(), thread);
    mach_port_deallocate(mach_task_self(), task);
    base::BufferSink<160> fault;
    base::format(fault, "crashed: {} (code {:#x}, subcode {:#x}) at pc {:#x}", base::exception_name(exception),
        static_cast<unsigned>(code), static_cast<unsigned long>(subcode), pc);
    if (link().next().crashed(fault.view()))
        return KERN_SUCCESS; // ended; a new instance follows
    base::BufferSink<200> why;
    base::format(why, "the next link {} {}", link().next_name(), fault.view());
    link().fail_with(chain::Link::FailureStatus::NextLinkDied, why.view());
}

kern_return_t do_mach_notify_dead_name(mach_port_t port, mach_port_name_t name)
{
    if (!link().is_supervision_port(port))
        return KERN_FAILURE;
    if (name == link().next_task() && !link().next().died(name)) {
        base::BufferSink<160> why;
        base::format(why, "the next link {} ended", link().next_name());
        link().fail_with(chain::Link::FailureStatus::NextLinkDied, why.view());
    }
    mach_port_deallocate(mach_task_self(), name);
    return KERN_SUCCESS;
}

kern_return_t do_mach_notify_port_deleted(mach_port_t, mach_port_name_t)
{
    return KERN_SUCCESS;
}

kern_return_t do_mach_notify_msg_accepted(mach_port_t, mach_port_name_t)
{
    return KERN_SUCCESS;
}

kern_return_t do_mach_notify_port_destroyed(mach_port_t port, mach_port_t rights)
{
    // One of the next link's ports, back from a link that died, for its next instance.
    if (link().is_supervision_port(port) && link().next().port_came_back(rights))
        return KERN_SUCCESS;
    mach_port_mod_refs(mach_task_self(), rights, MACH_PORT_RIGHT_RECEIVE, -1);
    return KERN_SUCCESS;
}

kern_return_t do_mach_notify_no_senders(mach_port_t port, mach_port_mscount_t count)
{
    // To the object served on the port (runtime/port_objects.h); a port of nobody's is left be.
    (void)runtime::deliver_no_senders(port, count);
    return KERN_SUCCESS;
}

kern_return_t do_mach_notify_send_once(mach_port_t)
{
    return KERN_SUCCESS;
}
}
