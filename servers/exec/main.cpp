// exec, the last server of the chain: it reaches the root filesystem through its bootstrap
// port (ext2fs's fsys_getroot), serves exec.defs (run a program from the filesystem in a new
// task) and exec_startup.defs (a new program's start-up ports and its exit), and starts the
// first program, /sbin/init, once it serves. When init ends, exec puts the filesystem away
// and powers the machine off with init's exit status (0-127; 64 + the exception type when
// init crashed, 64 when it ended without a status); when init cannot be started, it says why
// and powers off with status 1.
//
//   exec [--init=PATH] [--multiboot-command-line=TEXT]
// init's path: --init, else init=PATH on the kernel's command line, else /sbin/init.
#include "base/options.h"
#include "chain/link.h"
#include "exec.h"
#include "fsclient/status.h"
#include "runtime/console.h"
#include "runtime/runtime.h"

namespace exec {
boolean_t demux(mach_msg_header_t* request, mach_msg_header_t* reply);
}

namespace {

// The console device again, for the programs: their descriptors and EXEC_PORT_CONSOLE.
base::Result<runtime::SendRight> open_console()
{
    mach_port_t device = MACH_PORT_NULL;
    char name[] = "console";
    MACH_TRY(device_open(runtime::privileged_ports().device_master, D_READ | D_WRITE, name, &device),
        "opening the console for programs");
    return runtime::SendRight::adopt(device);
}

} // namespace

int module_main(int argc, char** argv)
{
    base::OptionParser options("exec");
    base::StringView init_path = "/sbin/init";
    options.add_text("init", init_path, "the first program to run (default /sbin/init)");
    base::StringView kernel_command_line;
    options.add_text("multiboot-command-line", kernel_command_line,
        "the kernel's command line ('${kernel-command-line}'), for init's environment");
    auto& link = chain::link();
    // exec's demux comes first: the chain's serves every other port of the link.
    link.server().add_demux(exec::demux);
    // The link above is the root filesystem: every failure from here on puts it away first.
    auto started = link.start(argc, argv, { "exec", {}, chain::Upstream::Filesystem }, options);
    if (started.is_error())
        link.fail("{}", started.error());
    if (!link.has_upstream())
        link.fail("no filesystem: exec must be started by the root filesystem's link (its bootstrap port)");

    // Root's identity and write access: init's root (exec_types.h), and what the programs'
    // default roots are restricted from.
    auto root = fsclient::root_from(link.upstream(), FS_LOOKUP_READ | FS_LOOKUP_WRITE, fsclient::root_identity());
    if (root.is_error())
        link.fail("cannot reach the root filesystem (fsys_getroot): {}", fsclient::ErrorText { root.error() });
    link.note_bootstrap_use("fs");
    auto console = open_console();
    if (console.is_error())
        link.fail("{}", console.error());
    static exec::Exec e;
    auto ready = e.init(runtime::SendRight::adopt(root.value().release()), console.release_value());
    if (ready.is_error())
        link.fail("{}", ready.error());

    // init= on the kernel's command line names init, unless exec's own --init does.
    if (!options.seen("init")) {
        base::StringView line = kernel_command_line;
        while (!line.empty()) {
            size_t end = line.find(' ');
            base::StringView word = line.substr(0, end);
            if (word.starts_with("init=") && word.size() > 5)
                init_path = word.substr(5);
            line = line.substr(end < line.size() ? end + 1 : line.size());
        }
    }
    // init starts once exec serves: its start is exec's first request.
    auto first = e.start_init_when_ready(init_path, kernel_command_line);
    if (first.is_error())
        link.fail("{}", first.error());
    // Several threads serve, so that a client that does not answer holds only its own.
    auto threads = link.server().serve_with_threads(exec::serving_threads, exec::serving_threads_max);
    if (threads.is_error())
        link.fail("{}", threads.error());
    link.run();
}
