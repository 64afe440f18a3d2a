// ext2fs, the root filesystem server: in this step of the project it takes its part of the
// hand-off only. It opens its disk through the device master it got from its bootstrap port
// (rumpdisk), and hands its own port to exec (--exec-server-task, or --next-task).
#include "base/options.h"
#include "chain/link.h"
#include "runtime/console.h"

int module_main(int argc, char** argv)
{
    base::OptionParser options("ext2fs");
    base::StringView command_line;
    options.add_text("multiboot-command-line", command_line, "the kernel's command line (root=...)");
    auto& link = chain::link();
    auto started = link.start(argc, argv, {"ext2fs", "exec-server-task"}, options);
    if (started.is_error())
        link.fail("{}", started.error());
    if (options.positional_count() > 1)
        link.fail("more than one root device given ('{}' and '{}')", options.positional(0), options.positional(1));
    if (link.has_upstream())
        link.note_bootstrap_use("disk");
    link.run();
}
