// Power-off with a status.
#include "runtime/power.h"

#include "runtime/console.h"
#include "runtime/io.h"
#include "runtime/msg.h"
#include "runtime/runtime.h"

namespace mach {

static constexpr unsigned short debug_exit_port = 0xf4;
static constexpr int rb_halt = 0x8; // RB_HALT of the BSD reboot flags GNU Mach uses

[[noreturn]] void power_off(int status)
{
    auto& ports = privileged_ports();
    println("boot: power-off by {} with status {}", program_name(), status);
    console().flush();
    if (MACH_PORT_VALID(ports.device_master) && !request_io_ports(debug_exit_port, debug_exit_port + 3).is_error())
        out8(debug_exit_port, static_cast<unsigned char>(status));
    if (MACH_PORT_VALID(ports.host_priv))
        host_reboot(ports.host_priv, rb_halt);
    report("cannot power off: no I/O permission for port {:#x} and no host port", debug_exit_port);
    for (;;)
        sleep_ms(1000000);
}

} // namespace mach
