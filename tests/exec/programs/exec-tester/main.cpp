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
#include "runtime/msg.h"

extern "C" {
#include "exec_U.h"
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

exec::Spawn spawn_of(const Args& argv)
{
    exec::Spawn s;
    s.argv = argv.words;
    s.argc = argv.count;
    return s;
}

const char* name_of(int code)
{
    const char* n = exec::error_name(code);
    return n ? n : "an unknown code";
}

// exec refuses the program with this code, and exec still serves afterwards.
void expect_refused(base::StringView path, int expected, base::StringView what)
{
    Args argv {path};
    auto r = exec::run(exec_port(), MACH_PORT_NULL, path, spawn_of(argv));
    int code = r.is_error() ? r.error().code() : 0;
    base::BufferSink<200> line;
    base::format(line, "{} is refused with {} (got {}: {})", what, name_of(expected), name_of(code),
                 exec::error_text(code) ? exec::error_text(code) : "-");
    check(code == expected, line.view());
}

// Runs path with argv and waits: how it ended.
base::Result<exec::Ended> run_and_wait(mach_port_t dir, base::StringView path, const exec::Spawn& spawn)
{
    auto p = TRY(exec::run(exec_port(), dir, path, spawn));
    return p.wait();
}

void expect_end(base::StringView what, const base::Result<exec::Ended>& ended, int how, int status)
{
    base::BufferSink<200> line;
    if (ended.is_error()) {
        base::format(line, "{}: {} ({})", what, name_of(ended.error().code()),
                     ended.error().context() ? ended.error().context() : "");
        check(false, line.view());
        return;
    }
    base::format(line, "{} ends with how {} status {} (got how {} status {})", what, how, status,
                 ended.value().how, ended.value().status);
    check(ended.value().how == how && ended.value().status == status, line.view());
}

void bad_programs()
{
    expect_refused("/bin/missing", FS_ENOENT, "a missing program");
    expect_refused("/etc/motd", FS_EACCES, "a file without an x bit (0644)");
    expect_refused("/bin/script", static_cast<int>(elf::Error::NotElf), "an executable text file");
    expect_refused("/bin/elf32", static_cast<int>(elf::Error::Elf32), "a 32-bit ELF");
    expect_refused("/bin/empty", static_cast<int>(elf::Error::NotElf), "an empty file");
    expect_refused("/bin/truncated-header", static_cast<int>(elf::Error::TruncatedHeader),
                   "an ELF cut inside its header");
    expect_refused("/bin/truncated-segment", static_cast<int>(elf::Error::SegmentOutsideFile),
                   "an ELF cut inside a segment");
    expect_refused("/bin/overlap", static_cast<int>(elf::Error::SegmentsOverlap), "overlapping segments");
    expect_refused("/bin/kernel-space", static_cast<int>(elf::Error::SegmentOutsideUserSpace),
                   "a segment in kernel space");
    expect_refused("/bin/in-stack", EXEC_E_STACK, "a segment in the stack's place");
    expect_refused("/bin/shared", static_cast<int>(elf::Error::SharedObject), "a shared object");
    expect_refused("/bin/aarch64", static_cast<int>(elf::Error::WrongMachine), "an ELF for another machine");
    expect_refused("/bin", EXEC_E_NOT_REGULAR, "a directory");
    expect_refused("/bin/missing-dir/hello", FS_ENOENT, "a path through a missing directory");
    expect_refused("/etc/motd/hello", FS_ENOTDIR, "a path through a file");
}

void good_programs()
{
    {
        Args argv {"hello", "two words", "", "--status=42"};
        auto s = spawn_of(argv);
        base::StringView env[] = {"HOME=/", "TERM=dumb"};
        s.envp = env;
        s.envc = 2;
        expect_end("hello with arguments and an environment", run_and_wait(MACH_PORT_NULL, "/bin/hello", s),
                   EXEC_END_EXIT, 42);
    }
    {
        Args argv {"hello", "--status=3", "--cat=etc/motd"};
        expect_end("a relative path from the root directory",
                   run_and_wait(root_port(), "bin/hello", spawn_of(argv)), EXEC_END_EXIT, 3);
    }
    {
        fs::Node root = fs::Node::adopt(root_port());
        auto data = root.lookup("data");
        root.release();
        check(!data.is_error(), "/data opens");
        if (!data.is_error()) {
            Args argv {"hello", "--status=4", "--cat=note.txt"};
            expect_end("a relative path from another directory, which becomes the current one",
                       run_and_wait(data.value().port(), "../bin/hello", spawn_of(argv)), EXEC_END_EXIT, 4);
        }
    }
    {
        Args argv {"hello", "--status=5"};
        expect_end("a symlink to a program", run_and_wait(MACH_PORT_NULL, "/bin/hello-link", spawn_of(argv)),
                   EXEC_END_EXIT, 5);
    }
    {
        fs::Node root = fs::Node::adopt(root_port());
        auto file = root.lookup("bin/hello");
        root.release();
        check(!file.is_error(), "/bin/hello opens");
        if (!file.is_error()) {
            Args argv {"hello", "--status=6"};
            auto p = exec::run_file(exec_port(), file.value().port(), spawn_of(argv));
            expect_end("exec_exec on a file port", p.is_error() ? base::Result<exec::Ended>(p.error()) : p.value().wait(),
                       EXEC_END_EXIT, 6);
        }
    }
    {
        Args argv {"hello", "--crash"};
        expect_end("a program that faults", run_and_wait(MACH_PORT_NULL, "/bin/hello", spawn_of(argv)),
                   EXEC_END_CRASH, 1);
    }
    {
        Args argv {"hello", "--vanish"};
        expect_end("a program that ends without a status", run_and_wait(MACH_PORT_NULL, "/bin/hello", spawn_of(argv)),
                   EXEC_END_KILLED, 0);
    }
    {
        Args argv {"hello", "--wait", "--quiet"};
        auto p = exec::run(exec_port(), MACH_PORT_NULL, "/bin/hello", spawn_of(argv));
        check(!p.is_error(), "a waiting program starts");
        if (!p.is_error()) {
            mach::sleep_ms(200);
            check(!p.value().kill().is_error(), "its starter ends it with task_terminate");
            auto first = p.value().wait();
            expect_end("a program ended by its starter", first, EXEC_END_KILLED, 0);
            expect_end("a second exec_wait on an ended program", p.value().wait(), EXEC_END_KILLED, 0);
        }
    }
}

void descriptors()
{
    fs::Node root = fs::Node::adopt(root_port());
    auto file = root.lookup("hello-output.txt", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_CREATE, 0644);
    root.release();
    check(!file.is_error(), "/hello-output.txt is created");
    if (file.is_error())
        return;
    Args argv {"hello", "--status=7", "to-a-file"};
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
base::StringView run_auth(const fs::Node& root, mach_port_t cwd, mach_port_t directory, char (&text)[512])
{
    // A new port each time: the program writes at the port's own position.
    auto file = root.lookup("auth-output.txt", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_CREATE | FS_LOOKUP_TRUNC,
                            0644);
    if (file.is_error())
        return "no output file";
    fs::Node& output = file.value();
    Args argv {"hello", "--auth", "--quiet"};
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
    fs::Node root = fs::Node::adopt(root_port());
    auto restricted = root.restrict_auth(fs::identity_of(1000, 1000));
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
    Args argv {"hello", "--quiet", "--status=8", base::StringView(long_word, sizeof long_word - 1)};
    expect_end("a 60 KiB argument", run_and_wait(MACH_PORT_NULL, "/bin/hello", spawn_of(argv)), EXEC_END_EXIT, 8);

    // exec is never made to ask its own ports for a file (it would wait for itself).
    {
        Args argv {"hello"};
        auto own_file = exec::run_file(exec_port(), exec_port(), spawn_of(argv));
        int code = own_file.is_error() ? own_file.error().code() : 0;
        base::BufferSink<120> own;
        base::format(own, "exec's own port as the program file is FS_EXDEV (got {})", name_of(code));
        check(code == FS_EXDEV, own.view());
        auto own_dir = exec::run(exec_port(), exec_port(), "bin/hello", spawn_of(argv));
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

void table()
{
    // Programs that ended and whose process port went are forgotten: more runs than the table
    // holds, waited for or left detached, all start.
    unsigned started = 0, right = 0;
    for (unsigned i = 0; i < 80; ++i) {
        base::BufferSink<32> status;
        base::format(status, "--status={}", i);
        Args argv {"hello", "--quiet", status.view()};
        auto p = exec::run(exec_port(), MACH_PORT_NULL, "/bin/hello", spawn_of(argv));
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
    mach::sleep_ms(2000);

    // The table's bound: programs that run at once, up to exec's capacity (init is one of them).
    static exec::Process running[80];
    unsigned count = 0;
    int refusal = 0;
    for (; count < 80; ++count) {
        Args argv {"hello", "--wait", "--quiet"};
        auto p = exec::run(exec_port(), MACH_PORT_NULL, "/bin/hello", spawn_of(argv));
        if (p.is_error()) {
            refusal = p.error().code();
            break;
        }
        running[count] = static_cast<exec::Process&&>(p.value());
    }
    base::BufferSink<120> full;
    base::format(full, "a full table refuses with EXEC_E_TOO_MANY after 63 programs (got {} after {})",
                 name_of(refusal), count);
    check(refusal == EXEC_E_TOO_MANY && count == 63, full.view());
    unsigned killed = 0;
    for (unsigned i = 0; i < count; ++i) {
        (void)running[i].kill();
        auto e = running[i].wait();
        if (!e.is_error() && e.value().how == EXEC_END_KILLED)
            ++killed;
        running[i] = exec::Process();
    }
    base::BufferSink<80> ended;
    base::format(ended, "all {} end when killed ({})", count, killed);
    check(killed == count, ended.view());
    Args argv {"hello", "--quiet", "--status=9"};
    expect_end("exec serves again once they are gone", run_and_wait(MACH_PORT_NULL, "/bin/hello", spawn_of(argv)),
               EXEC_END_EXIT, 9);
}

} // namespace

int module_main(int, char**)
{
    if (!test_program::begin("exec-tester"))
        exec::exit(120);
    say("started; exec port {}", exec_port() ? "given" : "MISSING");
    bad_programs();
    good_programs();
    descriptors();
    identities();
    bounds();
    table();
    say("{} checks, {} failed", g_checks, g_failed);
    test_program::out().flush();
    exec::exit(g_failed ? 1 : 0);
}
