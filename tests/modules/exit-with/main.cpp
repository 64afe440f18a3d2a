// exit-with: ends the machine in the way its options say, so the runner's tests can check
// how each ending is reported.
//   --status=N   power off with status N through isa-debug-exit (the default, with 0)
//   --echo=TEXT  first print "exit-with: echo: TEXT" (e.g. a boot-script variable's value)
//   --reboot     reboot through host_reboot instead: the guest chooses no status
//   --halt       halt through host_reboot instead: the kernel stops, QEMU keeps running
#include "base/options.h"
#include "runtime/console.h"
#include "runtime/power.h"
#include "runtime/runtime.h"

int module_main(int argc, char** argv)
{
    unsigned long long host = 0, device = 0, status = 0;
    base::StringView echo;
    bool reboot = false, halt = false;
    base::OptionParser options("exit-with");
    options.add_number("host-priv-port", host, "the privileged host port");
    options.add_number("device-master-port", device, "the device master port");
    options.add_number("status", status, "the status to power off with");
    options.add_text("echo", echo, "a text to print first");
    options.add_flag("reboot", reboot, "reboot without a status");
    options.add_flag("halt", halt, "halt without a status");
    auto parsed = options.parse(argc, argv);

    auto& ports = runtime::privileged_ports();
    ports.host_priv = static_cast<mach_port_t>(host);
    ports.device_master = static_cast<mach_port_t>(device);
    (void)runtime::console().open(ports.device_master).is_error();
    if (parsed.is_error()) {
        runtime::report("{}", options.error_message());
        runtime::power_off(100);
    }
    if (options.seen("echo"))
        runtime::report("echo: {}", echo);
    if (reboot || halt) {
        // RB_HALT (0x8) of the BSD reboot flags GNU Mach uses; 0 reboots.
        runtime::report("{}", halt ? "halting" : "rebooting");
        runtime::console().flush();
        host_reboot(ports.host_priv, halt ? 0x8 : 0);
        runtime::report("host_reboot returned");
    }
    runtime::power_off(static_cast<int>(status));
}
