// A program's side of exec_startup.defs: its start-up information and its end.
#include "execclient/client.h"
#include "runtime/runtime.h"

extern "C" {
#include "exec_startup_U.h"
}

namespace execclient {

static base::Result<runtime::SendRight> bootstrap_port()
{
    mach_port_t port = MACH_PORT_NULL;
    MACH_TRY(task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &port), "reading the bootstrap port");
    if (!MACH_PORT_VALID(port))
        return base::Error(KERN_INVALID_CAPABILITY, "this task has no bootstrap port: exec did not start it");
    return runtime::SendRight::adopt(port);
}

// An array of rights the reply carried: at most EXEC_PORTS_MAX of them become `out`; any more
// (exec never sends more) are released, and memory MIG allocated for the array is freed.
static size_t take_rights(mach_port_t* buffer, mach_port_t* data, mach_msg_type_number_t count, runtime::SendRight* out)
{
    for (size_t i = 0; i < count; ++i) {
        if (i < EXEC_PORTS_MAX)
            out[i] = runtime::SendRight::adopt(data[i]);
        else if (MACH_PORT_VALID(data[i]))
            mach_port_deallocate(mach_task_self(), data[i]);
    }
    if (data != buffer)
        vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(data), count * sizeof(mach_port_t));
    return count < EXEC_PORTS_MAX ? count : EXEC_PORTS_MAX;
}

base::Result<Startup> startup()
{
    auto bootstrap = TRY(bootstrap_port());
    Startup s;
    vm_address_t entry = 0, phdr = 0, stack_base = 0;
    vm_size_t phdr_size = 0, stack_size = 0;
    int flags = 0;
    mach_port_t descriptor_buffer[EXEC_PORTS_MAX] = {};
    mach_port_t port_buffer[EXEC_PORTS_MAX] = {};
    int kind_buffer[EXEC_PORTS_MAX] = {};
    mach_port_t* descriptors = descriptor_buffer;
    mach_port_t* ports = port_buffer;
    int* kinds = kind_buffer;
    mach_msg_type_number_t descriptor_count = EXEC_PORTS_MAX, kind_count = EXEC_PORTS_MAX, port_count = EXEC_PORTS_MAX;
    MACH_TRY(exec_startup_get_info(bootstrap.name(), &entry, &phdr, &phdr_size, &stack_base, &stack_size, &flags,
                 &descriptors, &descriptor_count, &kinds, &kind_count, &ports, &port_count),
        "asking exec for the start-up ports (exec_startup_get_info)");
    s.descriptor_count = take_rights(descriptor_buffer, descriptors, descriptor_count, s.descriptors);
    s.port_count = take_rights(port_buffer, ports, port_count, s.ports);
    for (size_t i = 0; i < s.descriptor_count; ++i)
        s.kinds[i] = i < kind_count ? kinds[i] : EXEC_DESC_NONE;
    if (kinds != kind_buffer)
        vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(kinds), kind_count * sizeof(int));
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
    runtime::exit_task(status);
}

} // namespace execclient
