// exec, the last server of the chain: it reaches the root filesystem through its bootstrap
// port (ext2fs). Until exec runs programs (a later step of the project), it powers the
// machine off with status 0 once it is up, so that a boot ends by itself.
#include "base/options.h"
#include "chain/link.h"
#include "runtime/console.h"
#include "runtime/power.h"

int module_main(int argc, char** argv)
{
    base::OptionParser options("exec");
    auto& link = chain::link();
    auto started = link.start(argc, argv, {"exec", {}}, options);
    if (started.is_error())
        link.fail("{}", started.error());
    link.note_bootstrap_use("fs");
    mach::println("boot: exec ready");
    mach::power_off(0);
}
