// A program's side of exec_startup.defs: its start-up information and its end.
#include "execclient/client.h"
#include "runtime/runtime.h"

extern "C" {
#include "exec_startup_U.h"
}

namespace exec {

static base::Result<mach::SendRight> bootstrap_port()
{
    mach_port_t port = MACH_PORT_NULL;
    MACH_TRY(task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &port), "reading the bootstrap port");
    if (!MACH_PORT_VALID(port))
        return base::Error(KERN_INVALID_CAPABILITY, "this task has no bootstrap port: exec did not start it");
    return mach::SendRight::adopt(port);
}

base::Result<Startup> startup()
{
    auto bootstrap = TRY(bootstrap_port());
    Startup s;
    vm_address_t entry = 0, phdr = 0, stack_base = 0;
    vm_size_t phdr_size = 0, stack_size = 0;
    int flags = 0;
    mach_port_t descriptors[EXEC_PORTS_MAX] = {};
    mach_port_t ports[EXEC_PORTS_MAX] = {};
    mach_msg_type_number_t descriptor_count = EXEC_PORTS_MAX, kind_count = EXEC_PORTS_MAX, port_count = EXEC_PORTS_MAX;
    MACH_TRY(exec_startup_get_info(bootstrap.name(), &entry, &phdr, &phdr_size, &stack_base, &stack_size, &flags,
                                   descriptors, &descriptor_count, s.kinds, &kind_count, ports, &port_count),
             "asking exec for the start-up ports (exec_startup_get_info)");
    // Counts larger than the buffers cannot come from exec (the interface bounds them): keep what fits.
    descriptor_count = descriptor_count < EXEC_PORTS_MAX ? descriptor_count : EXEC_PORTS_MAX;
    port_count = port_count < EXEC_PORTS_MAX ? port_count : EXEC_PORTS_MAX;
    for (size_t i = 0; i < descriptor_count; ++i)
        s.descriptors[i] = mach::SendRight::adopt(descriptors[i]);
    for (size_t i = kind_count; i < EXEC_PORTS_MAX; ++i)
        s.kinds[i] = EXEC_DESC_NONE;
    for (size_t i = 0; i < port_count; ++i)
        s.ports[i] = mach::SendRight::adopt(ports[i]);
    s.descriptor_count = descriptor_count;
    s.port_count = port_count;
    s.entry = entry;
    s.stack_base = stack_base;
    s.stack_size = stack_size;
    s.flags = flags;
    return s;
}

void exit(int status)
{
    auto bootstrap = bootstrap_port();
    if (!bootstrap.is_error())
        (void)exec_startup_exit(bootstrap.value().name(), status);
    mach::exit_task(status);
}

} // namespace exec
