// attack: an ordinary program, started by the shell, that tries what issue 8 says no program may
// do, and says for each attempt whether it was refused:
//
//   attack NAME: refused (REASON)      the servers said no and nothing changed
//   attack NAME: ALLOWED (WHAT)        the attempt succeeded, or its effect was seen
//   attacks: N tried, M refused
//
// The attacks, on every port the program holds (program::self(): root and current directory,
// console, exec, device master, host-priv, and its task's bootstrap port, exec's start-up port):
//   - fsys_getpriv (22006) on each port, and whether it was given host-priv at all;
//   - link_ports (24900), which hands a link's ports to the next link, on the ports of the chain;
//   - device_open of the disks (wd0, wd0s1, cd0) for writing and for reading, of mem and irq,
//     and of a name that does not exist: every refusal must carry the same code;
//   - i386_io_perm_create on the device master for 0xcf8, 0xf4 and 0x1f0;
//   - a forged no-senders notification (70) on the root directory, then the root must still
//     work, for this program and for a program started with it;
//   - forged dead-name notifications (72) on the exec port, then a program must still start;
//   - 200 messages with unknown ids to exec, then a program must still start;
//   - with a disk handle (if one could be opened): an in-band write over the 128-byte bound
//     (hand-built, to sector 1, which no partition uses), and a double device_close of the
//     root partition's handle (shared with ext2fs's own where opens share a port), after
//     which ext2fs must still write and another handle still read;
//   - a port with a full queue (a receive right of its own, queue limit 1, one message in it)
//     handed to exec as the directory of a relative exec_exec_path and as the reply port of
//     exec_wait: exec must answer in bounded time and start the next program;
//   - last, an io_write whose data item claims to be out of line in a simple message (no
//     complex bit): the server gets an address of its own space and must refuse it.
// Exit status: 0 when every attempt was refused, 1 otherwise.
//
//   attack [--skip=NAME,NAME...]   leaves out the named attacks (to see what the others do when
//                                  one of them brings a server down); each prints "skipped"

#include "base/options.h"
#include "program/program.h"
#include "raw_message.h"
#include "runtime/clock.h"
#include "runtime/msg.h"
#include "security_program.h"

extern "C" {
#include <mach/notify.h>

#include "fsys_U.h"
#include "link_U.h"
}

namespace {

using base::StringView;
using security::Code;

int g_tried = 0;
int g_refused = 0;
StringView g_skip;

// Whether the attack was asked to be left out (then its line says so).
bool skipped(StringView name)
{
    StringView rest = g_skip;
    while (!rest.empty()) {
        size_t comma = rest.find(',');
        if (rest.substr(0, comma) == name) {
            program::println("attack {}: skipped", name);
            return true;
        }
        rest = rest.substr(comma < rest.size() ? comma + 1 : rest.size());
    }
    return false;
}

template<typename... Args> void refused(StringView name, StringView fmt, const Args&... args)
{
    ++g_tried;
    ++g_refused;
    auto why = base::formatted<200>(fmt, args...);
    program::println("attack {}: refused ({})", name, why.view());
    (void)program::out().flush();
}

template<typename... Args> void allowed(StringView name, StringView fmt, const Args&... args)
{
    ++g_tried;
    auto what = base::formatted<200>(fmt, args...);
    program::println("attack {}: ALLOWED ({})", name, what.view());
    (void)program::out().flush();
}

void release(mach_port_t& port)
{
    if (MACH_PORT_VALID(port))
        mach_port_deallocate(mach_task_self(), port);
    port = MACH_PORT_NULL;
}

// --- fsys_getpriv --------------------------------------------------------------------------

void getpriv(StringView name, mach_port_t port)
{
    if (!MACH_PORT_VALID(port)) {
        refused(name, "the program holds no such port");
        return;
    }
    mach_port_t host = MACH_PORT_NULL, master = MACH_PORT_NULL, task = MACH_PORT_NULL;
    kern_return_t r;
    {
        runtime::ClientCallBound bound(5000);
        r = fsys_getpriv(port, &host, &master, &task);
    }
    if (r != KERN_SUCCESS) {
        refused(name, "{}", Code { r });
        return;
    }
    bool own_task = task == mach_task_self();
    allowed(name, "fsys_getpriv answered: host-priv {}, a device master {}, a task port {}{}",
        MACH_PORT_VALID(host) ? "given" : "null", MACH_PORT_VALID(master) ? "given" : "null",
        MACH_PORT_VALID(task) ? "given" : "null", own_task ? " (its own)" : "");
    release(host);
    release(master);
    if (!own_task)
        release(task);
}

// link_ports (link.defs 24900) hands a link's ports over as receive rights, once, to the next
// link of the chain: asked by a program on a port it holds, it must be refused.
void take_link_ports(StringView name, mach_port_t port)
{
    if (!MACH_PORT_VALID(port)) {
        refused(name, "the program holds no such port");
        return;
    }
    int instance = 0;
    mach_port_t master = MACH_PORT_NULL, bootstrap = MACH_PORT_NULL, supervision = MACH_PORT_NULL;
    mach_port_t next_task = MACH_PORT_NULL;
    kern_return_t r;
    {
        runtime::ClientCallBound bound(5000);
        r = link_ports(port, &instance, &master, &bootstrap, &supervision, &next_task);
    }
    if (r != KERN_SUCCESS) {
        refused(name, "{}", Code { r });
        return;
    }
    allowed(name, "link_ports answered: instance {}, a link's receive rights {}", instance,
        MACH_PORT_VALID(master) ? "given" : "null");
    for (mach_port_t p : { master, bootstrap, supervision })
        if (MACH_PORT_VALID(p))
            mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1);
    release(next_task);
}

// --- device_open ---------------------------------------------------------------------------

struct DiskHandles {
    mach_port_t writable = MACH_PORT_NULL; // wd0 opened for writing
    mach_port_t readable = MACH_PORT_NULL; // wd0 opened for reading
    mach_port_t partition = MACH_PORT_NULL; // wd0s1 opened for writing: the root filesystem's
};

// Returns the code; keeps the port in *kept when given, else releases it.
kern_return_t open_device(StringView attack, const char* name, dev_mode_t mode, mach_port_t* kept = nullptr)
{
    auto& self = program::self();
    if (!MACH_PORT_VALID(self.device_master())) {
        refused(attack, "the program holds no device master");
        return D_NO_SUCH_DEVICE;
    }
    char buffer[128] = {};
    for (size_t i = 0; name[i] && i + 1 < sizeof buffer; ++i)
        buffer[i] = name[i];
    mach_port_t device = MACH_PORT_NULL;
    kern_return_t r;
    {
        runtime::ClientCallBound bound(5000);
        r = device_open(self.device_master(), mode, buffer, &device);
    }
    if (r != KERN_SUCCESS) {
        refused(attack, "{}", Code { r });
        return r;
    }
    allowed(attack, "device_open(\"{}\", {}) gave a device port", name, (mode & D_WRITE) ? "D_READ|D_WRITE" : "D_READ");
    if (kept && !MACH_PORT_VALID(*kept))
        *kept = device;
    else
        release(device);
    return r;
}

void device_opens(DiskHandles& disks)
{
    struct Attempt {
        const char* attack;
        const char* name;
        dev_mode_t mode;
        bool exists; // on the test's machine (q35: the disk and the boot CD)
    };
    static const Attempt attempts[] = {
        { "open-wd0-write", "wd0", D_READ | D_WRITE, true },
        { "open-wd0s1-write", "wd0s1", D_READ | D_WRITE, true },
        { "open-cd0-write", "cd0", D_READ | D_WRITE, true },
        { "open-wd0-read", "wd0", D_READ, true },
        { "open-wd0s1-read", "wd0s1", D_READ, true },
        { "open-cd0-read", "cd0", D_READ, true },
        { "open-mem", "mem", D_READ | D_WRITE, true },
        { "open-irq", "irq", D_READ | D_WRITE, true },
        { "open-nonexistent", "no-such-device-0", D_READ | D_WRITE, false },
    };
    if (!MACH_PORT_VALID(program::self().device_master())) {
        for (const auto& a : attempts)
            refused(a.attack, "the program holds no device master");
        refused("open-refusal-uniform", "the program holds no device master");
        return;
    }
    kern_return_t existing_code = KERN_SUCCESS, missing_code = KERN_SUCCESS;
    const char* differing = nullptr;
    for (const auto& a : attempts) {
        mach_port_t* keep = nullptr;
        if (StringView(a.name) == "wd0")
            keep = (a.mode & D_WRITE) ? &disks.writable : &disks.readable;
        else if (StringView(a.name) == "wd0s1" && (a.mode & D_WRITE))
            keep = &disks.partition;
        kern_return_t r = open_device(a.attack, a.name, a.mode, keep);
        if (r == KERN_SUCCESS)
            continue;
        if (!a.exists)
            missing_code = r;
        else if (existing_code == KERN_SUCCESS)
            existing_code = r;
        else if (r != existing_code && !differing)
            differing = a.name;
    }
    // The refusal must not tell which names exist.
    if (existing_code == KERN_SUCCESS)
        allowed("open-refusal-uniform", "no existing device was refused");
    else if (differing)
        allowed("open-refusal-uniform", "the refusals differ by name: {} for wd0, another code for {}",
            Code { existing_code }, differing);
    else if (existing_code != missing_code)
        allowed("open-refusal-uniform", "existing names give {}, a missing name gives {}", Code { existing_code },
            Code { missing_code });
    else
        refused("open-refusal-uniform", "the same {} for existing and missing names", Code { existing_code });
}

// --- I/O permission ------------------------------------------------------------------------

void io_perm(StringView attack, uint16_t from, uint16_t to)
{
    auto& self = program::self();
    if (!MACH_PORT_VALID(self.device_master())) {
        refused(attack, "the program holds no device master");
        return;
    }
    mach_port_t perm = MACH_PORT_NULL;
    kern_return_t r;
    {
        runtime::ClientCallBound bound(5000);
        r = i386_io_perm_create(self.device_master(), from, to, &perm);
    }
    if (r != KERN_SUCCESS) {
        refused(attack, "{}", Code { r });
        return;
    }
    allowed(attack, "i386_io_perm_create gave an I/O permission port for {:#x}-{:#x}", from, to);
    release(perm);
}

// --- forged notifications and unknown ids --------------------------------------------------

// Sends a message of this id with a body of one item of type_name (32 bits) = value to port,
// with a reply port of ours (MAKE_SEND_ONCE); the reply's code, or the failure to get one.
struct Answer {
    bool answered = false;
    kern_return_t code = KERN_SUCCESS;
    mach_msg_return_t transport = MACH_MSG_SUCCESS;
};

Answer send_forged(
    mach_port_t port, mach_msg_id_t id, unsigned type_name, uint32_t value, mach_port_t reply, unsigned wait_ms = 3000)
{
    raw::Message m;
    m.begin(id);
    m.put_inline(type_name, 32, 1, &value);
    raw::ReplyTo to { reply, MACH_MSG_TYPE_MAKE_SEND_ONCE, wait_ms };
    if (!MACH_PORT_VALID(reply))
        to.disposition = 0;
    auto out = raw::call(m, port, MACH_MSG_TYPE_COPY_SEND, to);
    Answer a;
    a.transport = out.sent() ? out.receive : out.send;
    a.answered = out.replied() && out.has_ret_code;
    a.code = out.ret_code;
    return a;
}

bool contains(StringView text, StringView part)
{
    for (size_t i = 0; i + part.size() <= text.size(); ++i)
        if (text.substr(i, part.size()) == part)
            return true;
    return false;
}

// Whether the root works: a lookup through this program's root port, and a program started
// with it as its root that lists / into a file this program then reads back.
bool root_works(const char* tag, base::BoundedString<200>& why)
{
    auto& self = program::self();
    auto etc = self.root().lookup("etc", FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY);
    if (etc.is_error()) {
        why = base::formatted<200>("a lookup on the root now fails: {}", Code { etc.error().code() });
        return false;
    }
    auto script = base::formatted<128>("ls / > /tmp/attack-{}.ls", tag);
    auto ran = security::shell(script.view());
    if (!ran.ok(0)) {
        why = base::formatted<200>("a program started with the root: {}", ran);
        return false;
    }
    auto path = base::formatted<64>("tmp/attack-{}.ls", tag);
    auto listing = self.root().lookup(path.view(), FS_LOOKUP_READ);
    if (listing.is_error()) {
        why = base::formatted<200>("the program's listing cannot be opened: {}", Code { listing.error().code() });
        return false;
    }
    auto text = listing.value().read_all(64 * 1024);
    if (text.is_error()) {
        why = base::formatted<200>("the program's listing cannot be read: {}", Code { text.error().code() });
        return false;
    }
    StringView seen(reinterpret_cast<const char*>(text.value().data()), text.value().size());
    if (!contains(seen, "etc") || !contains(seen, "bin")) {
        why = base::formatted<200>("the program's listing of / lacks bin and etc ({} bytes)", seen.size());
        return false;
    }
    if (auto tmp = security::open_directory(self.root(), "tmp"); !tmp.is_error())
        (void)tmp.value().unlink(path.view().substr(4));
    return true;
}

void forged_no_senders(mach_port_t reply)
{
    auto& self = program::self();
    const char* attack = "forged-no-senders-root";
    if (!self.root().valid()) {
        refused(attack, "the program holds no root directory");
        return;
    }
    // Once with a reply port, to hear the answer, and once as a kernel notification looks
    // (no reply port).
    Answer a = send_forged(self.root().port(), MACH_NOTIFY_NO_SENDERS, MACH_MSG_TYPE_INTEGER_32, 1, reply);
    (void)send_forged(self.root().port(), MACH_NOTIFY_NO_SENDERS, MACH_MSG_TYPE_INTEGER_32, 1, MACH_PORT_NULL);
    runtime::sleep_ms(200);
    base::BoundedString<200> why;
    bool works = root_works("no-senders", why);
    if (!works)
        allowed(attack, "{}", why.view());
    else if (!a.answered)
        allowed(attack, "no refusal came back ({}); the root still works", Code { a.transport });
    else if (a.code == KERN_SUCCESS)
        allowed(attack, "ext2fs answered KERN_SUCCESS; the root still works");
    else
        refused(attack, "{}; the root still works for this program and a new one", Code { a.code });
}

// A program starts and ends with the status asked: sh -c 'sh -c "exit 7"' (the inner shell
// needs exec's default ports, so exec's own rights are exercised too).
bool programs_start(base::BoundedString<200>& why)
{
    auto ran = security::shell("sh -c 'exit 7'");
    if (!ran.ok(7)) {
        why = base::formatted<200>("sh -c 'sh -c \"exit 7\"' {}", ran);
        return false;
    }
    return true;
}

void forged_dead_names(mach_port_t reply)
{
    auto& self = program::self();
    const char* attack = "forged-dead-name-exec";
    if (!MACH_PORT_VALID(self.exec_server())) {
        refused(attack, "the program holds no exec port");
        return;
    }
    // Names a server's table likely holds: the first port names a task gets.
    int answered = 0, refusals = 0;
    kern_return_t code = KERN_SUCCESS;
    for (uint32_t name = 1; name <= 64; ++name) {
        Answer a = send_forged(self.exec_server(), MACH_NOTIFY_DEAD_NAME, MACH_MSG_TYPE_PORT_NAME, name,
            name % 2 ? reply : MACH_PORT_NULL, 2000);
        if (name % 2 == 0)
            continue;
        answered += a.answered;
        if (a.answered && a.code != KERN_SUCCESS) {
            ++refusals;
            code = a.code;
        }
    }
    base::BoundedString<200> why;
    if (!programs_start(why))
        allowed(attack, "after 64 forged dead-name messages: {}", why.view());
    else if (refusals != 32)
        allowed(attack, "{} of 32 forged dead-names with a reply port were refused ({} answered)", refusals, answered);
    else
        refused(attack, "{} for each; programs still start", Code { code });
}

void unknown_ids(mach_port_t reply)
{
    auto& self = program::self();
    const char* attack = "unknown-ids-exec";
    if (!MACH_PORT_VALID(self.exec_server())) {
        refused(attack, "the program holds no exec port");
        return;
    }
    // A right of our own rides along in every other message: a server must release it once.
    mach_port_t carried = raw::new_receive_right();
    int refusals = 0;
    kern_return_t code = KERN_SUCCESS;
    for (int i = 0; i < 200; ++i) {
        raw::Message m;
        m.begin(31000 + i * 37);
        m.put_int32(i);
        if (i % 2)
            m.put_port(carried, MACH_MSG_TYPE_MAKE_SEND);
        auto out
            = raw::call(m, self.exec_server(), MACH_MSG_TYPE_COPY_SEND, { reply, MACH_MSG_TYPE_MAKE_SEND_ONCE, 2000 });
        if (out.replied() && out.has_ret_code && out.ret_code != KERN_SUCCESS) {
            ++refusals;
            code = out.ret_code;
        }
    }
    // Every send right exec got must have been released: the port's send count goes to 0.
    mach_port_status_t status {};
    runtime::sleep_ms(100);
    bool leaked = false;
    if (mach_port_get_receive_status(mach_task_self(), carried, &status) == KERN_SUCCESS)
        leaked = status.mps_srights != 0;
    raw::destroy_receive_right(carried);
    base::BoundedString<200> why;
    if (!programs_start(why))
        allowed(attack, "after 200 unknown ids: {}", why.view());
    else if (refusals != 200)
        allowed(attack, "{} of 200 unknown ids were refused", refusals);
    else if (leaked)
        allowed(attack, "200 refused ({}), but exec kept send rights the messages carried", Code { code });
    else
        refused(
            attack, "{} for each of 200; the rights they carried were released; programs still start", Code { code });
}

// --- a disk handle: in-band write over its bound, double close -----------------------------

// ext2fs still writes to its disk: a file made, written and synced.
bool filesystem_writes(base::BoundedString<200>& why)
{
    auto tmp = security::open_directory(program::self().root(), "tmp");
    if (tmp.is_error()) {
        why = base::formatted<200>("/tmp cannot be opened: {}", Code { tmp.error().code() });
        return false;
    }
    auto file = tmp.value().lookup(
        "attack-disk", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_CREATE | FS_LOOKUP_TRUNC, 0644);
    if (file.is_error()) {
        why = base::formatted<200>("/tmp/attack-disk cannot be made: {}", Code { file.error().code() });
        return false;
    }
    auto w = file.value().write(0, "still here\n", 11);
    auto s = file.value().sync();
    (void)tmp.value().unlink("attack-disk");
    if (w.is_error() || s.is_error()) {
        why = base::formatted<200>(
            "ext2fs cannot write its disk any more: {}", Code { w.is_error() ? w.error().code() : s.error().code() });
        return false;
    }
    return true;
}

void inband_write(mach_port_t disk, mach_port_t reply)
{
    const char* attack = "inband-write-oversize";
    if (!MACH_PORT_VALID(disk)) {
        refused(attack, "no disk handle: every device_open of a disk was refused");
        return;
    }
    // device_write_inband(device, reply, mode, recnum, data[*:128]) with 1024 bytes, to sector
    // 1 of the whole disk, which lies before the first partition.
    static char data[1024];
    for (size_t i = 0; i < sizeof data; ++i)
        data[i] = static_cast<char>(0xa5);
    raw::Message m;
    m.begin(2803);
    m.put_int32(0);
    m.put_int64(1);
    m.put_bytes(data, sizeof data);
    auto out = raw::call(m, disk, MACH_MSG_TYPE_COPY_SEND, { reply, MACH_MSG_TYPE_MAKE_SEND_ONCE, 5000 });
    base::BoundedString<200> why;
    bool fs_ok = filesystem_writes(why);
    if (!out.replied())
        allowed(attack, "no answer ({}): the disk server may be gone", Code { out.sent() ? out.receive : out.send });
    else if (!out.has_ret_code || out.ret_code == KERN_SUCCESS)
        allowed(attack, "a 1024-byte in-band write was accepted");
    else if (!fs_ok)
        allowed(attack, "refused with {}, but then {}", Code { out.ret_code }, why.view());
    else
        refused(attack, "{}; the filesystem still writes", Code { out.ret_code });
}

void double_close(DiskHandles& disks)
{
    const char* attack = "double-close-disk";
    // The root filesystem's partition if we have it (a handle shared with ext2fs's own would
    // close ext2fs's disk), else any disk handle.
    mach_port_t first = MACH_PORT_VALID(disks.partition) ? disks.partition
        : MACH_PORT_VALID(disks.writable)                ? disks.writable
                                                         : disks.readable;
    if (!MACH_PORT_VALID(first)) {
        refused(attack, "no disk handle: every device_open of a disk was refused");
        return;
    }
    kern_return_t once, twice;
    {
        runtime::ClientCallBound bound(5000);
        once = device_close(first);
        twice = device_close(first);
    }
    base::BoundedString<200> why;
    bool fs_ok = filesystem_writes(why);
    // Another handle still reads.
    bool other_ok = true;
    mach_port_t other = first != disks.readable ? disks.readable : MACH_PORT_NULL;
    if (MACH_PORT_VALID(other)) {
        io_buf_ptr_inband_t buffer;
        mach_msg_type_number_t count = sizeof buffer;
        runtime::ClientCallBound bound(5000);
        other_ok = device_read_inband(other, 0, 0, 128, buffer, &count) == KERN_SUCCESS;
    }
    if (!fs_ok)
        allowed(attack, "close {} then {}; then {}", Code { once }, Code { twice }, why.view());
    else if (!other_ok)
        allowed(attack, "close {} then {}; another handle of the disk no longer reads", Code { once }, Code { twice });
    else if (twice == KERN_SUCCESS)
        allowed(attack, "the second device_close of one handle succeeded too");
    else
        refused(attack, "the second close: {}; the filesystem and another handle still work", Code { twice });
    release(disks.writable);
    release(disks.readable);
    release(disks.partition);
}

// --- a port with a full queue handed to exec -----------------------------------------------

// A receive right of ours whose queue is full: limit 1, one message in it. Its send right
// under the same name.
mach_port_t full_queue_port()
{
    mach_port_t port = raw::new_receive_right();
    if (!MACH_PORT_VALID(port))
        return port;
    mach_port_set_qlimit(mach_task_self(), port, 1);
    mach_port_insert_right(mach_task_self(), port, port, MACH_MSG_TYPE_MAKE_SEND);
    raw::Message m;
    m.begin(4242);
    (void)raw::call(m, port, MACH_MSG_TYPE_COPY_SEND, { MACH_PORT_NULL, 0, 0 }, 0);
    return port;
}

void full_queue_directory()
{
    const char* attack = "full-queue-directory";
    mach_port_t full = full_queue_port();
    const StringView argv[] = { "sh", "-c", "exit 5" };
    // exec looks bin/sh up relative to the port: its dir_lookup meets a full queue.
    constexpr unsigned bound_ms = 20000;
    auto ran = security::run("bin/sh", argv, 3, bound_ms, full);
    raw::destroy_receive_right(full); // frees exec if it is stuck on the port
    base::BoundedString<200> why;
    bool after = programs_start(why);
    // exec may answer MACH_SEND_TIMED_OUT itself (its send to the full queue timed out): that is
    // a refusal. Only our own wait running out means exec did not answer.
    if ((ran.error == MACH_RCV_TIMED_OUT || ran.error == MACH_SEND_TIMED_OUT) && ran.elapsed_ms >= bound_ms)
        allowed(attack, "exec did not answer in {} ms (it waits on the full queue)", ran.elapsed_ms);
    else if (ran.error == 0)
        allowed(attack, "exec ran bin/sh through a port that is no directory ({})", ran);
    else if (!after)
        allowed(attack, "exec answered {}, but then {}", Code { ran.error }, why.view());
    else
        refused(attack, "exec answered {} in {} ms; programs still start", Code { ran.error }, ran.elapsed_ms);
}

void full_queue_wait_reply(unsigned disposition)
{
    const char* attack
        = disposition == MACH_MSG_TYPE_MAKE_SEND ? "full-queue-wait-reply-send" : "full-queue-wait-reply-send-once";
    auto& self = program::self();
    // A program that ends at once; its process port is what exec_wait is asked on.
    static const base::StringView environment[] = { "HOME=/" };
    const StringView argv[] = { "sh", "-c", "exit 3" };
    execclient::Spawn spawn;
    spawn.argv = argv;
    spawn.argc = 3;
    spawn.envp = environment;
    spawn.envc = 1;
    spawn.ports[EXEC_PORT_CRDIR] = self.root().port();
    spawn.ports[EXEC_PORT_CONSOLE] = self.console();
    spawn.ports[EXEC_PORT_EXEC] = self.exec_server();
    auto process = [&] {
        runtime::ClientCallBound bound(20000);
        return execclient::run(self.exec_server(), MACH_PORT_NULL, "/bin/sh", spawn);
    }();
    if (process.is_error()) {
        allowed(attack, "the program to wait for could not start: {}", Code { process.error().code() });
        return;
    }
    runtime::sleep_ms(500);
    mach_port_t full = full_queue_port();
    // exec_wait (30007): the process port, the reply port in the header, no body. Sent twice:
    // the second is refused as a second waiter or answered at once; both replies meet the
    // full queue.
    for (int i = 0; i < 2; ++i) {
        raw::Message m;
        m.begin(30007);
        (void)raw::call(m, process.value().process(), MACH_MSG_TYPE_COPY_SEND, { full, disposition, 0 }, 2000);
    }
    runtime::sleep_ms(500);
    base::BoundedString<200> why;
    bool after = programs_start(why);
    raw::destroy_receive_right(full);
    if (!after) {
        allowed(attack, "with exec_wait's reply on a full queue: {}", why.view());
        // Whether exec recovers once the port is gone.
        (void)programs_start(why);
    } else {
        refused(attack, "exec still starts programs while its reply meets a full queue");
    }
}

// --- a body the complex bit does not announce ----------------------------------------------

// io_write (24002) on a file of ours, sent as a simple message (no MACH_MSGH_BITS_COMPLEX)
// whose data item says "out of line" at address 0x1000: the kernel does not look at the body
// of a simple message, so the server gets the address as it was written, an address of its
// own space. A server must refuse the message (MIG's stubs do not: they read the data there
// and vm_deallocate it after a successful write).
void ool_without_complex_bit(mach_port_t reply)
{
    const char* attack = "ool-without-complex-bit";
    auto& self = program::self();
    auto file = self.root().lookup(
        "tmp/attack-simple", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_CREATE | FS_LOOKUP_TRUNC, 0644);
    if (file.is_error()) {
        refused(attack, "no file to write: {}", Code { file.error().code() });
        return;
    }
    raw::Message m;
    m.begin(24002);
    m.put_out_of_line(
        MACH_MSG_TYPE_CHAR, 8, 16, reinterpret_cast<const void*>(0x1000), raw::Release::Keep, raw::Form::Long);
    m.put_int64(0);
    m.header()->msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
    auto out
        = raw::call(m, file.value().port(), MACH_MSG_TYPE_COPY_SEND, { reply, MACH_MSG_TYPE_MAKE_SEND_ONCE, 5000 });
    if (auto tmp = security::open_directory(self.root(), "tmp"); !tmp.is_error())
        (void)tmp.value().unlink("attack-simple");
    if (!out.replied())
        allowed(attack, "no answer ({}): ext2fs may be gone", Code { out.sent() ? out.receive : out.send });
    else if (!out.has_ret_code || out.ret_code == KERN_SUCCESS)
        allowed(attack, "ext2fs wrote 16 bytes from an address of its own and released the page");
    else
        refused(attack, "{}", Code { out.ret_code });
}

} // namespace

int program_main(int argc, char** argv)
{
    auto& self = program::self();
    base::OptionParser options("attack");
    options.add_text("skip", g_skip, "attacks to leave out, separated by commas");
    if (options.parse(argc, argv).is_error()) {
        program::complain("{}", options.error_message());
        return 2;
    }
    program::println("attack: started; device master {}, host-priv {}",
        MACH_PORT_VALID(self.device_master()) ? "given" : "none", MACH_PORT_VALID(self.host_priv()) ? "given" : "none");
    mach_port_t reply = raw::new_receive_right();
    mach_port_t bootstrap = MACH_PORT_NULL;
    task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &bootstrap);

    // Privilege.
    if (MACH_PORT_VALID(self.host_priv()))
        allowed("holds-host-priv", "exec gave this program the host-priv port");
    else
        refused("holds-host-priv", "no host-priv port among its start-up ports");
    getpriv("getpriv-device-master", self.device_master());
    getpriv("getpriv-exec", self.exec_server());
    getpriv("getpriv-root", self.root().port());
    getpriv("getpriv-cwd", self.cwd().port());
    getpriv("getpriv-console", self.console());
    getpriv("getpriv-bootstrap", bootstrap);
    getpriv("getpriv-host-priv", self.host_priv());
    take_link_ports("link-ports-device-master", self.device_master());
    take_link_ports("link-ports-exec", self.exec_server());
    take_link_ports("link-ports-root", self.root().port());
    take_link_ports("link-ports-bootstrap", bootstrap);

    DiskHandles disks;
    device_opens(disks);
    io_perm("io-perm-0xcf8", 0xcf8, 0xcff);
    io_perm("io-perm-0xf4", 0xf4, 0xf4);
    io_perm("io-perm-0x1f0", 0x1f0, 0x1f7);

    // Messages no server may act on.
    if (!skipped("forged-no-senders-root"))
        forged_no_senders(reply);
    if (!skipped("forged-dead-name-exec"))
        forged_dead_names(reply);
    if (!skipped("unknown-ids-exec"))
        unknown_ids(reply);

    // A disk handle, if one was given.
    if (!skipped("inband-write-oversize"))
        inband_write(MACH_PORT_VALID(disks.writable) ? disks.writable : disks.readable, reply);
    if (!skipped("double-close-disk"))
        double_close(disks);

    // Ports that never take a message.
    if (!skipped("full-queue-directory"))
        full_queue_directory();
    if (!skipped("full-queue-wait-reply-send-once"))
        full_queue_wait_reply(MACH_MSG_TYPE_MAKE_SEND_ONCE);
    if (!skipped("full-queue-wait-reply-send"))
        full_queue_wait_reply(MACH_MSG_TYPE_MAKE_SEND);
    // Last: on a server that trusts the body of a simple message, this brings it down.
    if (!skipped("ool-without-complex-bit"))
        ool_without_complex_bit(reply);

    release(bootstrap);
    raw::destroy_receive_right(reply);
    program::println("attacks: {} tried, {} refused", g_tried, g_refused);
    return g_tried == g_refused ? 0 : 1;
}
