// Power-off with a status.
#include "runtime/power.h"

#include "runtime/console.h"
#include "runtime/io.h"
#include "runtime/runtime.h"

namespace runtime {

static constexpr unsigned short debug_exit_port = 0xf4;
static constexpr int rb_halt = 0x8; // RB_HALT of the BSD reboot flags GNU Mach uses

static PowerOffMethod method = nullptr;

void set_power_off_method(PowerOffMethod m)
{
    method = m;
}

[[noreturn]] void power_off(int status)
{
    auto& ports = privileged_ports();
    println("boot: power-off by {} with status {}", program_name(), status);
    console().flush();
    if (MACH_PORT_VALID(ports.device_master) && !request_io_ports(debug_exit_port, debug_exit_port + 3).is_error())
        out8(debug_exit_port, static_cast<unsigned char>(status));
    // Still here: QEMU has no test device (or this is a real machine).
    if (method)
        method();
    if (MACH_PORT_VALID(ports.host_priv))
        host_reboot(ports.host_priv, rb_halt);
    // Without either, ending the task is the one signal left: the link above is told of its
    // death and powers off in its place.
    report("cannot power off: no I/O permission for port {:#x} and no host port; ending the task", debug_exit_port);
    exit_task(status);
}

} // namespace runtime
