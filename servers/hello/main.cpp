#include "runtime/clock.h"
#include "runtime/console.h"
#include "runtime/power.h"
#include "base/options.h"

int module_main(int argc, char** argv)
{
    unsigned long long host = 0, dev = 0;
    base::OptionParser p("hello");
    p.add_number("host-priv-port", host, "host");
    p.add_number("device-master-port", dev, "dev");
    auto r = p.parse(argc, argv);
    mach::privileged_ports().host_priv = host;
    mach::privileged_ports().device_master = dev;
    (void)mach::console().open(dev).is_error();
    if (r.is_error())
        mach::report("{}", p.error_message());
    mach::println("hello from {} argc={} uptime={} ms {}", argv[0], argc, mach::uptime_ms(), base::Status{15});
    mach::power_off(5);
}
