// msgfuzz: sends random and mutated messages to every port an ordinary program reaches in each
// server of the chain, then checks that every server still answers its real protocol and did
// not grow.
//
//   msgfuzz [--seed=N] [--count=N] [--seconds=N] [--warmup=N] [--scratch=NAME] [--no-hostile-ports]
//           [--honest-complex-bit]
//
// --count messages are sent after the warm-up (default 10000), or fewer when --seconds (of
// fuzzing, 0: no limit) end first. --no-hostile-ports leaves out the ports that never answer
// in requests (to see what else a run finds while a server still blocks on them);
// --honest-complex-bit sets the complex bit on every message whose body carries an out-of-line
// item or a right (to see what else a run finds while a server still trusts the body of a
// simple message).
//
// The ports (program::self() and what can be opened through them):
//   ext2fs       a scratch directory /NAME (default /fuzz, made if missing) and a file in it,
//                both opened read-write; the root opened again read-only
//   exec         its server port, this program's start-up port (the task's bootstrap port),
//                the process port of a program that has ended
//   exec's link  the device master exec gives programs (device.defs, fsys, boot_profile,
//                i386_io_perm_create), forwarding to ext2fs, rumpdisk, the arbiter, the kernel
//   arbiter      the root port of device_open("pci") (pci_enum.defs, pci.defs) and a function's
//                port (pci_enum_open)
//   rumpdisk     wd0 opened for reading, when the device master gives it
// The console is the kernel's: it is not fuzzed.
//
// Each message is one of: a real request built from a template and then mutated (bytes
// flipped, truncated, a longer or shorter size than built, the complex bit set or cleared, a
// type descriptor changed, a port where an integer is expected and an integer where a port is,
// an out-of-line item claiming up to 1 GiB over a 4 KiB buffer, or a real 1 GiB region), or
// random bytes under an id drawn from the subsystem ranges of the port's server or from
// anywhere. The reply port is this program's (send-once, as MIG does, or a send right), none,
// a dead name, a port whose queue is full, or the destination itself. Every send has a timeout
// and every reply wait a bound; a server that stops answering is probed, reported as a
// finding, and left alone for the rest of the run.
//
// Left out on purpose, because a legitimate client may use them to destroy data or stop the
// system (what they do is not a failure of the server):
//   - fsys_goaway (22001) on every port: it puts the filesystem away;
//   - on the read-only root: writing routines (io_write, dir_mkdir, dir_rmdir, dir_unlink,
//     dir_link, dir_rename, dir_symlink, file_set_size, file_chmod, file_chown); the scratch
//     directory gets all of them;
//   - pci_conf_write (39001): configuration writes can legitimately turn a controller off;
//   - device_write and device_write_inband (2802, 2803) on the disk: they write sectors; and
//     device_close (2801) on it: it ends this program's own handle (the attack program closes a
//     handle shared with ext2fs's on purpose);
//   - exec_startup_exit (30501) on this program's start-up port: it ends this program as far
//     as exec knows; and 30008-30010, 30502-30510, where exec's power-off request (issue 8:
//     power-off through exec) may live: a valid one legitimately ends the machine.
//
// Memory: boot_profile_get on the device master gives each link's resident memory. It is
// printed after a warm-up (which fills ext2fs's block cache and the servers' heaps to their
// working size) and after the run:
//   msgfuzz: memory NAME before=K after=K KiB
// The final line is "msgfuzz: done: N messages; all checks passed" or "... K checks FAILED".
#include "base/options.h"
#include "program/program.h"
#include "raw_message.h"
#include "runtime/clock.h"
#include "runtime/msg.h"
#include "security_program.h"

extern "C" {
#include "boot_profile_U.h"
#include "fs_U.h"
#include "pci_U.h"
#include "pci_enum_U.h"
}

namespace {

using base::StringView;
using security::Code;

// --- the generator -------------------------------------------------------------------------

uint64_t g_state = 0;

uint64_t next()
{
    // splitmix64
    uint64_t z = (g_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint32_t below(uint32_t n)
{
    return n ? static_cast<uint32_t>(next() % n) : 0;
}

bool chance(uint32_t percent)
{
    return below(100) < percent;
}

// --- the ports -----------------------------------------------------------------------------

enum class Protocol { FsDir, FsFile, FsRoot, Exec, Startup, Process, Master, PciRoot, PciDevice, Disk };

struct IdRange {
    mach_msg_id_t first;
    mach_msg_id_t last;
};

struct Target {
    const char* name;
    const char* server; // the boot profile's name of the server behind it
    Protocol protocol;
    mach_port_t port = MACH_PORT_NULL;
    // Statistics.
    unsigned sent = 0, replies = 0, successes = 0, send_errors = 0, silent = 0, consecutive_silent = 0, skipped = 0;
    bool dead = false;
};

Target g_targets[] = {
    { "scratch-dir", "ext2fs", Protocol::FsDir },
    { "scratch-file", "ext2fs", Protocol::FsFile },
    { "root-read-only", "ext2fs", Protocol::FsRoot },
    { "exec", "exec", Protocol::Exec },
    { "startup", "exec", Protocol::Startup },
    { "process", "exec", Protocol::Process },
    { "device-master", "exec", Protocol::Master },
    { "pci-root", "pci-arbiter", Protocol::PciRoot },
    { "pci-device", "pci-arbiter", Protocol::PciDevice },
    { "disk-wd0", "rumpdisk", Protocol::Disk },
};
constexpr size_t target_count = sizeof g_targets / sizeof g_targets[0];

// Ports of ours that ride in messages, and reply ports.
struct Own {
    mach_port_t reply = MACH_PORT_NULL; // our reply port
    mach_port_t full = MACH_PORT_NULL; // a receive right with a full queue
    mach_port_t dead = MACH_PORT_NULL; // a dead name
    mach_port_t spare = MACH_PORT_NULL; // a receive right whose send rights we hand out
    mach_port_t empty_file = MACH_PORT_NULL; // a node of the scratch directory, read-only
    mach_port_t sh = MACH_PORT_NULL; // /bin/sh opened for reading
    void* small = nullptr; // a 4 KiB buffer for out-of-line claims
    void* huge = nullptr; // 1 GiB of untouched memory
} g_own;

constexpr size_t huge_size = size_t(1) << 30;

// The ranges of ids each protocol's server has (defs/), for "random id of the right server".
void ranges_of(Protocol p, const IdRange*& list, size_t& count)
{
    static const IdRange fs[] = { { 24000, 24023 }, { 22000, 22010 } };
    static const IdRange exec[] = { { 30000, 30007 }, { 30500, 30500 }, { 22000, 22010 }, { 2800, 2830 } };
    static const IdRange master[]
        = { { 2800, 2830 }, { 22000, 22010 }, { 24800, 24801 }, { 3800, 3810 }, { 24900, 24903 }, { 24950, 24951 } };
    static const IdRange pci[] = { { 39000, 39010 }, { 39100, 39110 }, { 2800, 2830 } };
    static const IdRange disk[] = { { 2800, 2830 } };
    list = disk, count = 1;
    switch (p) {
    case Protocol::FsDir:
    case Protocol::FsFile:
    case Protocol::FsRoot:
        list = fs, count = 2;
        return;
    case Protocol::Exec:
    case Protocol::Startup:
    case Protocol::Process:
        list = exec, count = 4;
        return;
    case Protocol::Master:
        list = master, count = 6;
        return;
    case Protocol::PciRoot:
    case Protocol::PciDevice:
        list = pci, count = 3;
        return;
    case Protocol::Disk:
        list = disk, count = 1;
        return;
    }
}

// The ids left out (see the file's comment).
bool excluded(Protocol p, mach_msg_id_t id)
{
    if (id == 22001)
        return true;
    switch (p) {
    case Protocol::FsRoot:
        return id == 24002 || (id >= 24006 && id <= 24011) || (id >= 24013 && id <= 24015);
    case Protocol::PciRoot:
    case Protocol::PciDevice:
        return id == 39001;
    case Protocol::Disk:
        return id == 2801 || id == 2802 || id == 2803;
    case Protocol::Exec:
    case Protocol::Startup:
    case Protocol::Process:
        return id == 30501 || (id >= 30008 && id <= 30010) || (id >= 30502 && id <= 30510);
    default:
        return false;
    }
}

// --- real requests -------------------------------------------------------------------------

void put_name128(raw::Message& m, StringView name)
{
    char buffer[128] = {};
    for (size_t i = 0; i < name.size() && i < 127; ++i)
        buffer[i] = name[i];
    m.put_inline(MACH_MSG_TYPE_STRING_C, 1024, 1, buffer, raw::Form::Long);
}

// A name in the scratch directory: few, so that requests meet what earlier ones made.
StringView scratch_name()
{
    static const char* names[] = { "a", "b", "c", "dir", "sub/x", "a/b", "..", ".", "", "long-name-0123456789" };
    return names[below(10)];
}

void put_argv(raw::Message& m)
{
    static const char argv[] = "sh\0-c\0exit 3";
    static const char envp[] = "HOME=/";
    m.put_bytes(argv, sizeof argv, raw::Form::Long);
    m.put_bytes(envp, sizeof envp, raw::Form::Long);
    mach_port_t files[3] = { g_own.empty_file, g_own.empty_file, g_own.empty_file };
    uint64_t slots[3] = { files[0], files[1], files[2] };
    m.put_inline(MACH_MSG_TYPE_COPY_SEND, 64, 3, slots, raw::Form::Long);
    int32_t kinds[3] = { EXEC_DESC_FILE, EXEC_DESC_FILE, EXEC_DESC_FILE };
    m.put_inline(MACH_MSG_TYPE_INTEGER_32, 32, 3, kinds, raw::Form::Long);
    auto& self = program::self();
    uint64_t ports[4] = { self.root().port(), self.root().port(), self.console(), self.exec_server() };
    m.put_inline(MACH_MSG_TYPE_COPY_SEND, 64, 4, ports, raw::Form::Long);
    m.header()->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
}

// A port a request carries where the server may call it: usually the one given, sometimes one
// that never answers (a receive right of ours), one whose queue is full, a dead name, or none.
// A server must not block on any of them for long.
bool g_hostile_ports = true;
bool g_honest_complex_bit = false;

void put_client_port(raw::Message& m, mach_port_t usual)
{
    switch (g_hostile_ports ? below(16) : 15) {
    case 0:
        m.put_port(g_own.spare, MACH_MSG_TYPE_MAKE_SEND);
        return;
    case 1:
        m.put_port(g_own.full, MACH_MSG_TYPE_COPY_SEND);
        return;
    case 2:
        m.put_port(g_own.dead, MACH_MSG_TYPE_COPY_SEND);
        return;
    case 3:
        m.put_port(MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND);
        return;
    default:
        m.put_port(usual, MACH_MSG_TYPE_COPY_SEND);
        return;
    }
}

// Builds one real request of the protocol into m; false when the protocol has none to offer.
void build_real(Protocol p, raw::Message& m)
{
    switch (p) {
    case Protocol::FsDir:
    case Protocol::FsFile:
    case Protocol::FsRoot: {
        static const mach_msg_id_t reads[]
            = { 24000, 24001, 24003, 24004, 24005, 24012, 24017, 24018, 24019, 24020, 24021 };
        static const mach_msg_id_t all[] = { 24000, 24001, 24002, 24003, 24004, 24005, 24006, 24007, 24008, 24009,
            24010, 24011, 24012, 24013, 24014, 24015, 24016, 24017, 24018, 24019, 24020, 24021, 22002, 22004, 22006 };
        mach_msg_id_t id = p == Protocol::FsRoot ? reads[below(sizeof reads / sizeof reads[0])]
                                                 : all[below(sizeof all / sizeof all[0])];
        m.begin(id);
        switch (id) {
        case 24000:
            m.put_string(p == Protocol::FsRoot ? StringView(chance(50) ? "etc/motd" : "bin") : scratch_name());
            m.put_int32(static_cast<int32_t>(
                chance(50) ? FS_LOOKUP_READ : FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_CREATE));
            m.put_int32(0644);
            break;
        case 24001:
            m.put_int64(chance(50) ? 0 : static_cast<int64_t>(next() % 100000));
            m.put_int64(static_cast<int64_t>(below(5000)));
            break;
        case 24002: {
            static char data[3000];
            uint32_t n = below(sizeof data);
            if (n > 2048)
                m.put_out_of_line(MACH_MSG_TYPE_CHAR, 8, n, g_own.small, raw::Release::Keep, raw::Form::Long);
            else
                m.put_bytes(data, n, raw::Form::Long);
            m.put_int64(chance(70) ? static_cast<int64_t>(below(65536)) : FS_OFFSET_CURRENT);
            break;
        }
        case 24003:
            m.put_int64(static_cast<int64_t>(below(100000)));
            m.put_int32(static_cast<int32_t>(below(3)));
            break;
        case 24005:
            m.put_int64(0);
            m.put_int32(static_cast<int32_t>(below(100)));
            break;
        case 24006:
            m.put_string(scratch_name());
            m.put_int32(0755);
            break;
        case 24007:
        case 24008:
            m.put_string(scratch_name());
            break;
        case 24009:
            put_client_port(m, g_targets[1].port);
            m.put_string(scratch_name());
            m.put_int32(static_cast<int32_t>(below(2)));
            break;
        case 24010:
            m.put_string(scratch_name());
            put_client_port(m, g_targets[0].port);
            m.put_string(scratch_name());
            m.put_int32(static_cast<int32_t>(below(2)));
            break;
        case 24011:
            m.put_string(scratch_name());
            m.put_string(chance(50) ? StringView("../etc") : scratch_name());
            break;
        case 24013:
            m.put_int64(static_cast<int64_t>(below(100000)));
            break;
        case 24014:
            m.put_int32(static_cast<int32_t>(0600 + below(0200)));
            break;
        case 24015:
            m.put_int32(0);
            m.put_int32(0);
            break;
        case 24016:
            m.put_int64(static_cast<int64_t>(below(2000000000)));
            m.put_int64(-1);
            break;
        case 24017:
            m.put_int32(1);
            m.put_int32(0);
            break;
        case 24020: {
            uint32_t identity[34] = { 1, 1, 0, 0 };
            m.put_inline(MACH_MSG_TYPE_INTEGER_32, 32, 34, identity);
            break;
        }
        case 22002: {
            m.put_port(MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND);
            uint32_t ids[1] = { 0 };
            m.put_inline(MACH_MSG_TYPE_INTEGER_32, 32, 1, ids);
            m.put_inline(MACH_MSG_TYPE_INTEGER_32, 32, 1, ids);
            m.put_int32(FS_LOOKUP_READ);
            break;
        }
        case 22004:
            m.put_int32(1);
            m.put_int32(0);
            break;
        default:
            break;
        }
        return;
    }
    case Protocol::Exec: {
        uint32_t which = below(3);
        if (which == 0) {
            m.begin(30006);
            put_client_port(m, MACH_PORT_NULL);
            static const char* paths[] = { "/bin/sh", "bin/sh", "sh", "/bin/nonexistent" };
            m.put_string(paths[below(4)]);
            m.put_int32(0);
            put_argv(m);
        } else if (which == 1) {
            m.begin(30000);
            put_client_port(m, chance(80) ? g_own.sh : g_own.empty_file);
            m.put_int32(0);
            put_argv(m);
        } else {
            m.begin(30007);
        }
        return;
    }
    case Protocol::Startup:
        m.begin(30500);
        return;
    case Protocol::Process:
        m.begin(30007);
        return;
    case Protocol::Master: {
        uint32_t which = below(6);
        if (which == 0) {
            static const char* names[] = { "console", "pci", "no-such-device", "wd0", "" };
            m.begin(chance(50) ? 2800 : 2806);
            m.put_int32(chance(50) ? D_READ : D_READ | D_WRITE);
            put_name128(m, names[below(5)]);
        } else if (which == 1) {
            m.begin(24800);
        } else if (which == 2) {
            m.begin(22006);
        } else if (which == 3) {
            m.begin(3805);
            m.put_int16(static_cast<int16_t>(below(0x400)));
            m.put_int16(static_cast<int16_t>(below(0x400)));
        } else if (which == 4) {
            m.begin(2805);
            m.put_int32(D_READ);
            m.put_int64(0);
            m.put_int32(128);
        } else {
            m.begin(2811);
            m.put_int32(static_cast<int32_t>(below(20)));
            m.put_int32(static_cast<int32_t>(below(64)));
        }
        return;
    }
    case Protocol::PciRoot:
    case Protocol::PciDevice: {
        uint32_t which = below(7);
        if (which == 0) {
            m.begin(39000);
            m.put_int32(static_cast<int32_t>(below(64) * 4));
            static const int64_t sizes[] = { 1, 2, 4, 8, 0, 4096 };
            m.put_int64(sizes[below(6)]);
        } else if (which == 1) {
            m.begin(39002);
        } else if (which == 2) {
            m.begin(39003);
        } else if (which == 3) {
            m.begin(39004);
        } else if (which == 4) {
            m.begin(39100);
            m.put_int32(static_cast<int32_t>(below(80)));
        } else if (which == 5) {
            m.begin(39101);
            m.put_int32(static_cast<int32_t>(below(2)));
            m.put_int32(static_cast<int32_t>(below(32)));
            m.put_int32(static_cast<int32_t>(below(8)));
        } else {
            m.begin(2801);
        }
        return;
    }
    case Protocol::Disk: {
        uint32_t which = below(4);
        if (which == 0) {
            m.begin(2804);
            m.put_int32(D_READ);
            m.put_int64(static_cast<int64_t>(below(200000)));
            m.put_int32(static_cast<int32_t>(chance(80) ? 512 * (1 + below(16)) : next()));
        } else if (which == 1) {
            m.begin(2805);
            m.put_int32(D_READ);
            m.put_int64(static_cast<int64_t>(below(200000)));
            m.put_int32(static_cast<int32_t>(below(300)));
        } else if (which == 2) {
            m.begin(2811);
            m.put_int32(static_cast<int32_t>(below(20)));
            m.put_int32(static_cast<int32_t>(below(64)));
        } else {
            m.begin(2801);
        }
        return;
    }
    }
}

// --- mutations -----------------------------------------------------------------------------

enum Mutation {
    None,
    RandomBody,
    FlipBytes,
    Truncate,
    SizeLie,
    ComplexBit,
    TypeDescriptor,
    PortForInteger,
    IntegerForPort,
    OutOfLineClaim,
    HugeRegion,
    MovedReceiveRight,
    MutationCount
};

const char* mutation_name(int m)
{
    static const char* names[] = { "none", "random-body", "flip-bytes", "truncate", "size-lie", "complex-bit",
        "type-descriptor", "port-for-integer", "integer-for-port", "ool-claim", "huge-region", "moved-receive" };
    return m >= 0 && m < MutationCount ? names[m] : "?";
}

// The offsets of the type descriptors of m's body as the kernel walks it (at most 32).
size_t descriptors(raw::Message& m, size_t* at, size_t max = 32)
{
    size_t n = 0;
    size_t p = sizeof(mach_msg_header_t);
    while (p + sizeof(mach_msg_type_t) <= m.size() && n < max) {
        auto* t = reinterpret_cast<mach_msg_type_t*>(m.bytes() + p);
        at[n++] = p;
        p += sizeof(mach_msg_type_t);
        if (t->msgt_inline)
            p += ((static_cast<size_t>(t->msgt_number) * t->msgt_size + 7) / 8 + 7) & ~size_t(7);
        else
            p += sizeof(void*);
    }
    return n;
}

// Never give our own rights away or let the kernel unmap our memory: a moved right becomes a
// copied or made one, and no out-of-line item asks for deallocation. (A receive right of our
// own is moved only where a mutation meant it: MovedReceiveRight makes a fresh one.)
// And never send what panics the kernel rather than reaching a server: GNU Mach (Debian 13's,
// built with assertions) computes an out-of-line item's length in 64 bits when it copies the
// message in, but in 32 bits (number * size, in bits) when it destroys one, and asserts that
// an item of length 0 has no memory ("ipc_kmsg_clean_body: Assertion `data == 0' failed",
// then a panic). An item whose size in bits is a multiple of 2^32 (512 MiB, 1 GiB) that the
// kernel could copy in (any memory of ours lies there) would bring it down when destroyed, so
// such an item is made one element shorter.
void sanitize(raw::Message& m, mach_port_t moved_receive)
{
    static size_t at[raw::Message::capacity / sizeof(mach_msg_type_t)];
    size_t n = descriptors(m, at, sizeof at / sizeof at[0]);
    for (size_t i = 0; i < n; ++i) {
        auto* t = reinterpret_cast<mach_msg_type_t*>(m.bytes() + at[i]);
        if (g_honest_complex_bit && (!t->msgt_inline || MACH_MSG_TYPE_PORT_ANY(t->msgt_name)))
            m.header()->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
        t->msgt_deallocate = 0;
        if (!t->msgt_inline) {
            uint32_t wrapped = static_cast<uint32_t>(t->msgt_number * t->msgt_size);
            uint64_t bits = static_cast<uint64_t>(t->msgt_number) * t->msgt_size;
            if (bits != 0 && static_cast<uint32_t>(wrapped + 7) >> 3 == 0)
                t->msgt_number -= 1;
        }
        unsigned name = t->msgt_name;
        if (name == MACH_MSG_TYPE_MOVE_SEND)
            t->msgt_name = MACH_MSG_TYPE_COPY_SEND;
        else if (name == MACH_MSG_TYPE_MOVE_SEND_ONCE)
            t->msgt_name = MACH_MSG_TYPE_MAKE_SEND_ONCE;
        else if (name == MACH_MSG_TYPE_MOVE_RECEIVE) {
            bool ours = t->msgt_inline && t->msgt_size == 64 && t->msgt_number == 1
                && at[i] + sizeof(mach_msg_type_t) + 8 <= m.size()
                && *reinterpret_cast<mach_port_t*>(m.bytes() + at[i] + sizeof(mach_msg_type_t)) == moved_receive
                && MACH_PORT_VALID(moved_receive);
            if (!ours)
                t->msgt_name = MACH_MSG_TYPE_MAKE_SEND;
        }
    }
}

int mutate(raw::Message& m, size_t& send_size, mach_port_t& moved_receive)
{
    int kind = static_cast<int>(1 + below(MutationCount - 1));
    size_t at[32];
    size_t n = descriptors(m, at);
    char* body = m.bytes() + sizeof(mach_msg_header_t);
    size_t body_size = m.size() - sizeof(mach_msg_header_t);
    switch (kind) {
    case RandomBody: {
        size_t size = below(chance(80) ? 256 : 4000) & ~size_t(chance(80) ? 7 : 3);
        for (size_t i = 0; i < size; ++i)
            body[i] = static_cast<char>(next());
        m.set_size(sizeof(mach_msg_header_t) + size);
        if (chance(50))
            m.header()->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
        break;
    }
    case FlipBytes:
        if (body_size)
            for (uint32_t i = 0, flips = 1 + below(8); i < flips; ++i)
                body[below(static_cast<uint32_t>(body_size))] = static_cast<char>(next());
        break;
    case Truncate:
        m.set_size(sizeof(mach_msg_header_t) + (below(static_cast<uint32_t>(body_size) + 1) & ~size_t(3)));
        break;
    case SizeLie: {
        // The kernel takes the size given to mach_msg: more (what lies beyond is random), less,
        // or not a multiple of 4, or below a header.
        uint32_t how = below(4);
        size_t size = m.size();
        if (how == 0) {
            size_t extra = 8 * (1 + below(64));
            for (size_t i = 0; i < extra && size + i < raw::Message::capacity; ++i)
                m.bytes()[size + i] = static_cast<char>(next());
            send_size = size + extra < raw::Message::capacity ? size + extra : raw::Message::capacity;
        } else if (how == 1) {
            send_size = size > 8 ? size - 4 * (1 + below(2)) : size;
        } else if (how == 2) {
            send_size = size + 1 + below(3);
        } else {
            send_size = below(sizeof(mach_msg_header_t));
        }
        break;
    }
    case ComplexBit:
        m.header()->msgh_bits ^= MACH_MSGH_BITS_COMPLEX;
        break;
    case TypeDescriptor:
        if (n) {
            auto* t = reinterpret_cast<mach_msg_type_t*>(m.bytes() + at[below(static_cast<uint32_t>(n))]);
            switch (below(6)) {
            case 0:
                t->msgt_name = below(24);
                break;
            case 1:
                t->msgt_size = static_cast<unsigned>(next());
                break;
            case 2:
                t->msgt_number = chance(50) ? static_cast<uint32_t>(next()) : t->msgt_number + 1 + below(4096);
                break;
            case 3:
                t->msgt_inline ^= 1;
                break;
            case 4:
                t->msgt_longform ^= 1;
                break;
            default:
                t->msgt_unused = below(32);
                break;
            }
        }
        break;
    case PortForInteger:
        // The first integer item becomes a send right of ours.
        for (size_t i = 0; i < n; ++i) {
            auto* t = reinterpret_cast<mach_msg_type_t*>(m.bytes() + at[i]);
            if (t->msgt_inline && t->msgt_number == 1 && (t->msgt_size == 32 || t->msgt_size == 64)
                && t->msgt_name != MACH_MSG_TYPE_COPY_SEND && at[i] + sizeof(mach_msg_type_t) + 8 <= m.size()) {
                t->msgt_name = chance(50) ? MACH_MSG_TYPE_MAKE_SEND : MACH_MSG_TYPE_MAKE_SEND_ONCE;
                t->msgt_size = 64;
                uint64_t slot = g_own.spare;
                __builtin_memcpy(m.bytes() + at[i] + sizeof(mach_msg_type_t), &slot, 8);
                m.header()->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
                break;
            }
        }
        break;
    case IntegerForPort:
        for (size_t i = 0; i < n; ++i) {
            auto* t = reinterpret_cast<mach_msg_type_t*>(m.bytes() + at[i]);
            if (t->msgt_name >= MACH_MSG_TYPE_MOVE_RECEIVE && t->msgt_name <= MACH_MSG_TYPE_MAKE_SEND_ONCE) {
                t->msgt_name = chance(50) ? MACH_MSG_TYPE_INTEGER_64 : MACH_MSG_TYPE_INTEGER_32;
                if (chance(50) && t->msgt_inline)
                    __builtin_memset(m.bytes() + at[i] + sizeof(mach_msg_type_t), 0x41, 8);
                break;
            }
        }
        break;
    case OutOfLineClaim:
    case HugeRegion: {
        // An item becomes out-of-line: a claim of up to 1 GiB over our 4 KiB buffer, or the
        // real untouched 1 GiB region.
        mach_msg_type_t t {};
        t.msgt_name = chance(80) ? MACH_MSG_TYPE_CHAR : MACH_MSG_TYPE_INTEGER_32;
        t.msgt_size = t.msgt_name == MACH_MSG_TYPE_CHAR ? 8 : 32;
        uint32_t bytes = kind == HugeRegion ? static_cast<uint32_t>(huge_size >> below(12))
                                            : static_cast<uint32_t>(chance(30) ? huge_size : 4096 + below(1u << 30));
        t.msgt_number = bytes / (t.msgt_size / 8);
        t.msgt_inline = 0;
        const void* address = kind == HugeRegion ? g_own.huge : g_own.small;
        size_t p = n ? at[below(static_cast<uint32_t>(n))] : m.size();
        if (p + 16 > raw::Message::capacity)
            break;
        __builtin_memcpy(m.bytes() + p, &t, sizeof t);
        __builtin_memcpy(m.bytes() + p + 8, &address, 8);
        if (p + 16 > m.size())
            m.set_size(p + 16);
        m.header()->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
        break;
    }
    case MovedReceiveRight: {
        // A fresh receive right, moved to the server in place of an item.
        mach_port_t fresh = raw::new_receive_right();
        if (!MACH_PORT_VALID(fresh))
            break;
        moved_receive = fresh;
        size_t p = n ? at[below(static_cast<uint32_t>(n))] : m.size();
        if (p + 16 > raw::Message::capacity)
            break;
        mach_msg_type_t t {};
        t.msgt_name = MACH_MSG_TYPE_MOVE_RECEIVE;
        t.msgt_size = 64;
        t.msgt_number = 1;
        t.msgt_inline = 1;
        uint64_t slot = fresh;
        __builtin_memcpy(m.bytes() + p, &t, sizeof t);
        __builtin_memcpy(m.bytes() + p + 8, &slot, 8);
        if (p + 16 > m.size())
            m.set_size(p + 16);
        m.header()->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
        break;
    }
    default:
        break;
    }
    return kind;
}

// --- one message ---------------------------------------------------------------------------

struct Sent {
    mach_msg_id_t id = 0;
    int mutation = None;
    const char* reply = "";
    raw::Outcome outcome;
};

constexpr unsigned reply_wait_ms = 300;

Sent send_one(Target& target)
{
    static raw::Message m;
    Sent s;
    size_t send_size = 0;
    mach_port_t moved_receive = MACH_PORT_NULL;
    uint32_t shape = below(100);
    if (shape < 65) {
        build_real(target.protocol, m);
        s.mutation = chance(12) ? None : mutate(m, send_size, moved_receive);
        if (m.header()->msgh_id != 0 && excluded(target.protocol, m.header()->msgh_id))
            m.header()->msgh_id = 999999; // an excluded routine's body under an unknown id
    } else {
        // Random bytes under an id of this server's ranges, or any id.
        mach_msg_id_t id;
        do {
            if (chance(75)) {
                const IdRange* list = nullptr;
                size_t count = 0;
                ranges_of(target.protocol, list, count);
                const IdRange& r = list[below(static_cast<uint32_t>(count))];
                id = r.first + static_cast<mach_msg_id_t>(below(static_cast<uint32_t>(r.last - r.first + 1)));
            } else {
                id = static_cast<mach_msg_id_t>(chance(50) ? next() : below(100000));
            }
        } while (excluded(target.protocol, id));
        m.begin(id);
        size_t size = below(chance(90) ? 512 : 4000) & ~size_t(chance(90) ? 7 : 3);
        for (size_t i = 0; i < size; ++i)
            m.bytes()[sizeof(mach_msg_header_t) + i] = static_cast<char>(next());
        m.set_size(sizeof(mach_msg_header_t) + size);
        if (chance(40))
            m.header()->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
        s.mutation = RandomBody;
        if (chance(30))
            (void)mutate(m, send_size, moved_receive);
    }
    sanitize(m, moved_receive);
    s.id = m.header()->msgh_id;
    // The reply port.
    raw::ReplyTo to { g_own.reply, MACH_MSG_TYPE_MAKE_SEND_ONCE, reply_wait_ms };
    uint32_t r = below(100);
    s.reply = "send-once";
    if (r < 10) {
        to = { MACH_PORT_NULL, 0, 0 };
        s.reply = "none";
    } else if (r < 16) {
        to = { g_own.dead, MACH_MSG_TYPE_COPY_SEND, 0 };
        s.reply = "dead-name";
    } else if (r < 21) {
        to = { g_own.full, MACH_MSG_TYPE_MAKE_SEND, 0 };
        s.reply = "full-queue";
    } else if (r < 24) {
        to = { target.port, MACH_MSG_TYPE_COPY_SEND, 0 };
        s.reply = "destination";
    } else if (r < 32) {
        to = { g_own.reply, MACH_MSG_TYPE_MAKE_SEND, reply_wait_ms };
        s.reply = "send";
    }
    if (target.dead)
        to.wait_ms = 0;
    if (send_size) {
        // The size lie: call() sends m.size() bytes, so the message is resized for it (a
        // shorter size cuts, a longer one sends what lies beyond).
        m.set_size(send_size);
    }
    s.outcome = raw::call(m, target.port, MACH_MSG_TYPE_COPY_SEND, to, 200);
    if (MACH_PORT_VALID(moved_receive) && !s.outcome.sent())
        raw::destroy_receive_right(moved_receive); // the kernel gave it back
    return s;
}

// --- liveness probes and checks --------------------------------------------------------------

// A real request the target's server must answer at once.
bool probe(Target& t)
{
    raw::Message m;
    switch (t.protocol) {
    case Protocol::FsDir:
    case Protocol::FsFile:
    case Protocol::FsRoot:
        m.begin(24004);
        break;
    case Protocol::Exec:
    case Protocol::Process:
        m.begin(30007);
        break;
    case Protocol::Startup:
        m.begin(30500);
        break;
    case Protocol::Master:
        m.begin(24800);
        break;
    case Protocol::PciRoot:
    case Protocol::PciDevice:
        m.begin(39002);
        break;
    case Protocol::Disk:
        m.begin(2811);
        m.put_int32(0);
        m.put_int32(8);
        break;
    }
    // A reply port of the probe's own: a late answer to a fuzzed message (on g_own.reply) must
    // not be taken for the probe's. Generous bounds: a server busy loading a program under a
    // loaded host is not stuck.
    auto reply = runtime::ReceiveRight::allocate();
    if (reply.is_error())
        return false;
    auto out = raw::call(
        m, t.port, MACH_MSG_TYPE_COPY_SEND, { reply.value().name(), MACH_MSG_TYPE_MAKE_SEND_ONCE, 10000 }, 2000);
    return out.replied() && out.reply_id == m.header()->msgh_id + 100;
}

struct Profile {
    boot_profile_entry_t entries[16] = {};
    mach_msg_type_number_t count = 0;
    kern_return_t result = KERN_FAILURE;
};

Profile profile()
{
    Profile p;
    p.count = 16;
    runtime::ClientCallBound bound(5000);
    if (MACH_PORT_VALID(program::self().device_master()))
        p.result = boot_profile_get(program::self().device_master(), p.entries, &p.count);
    if (p.result != KERN_SUCCESS)
        p.count = 0;
    return p;
}

StringView entry_name(const boot_profile_entry_t& e)
{
    size_t n = 0;
    while (n < sizeof e.name && e.name[n])
        ++n;
    return { e.name, n };
}

// ext2fs's own account of its memory (fs_server_stats on a node port).
void print_fs_stats(const char* when, mach_port_t node)
{
    fs_server_stats_t st {};
    kern_return_t r;
    {
        runtime::ClientCallBound bound(5000);
        r = fs_server_stats(node, &st);
    }
    if (r != KERN_SUCCESS) {
        program::println("msgfuzz: ext2fs {}: fs_server_stats: {}", when, Code { r });
        return;
    }
    program::println("msgfuzz: ext2fs {}: resident {} KiB, virtual {} KiB, cache {} KiB ({} blocks), heap {} KiB, "
                     "open nodes {}",
        when, st.resident_bytes / 1024, st.virtual_bytes / 1024, st.cache_bytes / 1024, st.cached_blocks,
        st.heap_bytes / 1024, st.open_nodes);
}

int g_failed_checks = 0;

template<typename... Args> void check(bool ok, StringView name, StringView fmt, const Args&... args)
{
    auto text = base::formatted<200>(fmt, args...);
    if (ok) {
        program::println("msgfuzz: check {}: ok ({})", name, text.view());
    } else {
        ++g_failed_checks;
        program::println("msgfuzz: check {}: FAILED ({})", name, text.view());
    }
    (void)program::out().flush();
}

// The PCI functions as lspci lists them: the count, and whether every page came.
struct PciListing {
    kern_return_t result = KERN_FAILURE;
    uint32_t total = 0;
    uint32_t listed = 0;
};

PciListing list_pci()
{
    PciListing l;
    auto& self = program::self();
    if (!MACH_PORT_VALID(self.device_master()))
        return l;
    runtime::ClientCallBound bound(5000);
    mach_port_t root = MACH_PORT_NULL;
    char name[128] = "pci";
    l.result = device_open(self.device_master(), D_READ, name, &root);
    if (l.result != KERN_SUCCESS)
        return l;
    for (;;) {
        pci_enum_entry_t entries[64];
        mach_msg_type_number_t count = 64;
        uint32_t total = 0;
        l.result = pci_enum_list(root, l.listed, entries, &count, &total);
        if (l.result != KERN_SUCCESS)
            break;
        l.total = total;
        l.listed += count;
        if (count == 0 || l.listed >= total)
            break;
    }
    mach_port_deallocate(mach_task_self(), root);
    return l;
}

// The scratch file's content: a pattern of the round.
void pattern(char* data, size_t size, unsigned round)
{
    for (size_t i = 0; i < size; ++i)
        data[i] = static_cast<char>('a' + (i * 7 + round) % 26);
}

bool file_round_trip(const fsclient::Node& dir, base::BoundedString<200>& why)
{
    static char data[10000], back[10000];
    pattern(data, sizeof data, 3);
    auto file = dir.lookup("check-file", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_CREATE | FS_LOOKUP_TRUNC, 0644);
    if (file.is_error()) {
        why = base::formatted<200>("dir_lookup of check-file: {}", Code { file.error().code() });
        return false;
    }
    auto w = file.value().write(0, data, sizeof data);
    if (w.is_error() || w.value() != sizeof data) {
        why = base::formatted<200>("io_write: {}", Code { w.is_error() ? w.error().code() : 0 });
        return false;
    }
    auto again = dir.lookup("check-file", FS_LOOKUP_READ);
    if (again.is_error()) {
        why = base::formatted<200>("dir_lookup again: {}", Code { again.error().code() });
        return false;
    }
    auto r = again.value().read(0, back, sizeof back);
    if (r.is_error() || r.value() != sizeof back || __builtin_memcmp(data, back, sizeof data) != 0) {
        why = base::formatted<200>("read back: {}", r.is_error() ? "an error" : "different bytes");
        return false;
    }
    why = base::formatted<200>("10000 bytes written and read back");
    return true;
}

} // namespace

int program_main(int argc, char** argv)
{
    auto& self = program::self();
    base::OptionParser options("msgfuzz");
    unsigned long long seed = 0, count = 10000, warmup = 0, seconds = 0;
    StringView scratch = "fuzz";
    options.add_number("seed", seed, "the generator's seed (default: from the clock)");
    options.add_number("count", count, "how many messages (default 10000)");
    options.add_number("seconds", seconds, "stop after this many seconds of fuzzing (default 0: no limit)");
    options.add_number("warmup", warmup, "messages before the memory is measured (default count/10, at most 1000)");
    options.add_text("scratch", scratch, "the scratch directory at the root (default fuzz)");
    bool gentle = false;
    options.add_flag("no-hostile-ports", gentle, "no port that never answers where a server calls it");
    options.add_flag("honest-complex-bit", g_honest_complex_bit, "the complex bit on every body with rights or memory");
    if (options.parse(argc, argv).is_error()) {
        program::complain("{}", options.error_message());
        return 2;
    }
    if (!options.seen("seed"))
        seed = runtime::uptime_ms() * 2654435761ULL + 1;
    if (!options.seen("warmup"))
        warmup = count / 10 < 1000 ? count / 10 : 1000;
    g_state = seed;
    g_hostile_ports = !gentle;
    program::println("msgfuzz: seed {}, count {}, seconds {}, warmup {}{}{}", seed, count, seconds, warmup,
        gentle ? ", no hostile ports" : "", g_honest_complex_bit ? ", honest complex bit" : "");

    // Our own ports and memory.
    g_own.reply = raw::new_receive_right();
    g_own.spare = raw::new_receive_right();
    g_own.full = raw::new_receive_right();
    mach_port_set_qlimit(mach_task_self(), g_own.full, 1);
    mach_port_insert_right(mach_task_self(), g_own.full, g_own.full, MACH_MSG_TYPE_MAKE_SEND);
    {
        raw::Message m;
        m.begin(4242);
        (void)raw::call(m, g_own.full, MACH_MSG_TYPE_COPY_SEND, { MACH_PORT_NULL, 0, 0 }, 0);
    }
    {
        mach_port_t doomed = raw::new_receive_right();
        mach_port_insert_right(mach_task_self(), doomed, doomed, MACH_MSG_TYPE_MAKE_SEND);
        raw::destroy_receive_right(doomed); // the send right becomes a dead name
        g_own.dead = doomed;
    }
    vm_address_t small = 0, huge = 0;
    vm_allocate(mach_task_self(), &small, 4096, TRUE);
    vm_allocate(mach_task_self(), &huge, huge_size, TRUE);
    g_own.small = reinterpret_cast<void*>(small);
    g_own.huge = reinterpret_cast<void*>(huge);

    // The targets.
    auto rw = security::open_directory(self.root(), "");
    auto ro = self.root().lookup("", FS_LOOKUP_READ);
    if (rw.is_error() || ro.is_error()) {
        program::println(
            "msgfuzz: the root cannot be opened again: {}", Code { (rw.is_error() ? rw : ro).error().code() });
        return 1;
    }
    (void)rw.value().mkdir(scratch, 0755);
    auto dir = security::open_directory(rw.value(), scratch);
    if (dir.is_error()) {
        program::println("msgfuzz: /{} cannot be opened: {}", scratch, Code { dir.error().code() });
        return 1;
    }
    auto file = dir.value().lookup("file", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_CREATE, 0644);
    auto empty = dir.value().lookup("empty", FS_LOOKUP_READ | FS_LOOKUP_CREATE, 0644);
    auto sh = self.root().lookup("bin/sh", FS_LOOKUP_READ | FS_LOOKUP_EXEC);
    g_targets[0].port = dir.value().port();
    g_targets[1].port = file.is_error() ? MACH_PORT_NULL : file.value().port();
    g_targets[2].port = ro.value().port();
    g_targets[3].port = self.exec_server();
    task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &g_targets[4].port);
    g_own.empty_file = empty.is_error() ? MACH_PORT_NULL : empty.value().port();
    g_own.sh = sh.is_error() ? MACH_PORT_NULL : sh.value().port();
    {
        // A program that has ended: its process port.
        static const base::StringView environment[] = { "HOME=/" };
        const StringView args[] = { "sh", "-c", "exit 0" };
        execclient::Spawn spawn;
        spawn.argv = args;
        spawn.argc = 3;
        spawn.envp = environment;
        spawn.envc = 1;
        spawn.ports[EXEC_PORT_CRDIR] = self.root().port();
        spawn.ports[EXEC_PORT_CONSOLE] = self.console();
        runtime::ClientCallBound bound(20000);
        auto process = execclient::run(self.exec_server(), MACH_PORT_NULL, "/bin/sh", spawn);
        if (!process.is_error()) {
            (void)process.value().wait();
            // Keep the process port; the task port goes.
            execclient::Process p = static_cast<execclient::Process&&>(process.value());
            mach_port_t name = p.process();
            mach_port_mod_refs(mach_task_self(), name, MACH_PORT_RIGHT_SEND, 1);
            g_targets[5].port = name;
        }
    }
    g_targets[6].port = self.device_master();
    if (MACH_PORT_VALID(self.device_master())) {
        runtime::ClientCallBound bound(5000);
        char pci[128] = "pci";
        mach_port_t root = MACH_PORT_NULL;
        if (device_open(self.device_master(), D_READ, pci, &root) == KERN_SUCCESS) {
            g_targets[7].port = root;
            mach_port_t function = MACH_PORT_NULL;
            if (pci_enum_open(root, 0, 0, 0, &function) == KERN_SUCCESS)
                g_targets[8].port = function;
        }
        char wd0[128] = "wd0";
        mach_port_t disk = MACH_PORT_NULL;
        if (device_open(self.device_master(), D_READ, wd0, &disk) == KERN_SUCCESS)
            g_targets[9].port = disk;
    }
    for (auto& t : g_targets)
        program::println(
            "msgfuzz: target {} ({}): {}", t.name, t.server, MACH_PORT_VALID(t.port) ? "reached" : "not reachable");

    // The PCI listing and the boot profile before.
    PciListing pci_before = list_pci();
    Profile initial = profile();

    // Warm-up: ext2fs's block cache filled to its budget (1 MiB by default: a 2 MiB file
    // written and read back, and every program read whole), then fuzzing; what the cache
    // holds is not growth the run caused.
    {
        static char block[64 * 1024];
        pattern(block, sizeof block, 1);
        auto warm
            = dir.value().lookup("warm", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_CREATE | FS_LOOKUP_TRUNC, 0644);
        for (int i = 0; i < 32 && !warm.is_error(); ++i)
            (void)warm.value().write(static_cast<int64_t>(i) * sizeof block, block, sizeof block);
        if (!warm.is_error())
            (void)warm.value().read_all(4 << 20);
    }
    static const char* const programs[] = { "bin/sh", "bin/manifest", "bin/msgfuzz", "bin/attack", "sbin/init" };
    for (const char* name : programs) {
        auto f = self.root().lookup(name, FS_LOOKUP_READ);
        if (!f.is_error())
            (void)f.value().read_all(4 << 20);
    }

    Target* reachable[target_count];
    size_t reachable_count = 0;
    for (auto& t : g_targets)
        if (MACH_PORT_VALID(t.port))
            reachable[reachable_count++] = &t;

    Profile before;
    uint64_t started = runtime::uptime_ms();
    uint64_t measured = started; // the end of the warm-up: --seconds count from there
    unsigned long long total = warmup + count;
    unsigned long long i = 0;
    for (; i < total; ++i) {
        if (seconds && i > warmup && runtime::uptime_ms() - measured > seconds * 1000)
            break;
        if (i == warmup) {
            measured = runtime::uptime_ms();
            before = profile();
            print_fs_stats("before", g_targets[2].port);
            program::println("msgfuzz: warm-up done ({} messages); measuring", warmup);
        }
        Target& t = *reachable[below(static_cast<uint32_t>(reachable_count))];
        if (t.dead) {
            ++t.skipped;
            continue;
        }
        Sent s = send_one(t);
        ++t.sent;
        // Messages the kernel refused never reached the server and say nothing of it; a reply
        // says it lives; a full queue, a dead port or silence on a reply port of ours count
        // towards a probe.
        if (!s.outcome.sent()) {
            ++t.send_errors;
            if (s.outcome.send == MACH_SEND_TIMED_OUT || s.outcome.send == MACH_SEND_INVALID_DEST)
                ++t.consecutive_silent;
        } else if (s.outcome.replied()) {
            ++t.replies;
            t.successes += s.outcome.has_ret_code && s.outcome.ret_code == KERN_SUCCESS;
            t.consecutive_silent = 0;
        } else if (s.reply[0] == 's') {
            ++t.silent;
            ++t.consecutive_silent;
        }
        if (t.consecutive_silent >= 20) {
            t.consecutive_silent = 0;
            if (!probe(t)) {
                // The server is stuck or gone: every port of it is left alone from now on.
                for (auto& other : g_targets)
                    if (StringView(other.server) == StringView(t.server))
                        other.dead = true;
                program::println("msgfuzz: FINDING: {} ({}) stopped answering after message {} (the last: id {}, {}, "
                                 "reply {}: {})",
                    t.server, t.name, i, s.id, mutation_name(s.mutation), s.reply,
                    Code { s.outcome.sent() ? s.outcome.receive : s.outcome.send });
            }
        }
        if (i % 2000 == 1999) {
            program::println("msgfuzz: {} messages sent ({} ms)", i + 1, runtime::uptime_ms() - started);
            (void)program::out().flush();
        }
    }
    uint64_t elapsed = runtime::uptime_ms() - started;
    // A server still calling a port of ours that never answers is freed now: the ports die.
    raw::destroy_receive_right(g_own.spare);
    raw::destroy_receive_right(g_own.full);
    total = i;
    raw::drain(g_own.reply, 500);
    program::println("msgfuzz: {} messages in {} ms", total, elapsed);
    for (auto& t : g_targets)
        if (MACH_PORT_VALID(t.port))
            program::println("msgfuzz: {}: {} messages, {} replies ({} KERN_SUCCESS), {} refused by the kernel, {} "
                             "unanswered{}",
                t.name, t.sent, t.replies, t.successes, t.send_errors, t.silent, t.dead ? ", STOPPED ANSWERING" : "");

    // Every server still answers its real protocol.
    for (auto& t : g_targets)
        if (MACH_PORT_VALID(t.port))
            check(probe(t), t.name, "{} answers a real request", t.server);
    base::BoundedString<200> why;
    bool round_trip = file_round_trip(dir.value(), why);
    check(round_trip, "ext2fs-file", "{}", why.view());
    {
        auto motd = ro.value().lookup("etc/motd", FS_LOOKUP_READ);
        check(!motd.is_error(), "ext2fs-lookup", "{}",
            motd.is_error() ? base::formatted<64>("{}", Code { motd.error().code() }).view()
                            : StringView("etc/motd found"));
    }
    {
        auto ran = security::shell("exit 7");
        check(ran.ok(7), "exec-start", "sh -c 'exit 7' {}", ran);
    }
    {
        PciListing after = list_pci();
        bool ok = after.result == KERN_SUCCESS && after.total > 0 && after.listed == after.total
            && (pci_before.result != KERN_SUCCESS || after.total == pci_before.total);
        check(ok, "pci-listing", "{} functions listed of {} ({} before): {}", after.listed, after.total,
            pci_before.total, Code { after.result });
    }
    {
        mach_port_t console = MACH_PORT_NULL;
        kern_return_t r = KERN_INVALID_CAPABILITY;
        if (MACH_PORT_VALID(self.device_master())) {
            runtime::ClientCallBound bound(5000);
            char name[128] = "console";
            r = device_open(self.device_master(), D_READ | D_WRITE, name, &console);
        }
        check(r == KERN_SUCCESS, "console-open", "device_open(\"console\"): {}", Code { r });
        if (MACH_PORT_VALID(console))
            mach_port_deallocate(mach_task_self(), console);
    }
    if (MACH_PORT_VALID(g_targets[9].port)) {
        io_buf_ptr_t data = nullptr;
        mach_msg_type_number_t n = 0;
        runtime::ClientCallBound bound(5000);
        kern_return_t r = device_read(g_targets[9].port, 0, 0, 512, &data, &n);
        bool ok = r == KERN_SUCCESS && n >= 512 && static_cast<unsigned char>(data[510]) == 0x55
            && static_cast<unsigned char>(data[511]) == 0xaa;
        if (r == KERN_SUCCESS && data)
            vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(data), n);
        check(ok, "disk-read", "sector 0 of wd0: {}, {} bytes", Code { r }, n);
    }

    // Memory: before (after the warm-up) and after, per link.
    Profile after = profile();
    print_fs_stats("after", g_targets[2].port);
    check(after.result == KERN_SUCCESS && before.result == KERN_SUCCESS, "boot-profile", "boot_profile_get: {} then {}",
        Code { before.result }, Code { after.result });
    for (mach_msg_type_number_t i = 0; i < after.count; ++i) {
        StringView name = entry_name(after.entries[i]);
        uint32_t at_start = 0, at_before = 0;
        for (mach_msg_type_number_t j = 0; j < before.count; ++j)
            if (entry_name(before.entries[j]) == name)
                at_before = before.entries[j].resident_kib;
        for (mach_msg_type_number_t j = 0; j < initial.count; ++j)
            if (entry_name(initial.entries[j]) == name)
                at_start = initial.entries[j].resident_kib;
        program::println("msgfuzz: memory {} start={} before={} after={} KiB", name, at_start, at_before,
            after.entries[i].resident_kib);
    }

    (void)dir.value().sync();
    if (g_failed_checks == 0)
        program::println("msgfuzz: done: {} messages; all checks passed", total);
    else
        program::println("msgfuzz: done: {} messages; {} checks FAILED", total, g_failed_checks);
    return g_failed_checks == 0 ? 0 : 1;
}
