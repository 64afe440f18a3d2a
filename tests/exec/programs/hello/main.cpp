// hello: a program the exec tests run. It prints its argv and envp, checks what exec told it
// at start-up against what it sees (the stack it runs on, its entry point, the descriptors
// and ports), and ends as its arguments say:
//   --status=N  exits with N through exec_startup_exit (default 0)
//   --crash     touches address 0 (exec reports the crash; the starter sees EXEC_END_CRASH)
//   --vanish    ends its task without telling exec a status (EXEC_END_KILLED)
//   --wait      waits forever (for a starter that ends it)
//   --cat=PATH  prints the file at PATH, looked up from its current directory
//   --auth      prints the identity of its root directory port and whether it may create there
//   --quiet     prints nothing but failures
//   --pause=MS  sleeps MS milliseconds first
//   --run=PATH  runs PATH (as "hello --quiet --status=12") through its own exec port, waits
//               for it and exits with its status (101: exec refused it; 102: the wait failed)
// A hello whose argv[0] ends with "crash-on-start" crashes (a broken init for the tests).
#include "base/options.h"
#include "fsclient/client.h"
#include "fsclient/status.h"
#include "program_io.h"
#include "runtime/msg.h"
#include "runtime/runtime.h"

using test_program::say;

extern "C" void _start();

namespace {

bool check_startup(const execclient::Startup& s)
{
    bool ok = true;
    int here = 0;
    auto stack = reinterpret_cast<uint64_t>(&here);
    if (!(s.flags & EXEC_FLAG_STACK_ARGS)) {
        say("FAIL: flags {:#x} lack EXEC_FLAG_STACK_ARGS", s.flags);
        ok = false;
    }
    if (stack < s.stack_base || stack >= s.stack_base + s.stack_size) {
        say("FAIL: the stack {:#x} is not in [{:#x}, +{:#x})", stack, s.stack_base, s.stack_size);
        ok = false;
    }
    if (s.entry != reinterpret_cast<uint64_t>(&_start)) {
        say("FAIL: entry {:#x} is not _start {:#x}", s.entry, reinterpret_cast<uint64_t>(&_start));
        ok = false;
    }
    for (size_t i : { EXEC_PORT_CRDIR, EXEC_PORT_CWDIR, EXEC_PORT_CONSOLE, EXEC_PORT_EXEC }) {
        if (!MACH_PORT_VALID(s.port(i))) {
            say("FAIL: no start-up port {}", i);
            ok = false;
        }
    }
    if (s.descriptor_count < 3) {
        say("FAIL: {} descriptors", s.descriptor_count);
        ok = false;
    }
    return ok;
}

} // namespace

int module_main(int argc, char** argv)
{
    if (!test_program::begin("hello"))
        execclient::exit(120);
    unsigned long long status = 0;
    bool crash = false, vanish = false, wait = false, quiet = false, auth = false;
    base::StringView cat;
    base::StringView run;
    unsigned long long pause = 0;
    // argv as the program got it, before the parser looks at it.
    char** envp = argv + argc + 1;
    for (int i = 1; i < argc; ++i)
        if (base::StringView(argv[i]) == "--quiet")
            quiet = true;
    if (!quiet) {
        say("argc={}", argc);
        for (int i = 0; i < argc; ++i)
            say("argv[{}]=<{}>", i, argv[i]);
        for (int i = 0; envp[i]; ++i)
            say("envp[{}]=<{}>", i, envp[i]);
    }
    base::OptionParser options("hello");
    options.add_number("status", status, "exit status");
    options.add_flag("crash", crash, "touch address 0");
    options.add_flag("vanish", vanish, "end without an exit status");
    options.add_flag("wait", wait, "wait forever");
    options.add_flag("quiet", quiet, "print nothing but failures");
    options.add_text("cat", cat, "print this file");
    options.add_text("run", run, "run this program and exit with its status");
    options.add_number("pause", pause, "sleep this long first (ms)");
    options.add_flag("auth", auth, "print the root's identity and whether it may create there");
    // Unknown words are the test's arguments to print, not errors.
    (void)options.parse(argc, argv);
    // Started as init (argv is its path alone), it crashes when its name says so.
    base::StringView self = argc > 0 ? base::StringView(argv[0]) : base::StringView();
    base::StringView crash_name = "crash-on-start";
    if (self.size() >= crash_name.size() && self.substr(self.size() - crash_name.size()) == crash_name)
        crash = true;

    if (pause)
        runtime::sleep_ms(static_cast<unsigned>(pause));
    const auto& s = test_program::startup();
    bool ok = check_startup(s);
    if (!quiet)
        say("startup {}: {} descriptors (kinds {} {} {}), {} ports", ok ? "ok" : "BAD", s.descriptor_count, s.kinds[0],
            s.kinds[1], s.kinds[2], s.port_count);
    if (!cat.empty()) {
        fsclient::Node cwd = fsclient::Node::adopt(s.port(EXEC_PORT_CWDIR));
        auto file = cwd.lookup(cat);
        cwd.release();
        if (file.is_error()) {
            say("cat {}: {}", cat, fsclient::ErrorText { file.error() });
        } else {
            char buffer[512];
            auto n = file.value().read(0, buffer, sizeof buffer - 1);
            if (!n.is_error()) {
                buffer[n.value()] = 0;
                say("cat {}: {}", cat, buffer);
            }
        }
    }
    if (!run.empty()) {
        base::StringView words[] = { "hello", "--quiet", "--status=12" };
        execclient::Spawn spawn;
        spawn.argv = words;
        spawn.argc = 3;
        auto child = execclient::run(s.port(EXEC_PORT_EXEC), MACH_PORT_NULL, run, spawn);
        if (child.is_error()) {
            say("run {}: {}", run,
                execclient::error_name(child.error().code()) ? execclient::error_name(child.error().code()) : "?");
            test_program::out().flush();
            execclient::exit(101);
        }
        auto ended = child.value().wait();
        test_program::out().flush();
        execclient::exit(ended.is_error() ? 102 : ended.value().status);
    }
    if (auth) {
        fsclient::Node root = fsclient::Node::adopt(s.port(EXEC_PORT_CRDIR));
        auto id = root.auth();
        if (id.is_error())
            say("auth: {}", fsclient::ErrorText { id.error() });
        else
            say("auth: root uid {} gid {}", id.value().uid_count ? id.value().uids[0] : ~0u,
                id.value().gid_count ? id.value().gids[0] : ~0u);
        auto made = root.lookup("hello-auth-probe", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_CREATE, 0644);
        const char* answer = made.is_error() ? fsclient::error_name(made.error().code()) : "ok";
        say("auth: create {}", answer ? answer : "an unknown code");
        root.release();
    }
    test_program::out().flush();
    if (crash)
        *reinterpret_cast<volatile int*>(0) = 1;
    if (vanish)
        runtime::exit_task(0);
    // --wait never ends by itself: the test ends the task.
    while (wait) // NOLINT(bugprone-infinite-loop)
        runtime::sleep_ms(1000);
    execclient::exit(static_cast<int>(status));
}
