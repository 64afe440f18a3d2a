// crash: a broken link for the chain's tests. Started by a link of the chain, it dies at once,
// in the way its argument says, before it has asked its bootstrap port for anything:
//   --how=fault   touches address 0 (an EXC_BAD_ACCESS the link above must report)
//   --how=exit    ends its task (a death the link above must report)
#include "base/string_view.h"
#include "runtime/runtime.h"

int module_main(int argc, char** argv)
{
    base::StringView how = argc > 1 ? base::StringView(argv[1]) : base::StringView("--how=fault");
    if (how == "--how=exit")
        runtime::exit_task(3);
    *reinterpret_cast<volatile int*>(0) = 1;
    return 0;
}
