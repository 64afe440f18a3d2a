// Time and sleeping.
#include "runtime/clock.h"
#include "runtime/threads.h"

#include "runtime/mach.h"
#include "runtime/msg.h"

namespace runtime {

uint64_t uptime_ns()
{
    time_value64_t t {};
    static mach_port_t host = mach_host_self();
    if (host_get_uptime64(host, &t) != KERN_SUCCESS)
        return 0;
    return static_cast<uint64_t>(t.seconds) * 1000000000ULL + static_cast<uint64_t>(t.nanoseconds);
}

void sleep_ms(unsigned milliseconds)
{
    static mach_port_t port = MACH_PORT_NULL;
    if (port == MACH_PORT_NULL)
        mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port);
    mach_msg_header_t h {};
    OutsideTurn outside(Wait::Sleep);
    mach_msg_trap(&h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof h, port, milliseconds, MACH_PORT_NULL);
}

} // namespace runtime
