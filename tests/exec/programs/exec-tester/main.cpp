// exec-tester: the exec tests' init (exec --init=/bin/exec-tester). It asks exec to run
// programs from the test disk, good and bad, and checks each answer: the error code of every
// bad program, the exit status, crash or kill of the good ones, the descriptors and ports they
// get, exec's bounds (the table of programs, argument sizes) and that exec goes on serving
// after each failure. It ends with "exec-tester: N checks, M failed" and exits with 0 when
// none failed, which exec turns into the machine's power-off status.
#include "base/string_view.h"
#include "elf/error.h"
#include "fsclient/client.h"
#include "fsclient/status.h"
#include "program_io.h"
#include "runtime/clock.h"
#include "runtime/msg.h"

extern "C" {
#include "exec_U.h"
#include <mach/notify.h>
}

using test_program::say;

namespace {

unsigned g_checks = 0;
unsigned g_failed = 0;

void check(bool ok, base::StringView what)
{
    ++g_checks;
    if (ok) {
        say("PASS {}", what);
    } else {
        ++g_failed;
        say("FAIL {}", what);
    }
}

mach_port_t exec_port()
{
    return test_program::startup().port(EXEC_PORT_EXEC);
}

mach_port_t root_port()
{
    return test_program::startup().port(EXEC_PORT_CRDIR);
}

struct Args {
    base::StringView words[8];
    size_t count = 0;
    Args(std::initializer_list<base::StringView> list)
    {
        for (auto w : list)
            if (count < 8)
                words[count++] = w;
    }
};

execclient::Spawn spawn_of(const Args& argv)
{
    execclient::Spawn s;
    s.argv = argv.words;
    s.argc = argv.count;
    return s;
}

const char* name_of(int code)
{
    const char* n = execclient::error_name(code);
    return n ? n : "an unknown code";
}

// exec refuses the program with this code, and exec still serves afterwards.
void expect_refused(base::StringView path, int expected, base::StringView what)
{
    Args argv { path };
    auto r = execclient::run(exec_port(), MACH_PORT_NULL, path, spawn_of(argv));
    int code = r.is_error() ? r.error().code() : 0;
    base::BufferSink<200> line;
    base::format(line, "{} is refused with {} (got {}: {})", what, name_of(expected), name_of(code),
        execclient::error_text(code) ? execclient::error_text(code) : "-");
    check(code == expected, line.view());
}

// Runs path with argv and waits: how it ended.
base::Result<execclient::Ended> run_and_wait(mach_port_t dir, base::StringView path, const execclient::Spawn& spawn)
{
    auto p = TRY(execclient::run(exec_port(), dir, path, spawn));
    return p.wait();
}

void expect_end(base::StringView what, const base::Result<execclient::Ended>& ended, int how, int status)
{
    base::BufferSink<200> line;
    if (ended.is_error()) {
        base::format(line, "{}: {} ({})", what, name_of(ended.error().code()),
            ended.error().context() ? ended.error().context() : "");
        check(false, line.view());
        return;
    }
    base::format(line, "{} ends with how {} status {} (got how {} status {})", what, how, status, ended.value().how,
        ended.value().status);
    check(ended.value().how == how && ended.value().status == status, line.view());
}

void bad_programs()
{
    expect_refused("/bin/missing", FS_ENOENT, "a missing program");
    expect_refused("/etc/motd", FS_EACCES, "a file without an x bit (0644)");
    expect_refused("/bin/script", static_cast<int>(elf::Error::NotElf), "an executable text file");
    expect_refused("/bin/elf32", static_cast<int>(elf::Error::Elf32), "a 32-bit ELF");
    expect_refused("/bin/empty", static_cast<int>(elf::Error::NotElf), "an empty file");
    expect_refused(
        "/bin/truncated-header", static_cast<int>(elf::Error::TruncatedHeader), "an ELF cut inside its header");
    expect_refused(
        "/bin/truncated-segment", static_cast<int>(elf::Error::SegmentOutsideFile), "an ELF cut inside a segment");
    expect_refused("/bin/overlap", static_cast<int>(elf::Error::SegmentsOverlap), "overlapping segments");
    expect_refused(
        "/bin/kernel-space", static_cast<int>(elf::Error::SegmentOutsideUserSpace), "a segment in kernel space");
    expect_refused("/bin/in-stack", EXEC_E_STACK, "a segment in the stack's place");
    expect_refused("/bin/shared", static_cast<int>(elf::Error::SharedObject), "a shared object");
    expect_refused("/bin/aarch64", static_cast<int>(elf::Error::WrongMachine), "an ELF for another machine");
    expect_refused("/bin", EXEC_E_NOT_REGULAR, "a directory");
    expect_refused("/bin/missing-dir/hello", FS_ENOENT, "a path through a missing directory");
    expect_refused("/etc/motd/hello", FS_ENOTDIR, "a path through a file");
}

// Hostile program files: each refused from its headers, at once, with lib/elf's sentence.
void hostile_programs()
{
    struct Case {
        const char* path;
        elf::Error expected;
        const char* what;
    } cases[] = {
        { "/bin/huge", elf::Error::ImageTooLarge, "a PT_LOAD of 127 TiB" },
        { "/bin/huge-bss", elf::Error::ImageTooLarge, "a PT_LOAD of 4 KiB in the file and 64 TiB in memory" },
        { "/bin/huge-total", elf::Error::ImageTooLarge, "16 PT_LOADs of 80 MiB each" },
        { "/bin/overlap-large", elf::Error::SegmentsOverlap, "overlapping PT_LOADs of 500 MiB" },
        { "/bin/kernel-half", elf::Error::SegmentOutsideUserSpace, "a PT_LOAD in the kernel's half" },
        { "/bin/wraps", elf::Error::SegmentOutsideUserSpace, "a PT_LOAD whose end wraps around" },
    };
    for (const auto& c : cases) {
        uint64_t start = runtime::uptime_ms();
        expect_refused(c.path, static_cast<int>(c.expected), c.what);
        uint64_t took = runtime::uptime_ms() - start;
        base::BufferSink<160> line;
        base::format(line, "{} is refused within 2 s (took {} ms)", c.what, took);
        check(took < 2000, line.view());
    }
}

void good_programs()
{
    {
        Args argv { "hello", "two words", "", "--status=42" };
        auto s = spawn_of(argv);
        base::StringView env[] = { "HOME=/", "TERM=dumb" };
        s.envp = env;
        s.envc = 2;
        expect_end("hello with arguments and an environment", run_and_wait(MACH_PORT_NULL, "/bin/hello", s),
            EXEC_END_EXIT, 42);
    }
    {
        Args argv { "hello", "--status=3", "--cat=etc/motd" };
        expect_end("a relative path from the root directory", run_and_wait(root_port(), "bin/hello", spawn_of(argv)),
            EXEC_END_EXIT, 3);
    }
    {
        fsclient::Node root = fsclient::Node::adopt(root_port());
        auto data = root.lookup("data");
        root.release();
        check(!data.is_error(), "/data opens");
        if (!data.is_error()) {
            Args argv { "hello", "--status=4", "--cat=note.txt" };
            expect_end("a relative path from another directory, which becomes the current one",
                run_and_wait(data.value().port(), "../bin/hello", spawn_of(argv)), EXEC_END_EXIT, 4);
        }
    }
    {
        Args argv { "hello", "--status=5" };
        expect_end("a symlink to a program", run_and_wait(MACH_PORT_NULL, "/bin/hello-link", spawn_of(argv)),
            EXEC_END_EXIT, 5);
    }
    {
        fsclient::Node root = fsclient::Node::adopt(root_port());
        auto file = root.lookup("bin/hello");
        root.release();
        check(!file.is_error(), "/bin/hello opens");
        if (!file.is_error()) {
            Args argv { "hello", "--status=6" };
            auto p = execclient::run_file(exec_port(), file.value().port(), spawn_of(argv));
            expect_end("exec_exec on a file port",
                p.is_error() ? base::Result<execclient::Ended>(p.error()) : p.value().wait(), EXEC_END_EXIT, 6);
        }
    }
    {
        Args argv { "hello", "--crash" };
        expect_end(
            "a program that faults", run_and_wait(MACH_PORT_NULL, "/bin/hello", spawn_of(argv)), EXEC_END_CRASH, 1);
    }
    {
        Args argv { "hello", "--vanish" };
        expect_end("a program that ends without a status", run_and_wait(MACH_PORT_NULL, "/bin/hello", spawn_of(argv)),
            EXEC_END_KILLED, 0);
    }
    {
        Args argv { "hello", "--wait", "--quiet" };
        auto p = execclient::run(exec_port(), MACH_PORT_NULL, "/bin/hello", spawn_of(argv));
        check(!p.is_error(), "a waiting program starts");
        if (!p.is_error()) {
            runtime::sleep_ms(200);
            check(!p.value().kill().is_error(), "its starter ends it with task_terminate");
            auto first = p.value().wait();
            expect_end("a program ended by its starter", first, EXEC_END_KILLED, 0);
            expect_end("a second exec_wait on an ended program", p.value().wait(), EXEC_END_KILLED, 0);
        }
    }
}

void descriptors()
{
    fsclient::Node root = fsclient::Node::adopt(root_port());
    auto file = root.lookup("hello-output.txt", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_CREATE, 0644);
    root.release();
    check(!file.is_error(), "/hello-output.txt is created");
    if (file.is_error())
        return;
    Args argv { "hello", "--status=7", "to-a-file" };
    auto s = spawn_of(argv);
    auto console = test_program::startup().port(EXEC_PORT_CONSOLE);
    s.descriptors[0] = console;
    s.kinds[0] = EXEC_DESC_DEVICE;
    s.descriptors[1] = file.value().port();
    s.kinds[1] = EXEC_DESC_FILE;
    s.descriptors[2] = console;
    s.kinds[2] = EXEC_DESC_DEVICE;
    s.descriptor_count = 3;
    expect_end("a program whose output is a file", run_and_wait(MACH_PORT_NULL, "/bin/hello", s), EXEC_END_EXIT, 7);
    char text[1024];
    auto n = file.value().read(0, text, sizeof text - 1);
    if (n.is_error()) {
        check(false, "the file output reads back");
        return;
    }
    text[n.value()] = 0;
    base::StringView written(text, n.value());
    bool found = false;
    const char* wanted = "hello: argv[2]=<to-a-file>";
    for (size_t i = 0; i + 26 <= written.size(); ++i)
        if (written.substr(i, 26) == base::StringView(wanted))
            found = true;
    if (!found)
        say("the file holds {} bytes: {}", written.size(), written.substr(0, 120));
    check(found, "the program wrote its lines to its descriptor 1, the file");
}

// The identity a program gets (exec_types.h): hello --auth, its output into a file, says
// what its root port carries when its starter left the root null.
base::StringView run_auth(const fsclient::Node& root, mach_port_t cwd, mach_port_t directory, char (&text)[512])
{
    // A new port each time: the program writes at the port's own position.
    auto file
        = root.lookup("auth-output.txt", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_CREATE | FS_LOOKUP_TRUNC, 0644);
    if (file.is_error())
        return "no output file";
    fsclient::Node& output = file.value();
    Args argv { "hello", "--auth", "--quiet" };
    auto s = spawn_of(argv);
    auto console = test_program::startup().port(EXEC_PORT_CONSOLE);
    s.descriptors[0] = console;
    s.kinds[0] = EXEC_DESC_DEVICE;
    s.descriptors[1] = output.port();
    s.kinds[1] = EXEC_DESC_FILE;
    s.descriptors[2] = console;
    s.kinds[2] = EXEC_DESC_DEVICE;
    s.descriptor_count = 3;
    s.ports[EXEC_PORT_CWDIR] = cwd;
    auto ended = run_and_wait(directory, "/bin/hello", s);
    if (ended.is_error())
        return "not run";
    auto n = output.read(0, text, sizeof text - 1);
    size_t size = n.is_error() ? 0 : n.value();
    text[size] = 0;
    return base::StringView(text, size);
}

bool holds(base::StringView text, base::StringView wanted)
{
    for (size_t i = 0; i + wanted.size() <= text.size(); ++i)
        if (text.substr(i, wanted.size()) == wanted)
            return true;
    return false;
}

void identities()
{
    fsclient::Node root = fsclient::Node::adopt(root_port());
    auto restricted = root.restrict_auth(fsclient::identity_of(1000, 1000));
    auto own = root.lookup("", FS_LOOKUP_READ | FS_LOOKUP_WRITE);
    check(!restricted.is_error() && !own.is_error(), "a uid 1000 port and a writable root port of exec-tester's own");
    if (restricted.is_error() || own.is_error()) {
        root.release();
        return;
    }
    auto read_only = restricted.value().lookup("", FS_LOOKUP_READ);
    check(!read_only.is_error(), "the uid 1000 port opened again read-only");
    if (read_only.is_error()) {
        root.release();
        return;
    }
    char text[512];

    // A starter that restricted itself does not regain root's identity by leaving the root null.
    base::StringView out = run_auth(root, read_only.value().port(), MACH_PORT_NULL, text);
    if (!holds(out, "auth: root uid 1000 gid 1000") || !holds(out, "auth: create FS_EBADF"))
        say("hello said: {}", out);
    check(holds(out, "auth: root uid 1000 gid 1000") && holds(out, "auth: create FS_EBADF"),
        "a null root is exec's root as the starter's read-only uid 1000 cwd");
    out = run_auth(root, MACH_PORT_NULL, read_only.value().port(), text);
    check(holds(out, "auth: root uid 1000 gid 1000") && holds(out, "auth: create FS_EBADF"),
        "a null root is exec's root as the read-only uid 1000 directory of exec_exec_path");
    // Nothing to take an identity from: nobody's, read-only.
    out = run_auth(root, MACH_PORT_NULL, MACH_PORT_NULL, text);
    if (!holds(out, "auth: root uid 65534 gid 65534"))
        say("hello said: {}", out);
    check(holds(out, "auth: root uid 65534 gid 65534") && holds(out, "auth: create FS_EBADF"),
        "a request without directory ports gives nobody's read-only root");
    // A port not of the filesystem lends no identity either.
    out = run_auth(root, exec_port(), MACH_PORT_NULL, text);
    check(holds(out, "auth: root uid 65534 gid 65534"), "exec's own port as the cwd lends no identity");
    // A root starter's writable cwd gives a writable root's root.
    out = run_auth(root, own.value().port(), MACH_PORT_NULL, text);
    if (!holds(out, "auth: root uid 0 gid 0") || !holds(out, "auth: create ok"))
        say("hello said: {}", out);
    check(holds(out, "auth: root uid 0 gid 0") && holds(out, "auth: create ok"),
        "a root starter's writable cwd gives root's writable root");

    // An absolute path is looked up from the starter's root: a uid 1000 starter cannot start a
    // program it could not read itself (root's, mode 0700), root can.
    auto hello = root.lookup("bin/hello", FS_LOOKUP_READ | FS_LOOKUP_WRITE);
    check(!hello.is_error() && !hello.value().chmod(0700).is_error(), "/bin/hello made root's alone (0700)");
    Args argv { "hello", "--quiet" };
    auto s = spawn_of(argv);
    s.ports[EXEC_PORT_CWDIR] = read_only.value().port();
    auto refused = run_and_wait(MACH_PORT_NULL, "/bin/hello", s);
    check(refused.is_error() && refused.error().code() == FS_EACCES,
        "a uid 1000 starter is refused root's 0700 program by its absolute path (FS_EACCES)");
    s.ports[EXEC_PORT_CWDIR] = read_only.value().port();
    s.ports[EXEC_PORT_CRDIR] = read_only.value().port();
    auto refused_through_root = run_and_wait(MACH_PORT_NULL, "/bin/hello", s);
    check(refused_through_root.is_error() && refused_through_root.error().code() == FS_EACCES,
        "and through the uid 1000 root it gives (FS_EACCES)");
    auto as_root = spawn_of(argv);
    as_root.ports[EXEC_PORT_CWDIR] = own.value().port();
    auto allowed = run_and_wait(MACH_PORT_NULL, "/bin/hello", as_root);
    check(!allowed.is_error(), "a root starter starts it");
    if (!hello.is_error())
        (void)hello.value().chmod(0755);
    root.release();
}

void bounds()
{
    // exec's own bound on arguments, past the client library's check: the stub directly.
    static char big[EXEC_ARGS_MAX + 1024];
    for (size_t i = 0; i < sizeof big; ++i)
        big[i] = (i % 100 == 99) ? 0 : 'a';
    char path[] = "/bin/hello";
    mach_port_t task = MACH_PORT_NULL, process = MACH_PORT_NULL;
    mach_port_t ports[EXEC_PORT_COUNT] = {};
    kern_return_t r = exec_exec_path(exec_port(), MACH_PORT_NULL, path, 0, big, sizeof big, nullptr, 0, nullptr, 0,
        nullptr, 0, ports, EXEC_PORT_COUNT, &task, &process);
    base::BufferSink<120> line;
    base::format(line, "arguments over 64 KiB are refused with EXEC_E_ARGS (got {})", name_of(r));
    check(r == EXEC_E_ARGS, line.view());

    // Arguments just under the bound run.
    static char long_word[60 * 1024];
    for (size_t i = 0; i + 1 < sizeof long_word; ++i)
        long_word[i] = 'x';
    Args argv { "hello", "--quiet", "--status=8", base::StringView(long_word, sizeof long_word - 1) };
    expect_end("a 60 KiB argument", run_and_wait(MACH_PORT_NULL, "/bin/hello", spawn_of(argv)), EXEC_END_EXIT, 8);

    // exec is never made to ask its own ports for a file (it would wait for itself).
    {
        Args argv { "hello" };
        auto own_file = execclient::run_file(exec_port(), exec_port(), spawn_of(argv));
        int code = own_file.is_error() ? own_file.error().code() : 0;
        base::BufferSink<120> own;
        base::format(own, "exec's own port as the program file is FS_EXDEV (got {})", name_of(code));
        check(code == FS_EXDEV, own.view());
        auto own_dir = execclient::run(exec_port(), exec_port(), "bin/hello", spawn_of(argv));
        code = own_dir.is_error() ? own_dir.error().code() : 0;
        base::BufferSink<120> dir;
        base::format(dir, "exec's own port as the directory is FS_EXDEV (got {})", name_of(code));
        check(code == FS_EXDEV, dir.view());
    }

    // exec_wait on a port that is no process.
    int how = 0, status = 0;
    r = exec_wait(exec_port(), &how, &status);
    base::BufferSink<120> wait_line;
    base::format(wait_line, "exec_wait on exec's own port is EXEC_E_NO_PROCESS (got {})", name_of(r));
    check(r == EXEC_E_NO_PROCESS, wait_line.view());
}

mach_port_t new_port()
{
    mach_port_t port = MACH_PORT_NULL;
    if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port) != KERN_SUCCESS)
        return MACH_PORT_NULL;
    mach_port_insert_right(mach_task_self(), port, port, MACH_MSG_TYPE_MAKE_SEND);
    return port;
}

// The request messages a port of ours holds (exec's dir_lookups on it), received and counted:
// those whose reply right is still alive (exec still waits for the answer) and the others.
struct Asked {
    unsigned waiting = 0;
    unsigned given_up = 0;
};
Asked drain(mach_port_t port)
{
    Asked asked;
    for (;;) {
        alignas(16) static char buffer[8192];
        auto* m = reinterpret_cast<mach_msg_header_t*>(buffer);
        if (mach_msg(m, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof buffer, port, 0, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
            return asked;
        if (MACH_PORT_VALID(m->msgh_remote_port)) {
            ++asked.waiting;
            mach_port_deallocate(mach_task_self(), m->msgh_remote_port); // exec's call fails now
        } else {
            ++asked.given_up;
        }
    }
}

// exec is never stalled by a port a client hands it: a directory that never answers, and one
// whose queue is full, cost the request an error within exec's bound; a request sent while
// another waits on such a port is served at once, by another of exec's threads; a client has
// at most two requests in progress.
void stuck_clients()
{
    Args argv { "hello", "--quiet", "--status=11" };
    mach_port_t silent = new_port();
    {
        uint64_t start = runtime::uptime_ms();
        auto r = execclient::run(exec_port(), silent, "bin/hello", spawn_of(argv));
        uint64_t took = runtime::uptime_ms() - start;
        int code = r.is_error() ? r.error().code() : 0;
        base::BufferSink<200> line;
        base::format(line, "a directory that never answers is MACH_RCV_TIMED_OUT within 8 s (got {} after {} ms)",
            name_of(code), took);
        check(code == MACH_RCV_TIMED_OUT && took < 8000, line.view());
        mach_port_status_t status {};
        mach_port_get_receive_status(mach_task_self(), silent, &status);
        base::BufferSink<120> asked;
        base::format(asked, "exec asked that directory (its queue holds {} messages)", status.mps_msgcount);
        check(status.mps_msgcount == 1, asked.view());
        Asked gone = drain(silent);
        base::BufferSink<120> given_up;
        base::format(
            given_up, "and gave up on it (dir_lookups waited for: {}, given up: {})", gone.waiting, gone.given_up);
        check(gone.waiting == 0 && gone.given_up == 1, given_up.view());
    }
    {
        // The same request left with exec (this client stops waiting for its reply at once),
        // then another request: it is served while exec still waits on the directory.
        {
            runtime::ClientCallBound gone(1);
            (void)execclient::run(exec_port(), silent, "bin/hello", spawn_of(argv));
        }
        uint64_t start = runtime::uptime_ms();
        auto ended = run_and_wait(MACH_PORT_NULL, "/bin/hello", spawn_of(argv));
        uint64_t took = runtime::uptime_ms() - start;
        expect_end("a request sent while another waits on a silent directory", ended, EXEC_END_EXIT, 11);
        // A third request of this client while two are in progress (the stuck one, and a second
        // stuck one left the same way) is refused.
        {
            runtime::ClientCallBound gone(1);
            (void)execclient::run(exec_port(), silent, "bin/hello", spawn_of(argv));
        }
        auto third = execclient::run(exec_port(), MACH_PORT_NULL, "/bin/hello", spawn_of(argv));
        int code = third.is_error() ? third.error().code() : 0;
        base::BufferSink<160> busy;
        base::format(
            busy, "a third request while two wait on the client's port is EXEC_E_BUSY (got {})", name_of(code));
        check(code == EXEC_E_BUSY, busy.view());
        // Both dir_lookups are still waited for: the program above ran meanwhile, not after.
        Asked asked = drain(silent);
        base::BufferSink<200> line;
        base::format(line,
            "it was served while exec waited on the directory (took {} ms; dir_lookups waited for: {}, given up: {})",
            took, asked.waiting, asked.given_up);
        check(asked.waiting == 2 && asked.given_up == 0, line.view());
    }
    mach_port_destroy(mach_task_self(), silent);

    mach_port_t full = new_port();
    mach_port_set_qlimit(mach_task_self(), full, 1);
    mach_msg_header_t filler {};
    filler.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
    filler.msgh_size = sizeof filler;
    filler.msgh_remote_port = full;
    filler.msgh_id = 1;
    mach_msg_return_t sent
        = mach_msg(&filler, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof filler, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
    check(sent == MACH_MSG_SUCCESS, "a port's queue of one message is filled");
    {
        // The two stuck requests above end once exec sees their directory gone; on a loaded
        // machine that can take a moment, and until then this client has no request to spare.
        uint64_t start = 0;
        int code = 0;
        for (unsigned tries = 0; tries < 50; ++tries) {
            start = runtime::uptime_ms();
            auto r = execclient::run(exec_port(), full, "bin/hello", spawn_of(argv));
            code = r.is_error() ? r.error().code() : 0;
            if (code != EXEC_E_BUSY)
                break;
            runtime::sleep_ms(100);
        }
        uint64_t took = runtime::uptime_ms() - start;
        base::BufferSink<200> line;
        base::format(line, "a directory with a full queue is MACH_SEND_TIMED_OUT within 8 s (got {} after {} ms)",
            name_of(code), took);
        check(code == MACH_SEND_TIMED_OUT && took < 8000, line.view());
    }
    {
        uint64_t start = runtime::uptime_ms();
        auto r = execclient::run_file(exec_port(), full, spawn_of(argv));
        uint64_t took = runtime::uptime_ms() - start;
        int code = r.is_error() ? r.error().code() : 0;
        base::BufferSink<200> line;
        base::format(line, "a program file with a full queue is MACH_SEND_TIMED_OUT within 8 s (got {} after {} ms)",
            name_of(code), took);
        check(code == MACH_SEND_TIMED_OUT && took < 8000, line.view());
    }
    mach_port_destroy(mach_task_self(), full);
    Args again { "hello", "--quiet", "--status=13" };
    expect_end("exec serves on after the stuck clients", run_and_wait(MACH_PORT_NULL, "/bin/hello", spawn_of(again)),
        EXEC_END_EXIT, 13);
}

// A notification as the kernel lays it out (one in-line 32-bit value: a port name or a count),
// sent by this client through a plain send right. True when it was sent.
bool forge(mach_port_t to, mach_msg_id_t id, unsigned value_type, uint32_t value)
{
    struct {
        mach_msg_header_t head;
        mach_msg_type_t type;
        uint32_t value;
    } m {};
    m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
    m.head.msgh_size = sizeof m;
    m.head.msgh_remote_port = to;
    m.head.msgh_id = id;
    m.type.msgt_name = static_cast<unsigned char>(value_type);
    m.type.msgt_size = 32;
    m.type.msgt_number = 1;
    m.type.msgt_inline = TRUE;
    m.value = value;
    return mach_msg(&m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 1000, MACH_PORT_NULL)
        == MACH_MSG_SUCCESS;
}

// Forged notifications change nothing in exec: dead-name notifications naming every small
// name, on this client's start-up port and exec port (taken as genuine, they would make exec
// drop the rights it holds under those names, or end this client), and no-senders on the
// process port of a running program (taken as genuine, exec would forget the program while
// this client holds its port).
void forged_notifications()
{
    mach_port_t bootstrap = MACH_PORT_NULL;
    task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &bootstrap);
    unsigned sent = 0;
    for (uint32_t name = 1; name <= 300; ++name) {
        sent += forge(bootstrap, MACH_NOTIFY_DEAD_NAME, MACH_MSG_TYPE_PORT_NAME, name);
        sent += forge(exec_port(), MACH_NOTIFY_DEAD_NAME, MACH_MSG_TYPE_PORT_NAME, name);
    }
    mach_port_deallocate(mach_task_self(), bootstrap);
    Args waiting { "hello", "--wait", "--quiet" };
    auto p = execclient::run(exec_port(), MACH_PORT_NULL, "/bin/hello", spawn_of(waiting));
    check(!p.is_error(), "a waiting program starts after forged dead-name notifications");
    if (!p.is_error()) {
        for (uint32_t count = 0; count < 3; ++count)
            sent += forge(p.value().process(), MACH_NOTIFY_NO_SENDERS, MACH_MSG_TYPE_INTEGER_32, count);
        Args argv { "hello", "--quiet", "--status=14" };
        expect_end("exec serves on after forged notifications",
            run_and_wait(MACH_PORT_NULL, "/bin/hello", spawn_of(argv)), EXEC_END_EXIT, 14);
        (void)p.value().kill();
        expect_end(
            "a program whose process port got forged no-senders is still known", p.value().wait(), EXEC_END_KILLED, 0);
    }
    base::BufferSink<80> line;
    base::format(line, "603 forged notifications were sent ({})", sent);
    check(sent == 603, line.view());
}

// Programs whose exec_exec reply could not be delivered (the client's reply port was gone)
// leave no entry behind once they end: more of them than exec's table holds, then the client's
// whole share still starts (table() below).
void lost_replies()
{
    unsigned lost = 0;
    for (unsigned i = 0; i < 70; ++i) {
        Args argv { "hello", "--quiet" };
        {
            // The reply port goes after 1 ms: exec's reply (the only send right to the process
            // port) finds it dead.
            // On a loaded machine exec may still hold the request before (a client has two at
            // most): then this one is EXEC_E_BUSY at once, and is sent again.
            for (unsigned tries = 0; tries < 40; ++tries) {
                runtime::ClientCallBound gone(1);
                auto r = execclient::run(exec_port(), MACH_PORT_NULL, "/bin/hello", spawn_of(argv));
                if (r.is_error() && r.error().code() == EXEC_E_BUSY) {
                    runtime::sleep_ms(50);
                    continue;
                }
                if (r.is_error() && r.error().code() == MACH_RCV_TIMED_OUT)
                    ++lost;
                break;
            }
        }
        // Answered once exec has served the request before it; then the program ends.
        int how = 0, status = 0;
        (void)exec_wait(exec_port(), &how, &status);
        runtime::sleep_ms(30);
    }
    base::BufferSink<120> line;
    base::format(line, "70 programs started with their reply lost ({})", lost);
    check(lost >= 65, line.view());
    runtime::sleep_ms(1500);
}

void table()
{
    // Programs that ended and whose process port went are forgotten: more runs than the table
    // holds, waited for or left detached, all start.
    unsigned started = 0, right = 0;
    for (unsigned i = 0; i < 80; ++i) {
        base::BufferSink<32> status;
        base::format(status, "--status={}", i);
        Args argv { "hello", "--quiet", status.view() };
        auto p = execclient::run(exec_port(), MACH_PORT_NULL, "/bin/hello", spawn_of(argv));
        if (p.is_error())
            continue;
        ++started;
        if (i % 2)
            continue; // detached: its process port goes at once
        auto e = p.value().wait();
        if (!e.is_error() && e.value().how == EXEC_END_EXIT && e.value().status == static_cast<int>(i))
            ++right;
    }
    base::BufferSink<120> line;
    base::format(line, "80 programs in turn all start ({}) and the 40 waited for end right ({})", started, right);
    check(started == 80 && right == 40, line.view());
    // The detached ones end on their own: give the last of them time to.
    runtime::sleep_ms(2000);

    // A client's share of the table: programs that run at once, charged to this client. The
    // last of them starts a program of its own through its own exec port while this client
    // is refused: it is handed this client's exec port, as the shell hands its own on, and
    // exec gives it its own in its place.
    static execclient::Process running[EXEC_CLIENT_SHARE + 1];
    unsigned count = 0;
    int refusal = 0;
    for (; count < EXEC_CLIENT_SHARE - 1; ++count) {
        Args argv { "hello", "--wait", "--quiet" };
        auto p = execclient::run(exec_port(), MACH_PORT_NULL, "/bin/hello", spawn_of(argv));
        if (p.is_error()) {
            refusal = p.error().code();
            break;
        }
        running[count] = static_cast<execclient::Process&&>(p.value());
    }
    Args other { "hello", "--quiet", "--pause=1000", "--run=/bin/hello" };
    auto handed_on = spawn_of(other);
    handed_on.ports[EXEC_PORT_EXEC] = exec_port();
    auto runner = execclient::run(exec_port(), MACH_PORT_NULL, "/bin/hello", handed_on);
    if (!runner.is_error()) {
        Args argv { "hello", "--wait", "--quiet" };
        auto p = execclient::run(exec_port(), MACH_PORT_NULL, "/bin/hello", spawn_of(argv));
        refusal = p.is_error() ? p.error().code() : 0;
        if (!p.is_error())
            running[count++] = static_cast<execclient::Process&&>(p.value());
    }
    base::BufferSink<160> full;
    base::format(full, "a client's share refuses with EXEC_E_TOO_MANY after {} programs (got {} after {})",
        EXEC_CLIENT_SHARE, name_of(refusal), count + (runner.is_error() ? 0 : 1));
    check(!runner.is_error() && refusal == EXEC_E_TOO_MANY && count == EXEC_CLIENT_SHARE - 1, full.view());
    expect_end("another client starts a program meanwhile",
        runner.is_error() ? base::Result<execclient::Ended>(runner.error()) : runner.value().wait(), EXEC_END_EXIT, 12);
    unsigned killed = 0;
    for (unsigned i = 0; i < count; ++i) {
        (void)running[i].kill();
        auto e = running[i].wait();
        if (!e.is_error() && e.value().how == EXEC_END_KILLED)
            ++killed;
        running[i] = execclient::Process();
    }
    base::BufferSink<80> ended;
    base::format(ended, "all {} end when killed ({})", count, killed);
    check(killed == count, ended.view());
    Args argv { "hello", "--quiet", "--status=9" };
    expect_end("exec serves again once they are gone", run_and_wait(MACH_PORT_NULL, "/bin/hello", spawn_of(argv)),
        EXEC_END_EXIT, 9);
}

} // namespace

int module_main(int, char**)
{
    if (!test_program::begin("exec-tester"))
        execclient::exit(120);
    say("started; exec port {}", exec_port() ? "given" : "MISSING");
    bad_programs();
    hostile_programs();
    good_programs();
    descriptors();
    identities();
    bounds();
    stuck_clients();
    forged_notifications();
    lost_replies();
    table();
    say("{} checks, {} failed", g_checks, g_failed);
    test_program::out().flush();
    execclient::exit(g_failed ? 1 : 0);
}
