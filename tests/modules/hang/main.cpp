// hang: prints a line, then one line a second forever, so the runner's tests can check that
// output streams while the guest runs and that the timeout stops it.
#include "base/options.h"
#include "runtime/console.h"
#include "runtime/msg.h"
#include "runtime/runtime.h"

int module_main(int argc, char** argv)
{
    unsigned long long device = 0;
    base::OptionParser options("hang");
    options.add_number("device-master-port", device, "the device master port");
    auto parsed = options.parse(argc, argv);
    (void)runtime::console().open(static_cast<mach_port_t>(device)).is_error();
    if (parsed.is_error())
        runtime::report("{}", options.error_message());
    runtime::report("waiting forever");
    for (unsigned long long tick = 1;; ++tick) {
        runtime::sleep_ms(1000);
        runtime::report("tick {}", tick);
    }
}
