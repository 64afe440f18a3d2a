// init: the first program, started by exec. It runs /etc/rc with the shell (/bin/sh /etc/rc),
// prints the boot profile (the chain's stages in milliseconds and each server's resident
// memory), then either ends with rc's status, and exec powers the machine off with it, or,
// when someone types on the console, prints /etc/motd and runs the shell on the console
// (/bin/sh -i) and ends with the shell's status.
//
// Whether someone types: the host knows (the runner's stdin is a terminal), the guest cannot
// tell a serial line with a person on it from one without. So the host says it with a word
// of the kernel's command line, which exec passes on to init in its environment as GNU Mach
// does for a single boot module (MULTIBOOT_CMDLINE=...):
//   bootchain.interactive=1   run the shell on the console after /etc/rc
//   bootchain.interactive=0   (or no word at all) end after /etc/rc
// init's own arguments --interactive / --no-interactive, or BOOTCHAIN_INTERACTIVE=1|0 in its
// environment, say the same and come first.
#include "execclient/client.h"
#include "program/program.h"
#include "runtime/clock.h"

extern "C" {
#include "boot_profile_U.h"
}

namespace {

using base::StringView;

enum class Mode { Batch, Interactive };

struct Decision {
    Mode mode = Mode::Batch;
    const char* why = "no bootchain.interactive word on the kernel's command line";
};

// The value of "NAME=VALUE" among the blank-separated words of text.
bool find_word(StringView text, StringView name, StringView& value)
{
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
            ++i;
        size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t')
            ++i;
        StringView word = text.substr(start, i - start);
        if (word.size() > name.size() && word[name.size()] == '=' && word.starts_with(name)) {
            value = word.substr(name.size() + 1);
            return true;
        }
    }
    return false;
}

Decision decide(int argc, char** argv)
{
    Decision d;
    auto& self = program::self();
    for (int i = 1; i < argc; ++i) {
        if (StringView(argv[i]) == "--interactive")
            return { Mode::Interactive, "--interactive" };
        if (StringView(argv[i]) == "--no-interactive")
            return { Mode::Batch, "--no-interactive" };
    }
    bool found = false;
    StringView value = self.env("BOOTCHAIN_INTERACTIVE", &found);
    if (found)
        return value == "1" ? Decision { Mode::Interactive, "BOOTCHAIN_INTERACTIVE=1" }
                            : Decision { Mode::Batch, "BOOTCHAIN_INTERACTIVE is not 1" };
    StringView cmdline = self.env("MULTIBOOT_CMDLINE", &found);
    if (found && find_word(cmdline, "bootchain.interactive", value))
        return value == "1" ? Decision { Mode::Interactive, "bootchain.interactive=1 on the kernel's command line" }
                            : Decision { Mode::Batch, "bootchain.interactive is not 1 on the kernel's command line" };
    if (!found)
        d.why = "exec passed no kernel command line (MULTIBOOT_CMDLINE)";
    return d;
}

// Runs a program with the starting ports init has, on the console, and waits for its end.
base::Result<execclient::Ended> run(StringView path, const StringView* argv, size_t argc)
{
    auto& self = program::self();
    static const StringView environment[] = { "HOME=/", "PATH=/bin:/sbin" };
    execclient::Spawn spawn;
    spawn.argv = argv;
    spawn.argc = argc;
    spawn.envp = environment;
    spawn.envc = sizeof environment / sizeof environment[0];
    spawn.ports[EXEC_PORT_CRDIR] = self.root().port();
    spawn.ports[EXEC_PORT_CWDIR] = self.root().port();
    spawn.ports[EXEC_PORT_CONSOLE] = self.console();
    spawn.ports[EXEC_PORT_EXEC] = self.exec_server();
    spawn.ports[EXEC_PORT_DEVICE_MASTER] = self.device_master();
    spawn.ports[EXEC_PORT_HOST_PRIV] = self.host_priv();
    (void)program::out().flush();
    auto process = TRY(execclient::run(self.exec_server(), MACH_PORT_NULL, path, spawn));
    return process.wait();
}

// A status from a shell's end, with a sentence when it did not simply exit.
int status_of(StringView what, const execclient::Ended& ended)
{
    if (ended.how == EXEC_END_EXIT)
        return ended.status;
    if (ended.how == EXEC_END_CRASH)
        program::println("init: {} crashed (Mach exception {})", what, ended.status);
    else
        program::println("init: {} was killed", what);
    return 128 + (ended.status & 0x7f);
}

uint32_t resident_kib()
{
    struct task_basic_info info { };
    mach_msg_type_number_t count = TASK_BASIC_INFO_COUNT;
    if (task_info(mach_task_self(), TASK_BASIC_INFO, reinterpret_cast<task_info_t>(&info), &count) != KERN_SUCCESS)
        return 0;
    return static_cast<uint32_t>(info.resident_size / 1024);
}

struct Stage {
    StringView name;
    uint64_t at_ms;
};

// The table of the boot's stages: the chain's links (boot_profile_get on the device master,
// which is the port of the last link that gave it) and init's own.
void print_profile(uint64_t init_started, const Stage* own, size_t own_count)
{
    boot_profile_entry_t entries[16] = {};
    mach_msg_type_number_t count = 16;
    kern_return_t kr = KERN_INVALID_CAPABILITY;
    if (MACH_PORT_VALID(program::self().device_master()))
        kr = boot_profile_get(program::self().device_master(), entries, &count);
    if (kr != KERN_SUCCESS)
        count = 0;
    program::println("init: boot profile (ms since the kernel started)");
    program::println("  {:<22} {:8} {:8} {:10} {:10}", "stage", "at", "+ms", "started", "resident");
    uint64_t previous = 0;
    bool exec_seen = false;
    for (mach_msg_type_number_t i = 0; i < count && i < 16; ++i) {
        const auto& e = entries[i];
        size_t n = 0;
        while (n < sizeof e.name && e.name[n])
            ++n;
        StringView name(e.name, n);
        exec_seen = exec_seen || name == "exec";
        auto stage = base::formatted<40>("{} {}", name, name == "ext2fs" ? "mounted" : "ready");
        uint64_t at = e.ready_ms;
        auto resident = base::formatted<16>("{} KiB", e.resident_kib);
        if (e.restarts)
            program::println("  {:<22} {:8} {:8} {:10} {:10} restarted {} {}", stage.view(), at,
                at >= previous ? at - previous : 0, e.started_ms, resident.view(), e.restarts,
                e.restarts == 1 ? "time" : "times");
        else
            program::println("  {:<22} {:8} {:8} {:10} {:10}", stage.view(), at, at >= previous ? at - previous : 0,
                e.started_ms, resident.view());
        previous = at;
    }
    if (kr != KERN_SUCCESS)
        program::println(
            "  (the chain's stages are missing: boot_profile_get on the device master: {})", program::ErrorText { kr });
    else if (!exec_seen)
        program::println("  (exec's own stage is missing: init's device master is not exec's link port)");
    auto resident = base::formatted<16>("{} KiB", resident_kib());
    program::println("  {:<22} {:8} {:8} {:10} {:10}", "init started", init_started,
        init_started >= previous ? init_started - previous : 0, init_started, resident.view());
    previous = init_started;
    for (size_t i = 0; i < own_count; ++i) {
        program::println(
            "  {:<22} {:8} {:8}", own[i].name, own[i].at_ms, own[i].at_ms >= previous ? own[i].at_ms - previous : 0);
        previous = own[i].at_ms;
    }
    (void)program::out().flush();
}

void print_motd()
{
    auto motd = program::self().root().lookup("etc/motd", FS_LOOKUP_READ);
    if (motd.is_error())
        return;
    auto text = motd.value().read_all(64 * 1024);
    if (text.is_error())
        return;
    program::out().write(reinterpret_cast<const char*>(text.value().data()), text.value().size());
    (void)program::out().flush();
}

} // namespace

int program_main(int argc, char** argv)
{
    uint64_t started = runtime::uptime_ms();
    auto& self = program::self();
    if (!MACH_PORT_VALID(self.exec_server()) || !self.root().valid()) {
        program::complain("exec gave no exec server or no root directory: nothing to run");
        return 1;
    }
    Decision decision = decide(argc, argv);
    program::println("init: started at {} ms; {} ({})", started,
        decision.mode == Mode::Interactive ? "a shell on the console after /etc/rc" : "power-off after /etc/rc",
        decision.why);

    int rc_status = 0;
    int rc_missing = 0;
    if (auto rc = self.root().lookup("etc/rc", FS_LOOKUP_READ); rc.is_error())
        rc_missing = rc.error().code();
    if (rc_missing) {
        program::println("init: no /etc/rc ({})", program::ErrorText { rc_missing });
    } else {
        const StringView argv_rc[] = { "sh", "/etc/rc" };
        auto ended = run("/bin/sh", argv_rc, 2);
        if (ended.is_error()) {
            program::println("init: cannot run /bin/sh /etc/rc: {}", program::ErrorText { ended.error().code() });
            rc_status = 127;
        } else {
            rc_status = status_of("/bin/sh /etc/rc", ended.value());
        }
    }
    uint64_t rc_done = runtime::uptime_ms();
    if (rc_status & program::reboot_request) {
        program::println("init: /etc/rc asked for a reboot");
        return program::reboot_request;
    }
    if (rc_status & program::poweroff_request) {
        int status = rc_status & 0xff;
        program::println("init: /etc/rc asked for power-off with status {}", status);
        return status;
    }

    if (decision.mode == Mode::Batch) {
        const Stage stages[] = { { "/etc/rc done", rc_done } };
        print_profile(started, stages, 1);
        program::println("init: /etc/rc ended with status {}", rc_status & 0xff);
        return rc_status & 0xff;
    }

    print_motd();
    const Stage stages[] = { { "/etc/rc done", rc_done }, { "first prompt", runtime::uptime_ms() } };
    print_profile(started, stages, 2);
    // The shell again when it crashes (a few times); its exit or poweroff ends init.
    for (int attempt = 0; attempt < 3; ++attempt) {
        const StringView argv_sh[] = { "sh", "-i" };
        auto ended = run("/bin/sh", argv_sh, 2);
        if (ended.is_error()) {
            program::println("init: cannot run /bin/sh: {}", program::ErrorText { ended.error().code() });
            return 127;
        }
        if (ended.value().how == EXEC_END_EXIT) {
            if (ended.value().status & program::reboot_request) {
                program::println("init: the shell asked for a reboot");
                return program::reboot_request;
            }
            int status = ended.value().status & 0xff;
            if (ended.value().status & program::poweroff_request)
                program::println("init: the shell asked for power-off with status {}", status);
            else
                program::println("init: the shell ended with status {}", status);
            return status;
        }
        (void)status_of("/bin/sh -i", ended.value());
    }
    program::println("init: the shell keeps failing; giving up");
    return 1;
}
