// I/O port permission.
#include "runtime/io.h"

#include "runtime/mach.h"
#include "runtime/runtime.h"

namespace runtime {

base::Result<void> request_io_ports(uint16_t from, uint16_t to)
{
    mach_port_t perm = MACH_PORT_NULL;
    MACH_TRY(i386_io_perm_create(privileged_ports().device_master, from, to, &perm), "asking for I/O ports");
    kern_return_t r = i386_io_perm_modify(mach_task_self(), perm, TRUE);
    mach_port_deallocate(mach_task_self(), perm);
    MACH_TRY(r, "enabling I/O ports");
    return {};
}

} // namespace runtime
