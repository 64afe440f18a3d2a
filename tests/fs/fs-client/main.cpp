// fs-client: the filesystem tests' client of ext2fs. It takes exec's place in the chain, so its
// bootstrap port is ext2fs's port: it gets '/' with fsys_getroot there and runs one test
// through the file protocol (fs.defs):
//   --test=ops        reads the tree tests/fs/fs_tests.py made and checks it, then writes
//                     (create, write, append, extend, truncate, unlink, mkdir, rmdir, rename,
//                     symlink, hard link, chmod, utimes), checks the errors the protocol gives,
//                     that read-only ports change nothing, the permission bits against other
//                     identities (io_restrict_auth), each uid's share of the node table, and
//                     hand-made requests (an unterminated name, lost replies), then syncs and
//                     asks ext2fs to go away (clean, read-only)
//   --test=read       reads /hello.txt (the root spec tests)
//   --test=goaway     asks ext2fs to go away (clean, read-only) at once
//   --test=corrupt    /bad has a corrupt directory entry: errors there, the rest still served
//   --test=readonly   a read-only mount: reads work, every change is FS_EROFS
//   --test=bench      [--megabytes=N] [--files=N] the chain's rows of tests/bench: /bench.bin read
//                     cold and warm, /small's files read, /stat's entries stat'ed, files created
//                     and deleted, a file written, each with a sync; a null RPC against a bare
//                     mach_msg round trip; ext2fs's memory
// It prints what failed and powers off with 0 when every check passed, else 1.
#include "base/options.h"
#include "chain/link.h"
#include "content.h"
#include "fsclient/client.h"
#include "fsclient/status.h"
#include "runtime/clock.h"
#include "runtime/console.h"
#include "runtime/msg.h"
#include "runtime/power.h"
#include "runtime/threads.h"

namespace {

unsigned g_failures = 0;
unsigned g_checks = 0;

template<typename... Args> void check(bool ok, base::StringView fmt, const Args&... args)
{
    ++g_checks;
    if (ok)
        return;
    ++g_failures;
    base::format(runtime::console(), "fs-client: FAIL: ");
    base::format(runtime::console(), fmt, args...);
    runtime::console().put('\n');
}

int code_of(const base::Result<void>& r)
{
    return r.is_error() ? r.error().code() : 0;
}

template<typename T> int code_of(const base::Result<T>& r)
{
    return r.is_error() ? r.error().code() : 0;
}

// Checks that r succeeded; says what failed with the code's name.
template<typename T> bool ok(const base::Result<T>& r, base::StringView what)
{
    check(!r.is_error(), "{}: {}", what,
        r.is_error() ? fsclient::ErrorText { r.error() } : fsclient::ErrorText { base::Error(0) });
    return !r.is_error();
}

// Checks that r failed with exactly `expected`.
template<typename T> void fails_with(const base::Result<T>& r, int expected, base::StringView what)
{
    check(code_of(r) == expected, "{}: got {}, expected {}", what, fsclient::Status { code_of(r) },
        fsclient::Status { expected });
}

fsclient::Node g_root;

fsclient::Node open(base::StringView path, int flags = FS_LOOKUP_READ)
{
    auto n = g_root.lookup(path, flags);
    if (n.is_error()) {
        check(false, "opening {}: {}", path, fsclient::ErrorText { n.error() });
        return {};
    }
    return static_cast<fsclient::Node&&>(n.value());
}

// The whole file at path equals text.
void expect_text(base::StringView path, base::StringView text)
{
    fsclient::Node n = open(path);
    if (!n.valid())
        return;
    auto data = n.read_all();
    if (!ok(data, path))
        return;
    bool same = data.value().size() == text.size()
        && base::compare_memory(data.value().data(), text.data(), text.size()) == 0;
    check(same, "{}: {} bytes, not the {} expected", path, data.value().size(), text.size());
}

// The whole file at path is `size` bytes of the content of `seed`.
void expect_content(base::StringView path, uint32_t seed, uint64_t size)
{
    fsclient::Node n = open(path);
    if (!n.valid())
        return;
    auto st = n.stat();
    if (!ok(st, path))
        return;
    check(st.value().size == size, "{}: size {}, expected {}", path, st.value().size, size);
    auto data = n.read_all();
    if (!ok(data, path))
        return;
    size_t at = content::first_difference(data.value().data(), 0, data.value().size(), seed);
    check(at == data.value().size() && data.value().size() == size, "{}: differs at byte {} (of {})", path, at,
        data.value().size());
}

fsclient::Stat stat_of(base::StringView path, int flags = FS_LOOKUP_READ)
{
    fsclient::Node n = open(path, flags);
    if (!n.valid())
        return {};
    auto st = n.stat();
    ok(st, path);
    return st.is_error() ? fsclient::Stat {} : st.value();
}

// ---- ops: the tree as made on the host -------------------------------------------------

void read_tree()
{
    expect_text("hello.txt", "hello, world\n");
    expect_text("/hello.txt", "hello, world\n");
    expect_text("empty", "");
    struct {
        const char* name;
        uint32_t seed;
        uint64_t size;
    } small[] = { { "small/s1", 1, 1 }, { "small/s2", 2, 100 }, { "small/s3", 3, 511 }, { "small/s4", 4, 512 },
        { "small/s5", 5, 4095 }, { "small/s6", 6, 4096 }, { "small/s7", 7, 4097 }, { "small/s8", 8, 12293 },
        { "big.bin", 20, (5 << 20) + 123 } };
    for (auto& f : small)
        expect_content(f.name, f.seed, f.size);

    // A sparse file: data, a hole of zeros, data.
    fsclient::Node sparse = open("sparse.bin");
    if (sparse.valid()) {
        auto data = sparse.read_all();
        if (ok(data, "sparse.bin")) {
            const uint8_t* d = data.value().data();
            size_t size = data.value().size();
            constexpr size_t hole_end = 3 << 20;
            check(size == hole_end + 4096, "sparse.bin: {} bytes", size);
            if (size == hole_end + 4096) {
                check(content::first_difference(d, 0, 4096, 21) == 4096, "sparse.bin: its first 4 KiB");
                bool zeros = true;
                for (size_t i = 4096; i < hole_end && zeros; ++i)
                    zeros = d[i] == 0;
                check(zeros, "sparse.bin: the hole does not read as zeros");
                check(
                    content::first_difference(d + hole_end, hole_end, 4096, 21) == 4096, "sparse.bin: its last 4 KiB");
            }
            auto st = sparse.stat();
            if (ok(st, "sparse.bin"))
                check(st.value().blocks * 512 < 1 << 20, "sparse.bin uses {} bytes: the hole is allocated",
                    st.value().blocks * 512);
        }
    }

    // Symlinks: relative, up, absolute, slow (long), and a loop.
    expect_text("link-rel", "hello, world\n");
    expect_text("data/link-up", "hello, world\n");
    expect_text("link-abs", "deep\n");
    expect_text("link-long", "slow\n");
    fails_with(g_root.lookup("loop1"), FS_ELOOP, "following a symlink loop");
    fsclient::Node link = open("link-rel", FS_LOOKUP_READ | FS_LOOKUP_NOLINK);
    if (link.valid()) {
        char target[64];
        auto n = link.readlink(target, sizeof target);
        if (ok(n, "readlink link-rel"))
            check(base::StringView(target, n.value()) == base::StringView("hello.txt"), "link-rel's target");
        auto st = link.stat();
        if (ok(st, "stat link-rel"))
            check((st.value().mode & fsclient::mode_type_mask) == fsclient::mode_symlink, "link-rel is not a symlink");
    }

    // Deep paths, '.', '..', and '..' at the root staying there.
    expect_text("data/nested/deep/deeper/deepest/file.txt", "deep\n");
    expect_text("data/nested/./deep/../deep/deeper//deepest/file.txt", "deep\n");
    expect_text("../../hello.txt", "hello, world\n");
    fsclient::Node data_dir = open("data", FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY);
    if (data_dir.valid()) {
        auto up = data_dir.lookup("../../../hello.txt");
        if (ok(up, "../../../hello.txt from /data")) {
            auto all = up.value().read_all();
            check(!all.is_error() && all.value().size() == 13, "/data/../../../hello.txt is not /hello.txt");
        }
        // Lookups are relative to the port's node.
        expect_text("data/nested/deep/deeper/deepest/file.txt", "deep\n");
        auto rel = data_dir.lookup("nested/deep/deeper/deepest/file.txt");
        ok(rel, "a path relative to /data");
    }

    // A directory of 300 names, read in batches.
    fsclient::Node many = open("dirs/many", FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY);
    if (many.valid()) {
        bool seen[300] = {};
        unsigned files = 0, dots = 0, others = 0;
        auto walked = many.for_each_entry([&](const fsclient::Dirent& e) {
            if (e.name == base::StringView(".") || e.name == base::StringView("..")) {
                ++dots;
                return true;
            }
            unsigned long long n = 0;
            if (e.name.size() == 4 && e.name[0] == 'f' && base::parse_unsigned(e.name.substr(1), n) && n < 300
                && !seen[n] && e.type == FS_DT_REG) {
                seen[n] = true;
                ++files;
            } else {
                ++others;
            }
            return true;
        });
        ok(walked, "reading dirs/many");
        check(files == 300 && dots == 2 && others == 0, "dirs/many: {} files, {} dots, {} others", files, dots, others);
    }

    // File positions: reads at offset -1 go on from the port's position; seeks move it.
    fsclient::Node pos = open("small/s8");
    if (pos.valid()) {
        uint8_t a[100], b[100];
        auto r1 = pos.read_region(FS_OFFSET_CURRENT, 100);
        auto r2 = pos.read_region(FS_OFFSET_CURRENT, 100);
        if (ok(r1, "read at the position") && ok(r2, "read at the position again")) {
            content::fill(a, 0, 100, 8);
            content::fill(b, 100, 100, 8);
            check(r1.value().size() == 100 && base::compare_memory(r1.value().data(), a, 100) == 0,
                "the first read at the position");
            check(r2.value().size() == 100 && base::compare_memory(r2.value().data(), b, 100) == 0,
                "the second read at the position");
        }
        auto p = pos.seek(-5, FS_SEEK_END);
        check(!p.is_error() && p.value() == 12288, "io_seek(-5, END) gave {}", p.is_error() ? -1 : p.value());
        auto r3 = pos.read_region(FS_OFFSET_CURRENT, 100);
        check(!r3.is_error() && r3.value().size() == 5, "a read of the last 5 bytes");
        auto r4 = pos.read_region(FS_OFFSET_CURRENT, 100);
        check(!r4.is_error() && r4.value().size() == 0, "a read at the end");
        fails_with(pos.seek(-1, FS_SEEK_SET), FS_EINVAL, "a seek before the start");
    }
}

// ---- ops: what the protocol refuses ------------------------------------------------------

void check_errors()
{
    fails_with(g_root.lookup("no-such-file"), FS_ENOENT, "looking up a missing file");
    fails_with(g_root.lookup("hello.txt/x"), FS_ENOTDIR, "a path through a file");
    fails_with(
        g_root.lookup("hello.txt", FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY), FS_ENOTDIR, "FS_LOOKUP_DIRECTORY on a file");
    {
        // Write access on a directory is the right to change it; its bytes are not written.
        auto dir_write = g_root.lookup("data", FS_LOOKUP_WRITE);
        if (ok(dir_write, "a directory opened with write access"))
            fails_with(dir_write.value().write(0, "x", 1), FS_EISDIR, "io_write on a directory");
    }
    fails_with(g_root.lookup("hello.txt", FS_LOOKUP_READ | FS_LOOKUP_CREATE | FS_LOOKUP_EXCL), FS_EEXIST,
        "an exclusive create of an existing file");
    fails_with(g_root.mkdir("data"), FS_EEXIST, "mkdir of an existing name");
    fails_with(g_root.rmdir("data"), FS_ENOTEMPTY, "rmdir of a directory with files");
    fails_with(g_root.rmdir("hello.txt"), FS_ENOTDIR, "rmdir of a file");
    fails_with(g_root.unlink("data"), FS_EISDIR, "unlink of a directory");
    fails_with(g_root.unlink("no-such-file"), FS_ENOENT, "unlink of a missing name");
    fails_with(g_root.rename("data", g_root, "data/nested/inside"), FS_EINVAL, "a name with '/' in rename");
    fsclient::Node data = open("data", FS_LOOKUP_READ | FS_LOOKUP_WRITE);
    if (data.valid()) {
        fails_with(g_root.rename("data", data, "inside"), FS_EINVAL, "a directory renamed into itself");
        fails_with(g_root.link(data, "data-link"), FS_EPERM, "a hard link to a directory");
    }
    char long_name[300];
    for (char& c : long_name)
        c = 'n';
    fails_with(g_root.mkdir(base::StringView(long_name, 256)), FS_ENAMETOOLONG, "a 256-byte name");
    auto made = g_root.mkdir(base::StringView(long_name, 255));
    ok(made, "mkdir of a 255-byte name");
    ok(g_root.rmdir(base::StringView(long_name, 255)), "rmdir of a 255-byte name");

    fsclient::Node ro = open("hello.txt", FS_LOOKUP_READ);
    if (ro.valid()) {
        fails_with(ro.write(0, "x", 1), FS_EBADF, "io_write on a port opened for reading");
        fails_with(ro.truncate(0), FS_EBADF, "file_set_size on a port opened for reading");
    }
    fsclient::Node wo = open("hello.txt", FS_LOOKUP_WRITE);
    if (wo.valid())
        fails_with(wo.read_region(0, 10), FS_EBADF, "io_read on a port opened for writing");
    fails_with(g_root.read_region(0, 10), FS_EISDIR, "io_read on a directory");

    // A port that is not a node of ext2fs (its own control port, our bootstrap port) is
    // refused as a directory argument.
    fsclient::Node control = fsclient::Node::adopt(chain::link().upstream());
    fails_with(g_root.rename("hello.txt", control, "x"), FS_EXDEV, "rename into a port not of the filesystem");
    fails_with(control.read_region(0, 10), FS_EBADF, "io_read on ext2fs's control port");
    fails_with(control.lookup("hello.txt"), FS_EBADF, "dir_lookup on ext2fs's control port");
    (void)control.release();
}

// ---- ops: node ports are freed when the client drops them, and their table is bounded ----

uint64_t open_nodes()
{
    auto st = g_root.server_stats();
    return st.is_error() ? ~0ULL : st.value().open_nodes;
}

// The server frees a node on its no-senders notification, which may come after our next
// request: wait (a bounded time) until it is back at `count`.
bool open_nodes_back_to(uint64_t count)
{
    for (int i = 0; i < 100; ++i) {
        if (open_nodes() == count)
            return true;
        runtime::sleep_ms(10);
    }
    return false;
}

void check_node_table()
{
    uint64_t before = open_nodes();
    check(before != ~0ULL && before >= 1, "fs_server_stats: {} open nodes", before);
    // 600 opens, each dropped at once: more than the table holds, so they must be freed.
    for (int i = 0; i < 600; ++i) {
        auto n = g_root.lookup("hello.txt");
        if (!ok(n, "opening /hello.txt again and again"))
            break;
    }
    check(open_nodes_back_to(before), "dropped nodes were not freed: {} open, {} before", open_nodes(), before);
    // Held, they fill the table: then FS_ENFILE, and the server still answers.
    static fsclient::Node held[520];
    size_t opened = 0;
    int refusal = 0;
    for (fsclient::Node& h : held) {
        auto n = g_root.lookup("hello.txt");
        if (n.is_error()) {
            refusal = n.error().code();
            break;
        }
        h = static_cast<fsclient::Node&&>(n.value());
        ++opened;
    }
    check(refusal == FS_ENFILE && opened + before == 512, "the node table: {} opened, then {}", opened,
        fsclient::Status { refusal });
    for (fsclient::Node& h : held)
        h = fsclient::Node();
    check(open_nodes_back_to(before), "released nodes were not freed: {} open, {} before", open_nodes(), before);
    expect_text("hello.txt", "hello, world\n");
}

// ---- ops: the writes --------------------------------------------------------------------

void write_tree()
{
    ok(g_root.mkdir("new", 0755), "mkdir /new");
    fsclient::Node dir = open("new", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_DIRECTORY);
    if (!dir.valid())
        return;

    // Create and write; append through a port opened with FS_LOOKUP_APPEND.
    {
        auto a = dir.create("a.txt", 0640);
        if (ok(a, "creating /new/a.txt"))
            ok(a.value().write(0, "alpha\n", 6), "writing /new/a.txt");
        auto app = dir.lookup("a.txt", FS_LOOKUP_WRITE | FS_LOOKUP_APPEND);
        if (ok(app, "opening /new/a.txt to append"))
            ok(app.value().write(FS_OFFSET_CURRENT, "beta\n", 5), "appending to /new/a.txt");
        expect_text("new/a.txt", "alpha\nbeta\n");
    }

    // A large file: 1 MiB at an offset, then the rest at the port's position after a seek.
    {
        constexpr size_t size = (3 << 20) + 1000;
        auto big = dir.create("big-write.bin", 0644);
        auto buffer = fsclient::Region::allocate(size);
        if (ok(big, "creating /new/big-write.bin") && ok(buffer, "memory for 3 MiB")) {
            content::fill(buffer.value().data(), 0, size, 77);
            auto w1 = big.value().write(0, buffer.value().data(), 1 << 20);
            check(!w1.is_error() && w1.value() == 1 << 20, "writing the first MiB");
            auto p = big.value().seek(1 << 20, FS_SEEK_SET);
            ok(p, "seeking to 1 MiB");
            size_t done = 1 << 20;
            while (done < size) {
                size_t piece = size - done < 700 * 1024 ? size - done : 700 * 1024;
                auto w = big.value().write(FS_OFFSET_CURRENT, buffer.value().data() + done, piece);
                if (!ok(w, "writing at the position") || w.value() != piece)
                    break;
                done += piece;
            }
        }
        expect_content("new/big-write.bin", 77, size);
    }

    // Truncate a file made on the host, then extend it with a hole.
    {
        fsclient::Node t = open("trunc.bin", FS_LOOKUP_READ | FS_LOOKUP_WRITE);
        if (t.valid()) {
            ok(t.truncate(5000), "truncating /trunc.bin to 5000");
            expect_content("trunc.bin", 30, 5000);
            ok(t.truncate(20000), "extending /trunc.bin to 20000");
            auto all = t.read_all();
            if (ok(all, "reading /trunc.bin")) {
                const uint8_t* d = all.value().data();
                bool right = all.value().size() == 20000 && content::first_difference(d, 0, 5000, 30) == 5000;
                for (size_t i = 5000; right && i < 20000; ++i)
                    right = d[i] == 0;
                check(right, "/trunc.bin is not 5000 bytes of its content then zeros to 20000");
            }
        }
    }

    // Unlink; mkdir and rmdir.
    ok(g_root.unlink("hello2.txt"), "unlinking /hello2.txt");
    fails_with(g_root.lookup("hello2.txt"), FS_ENOENT, "/hello2.txt after its unlink");
    ok(dir.mkdir("sub", 0750), "mkdir /new/sub");
    ok(dir.mkdir("gone"), "mkdir /new/gone");
    ok(dir.rmdir("gone"), "rmdir /new/gone");
    {
        auto nested = g_root.create("new/sub/nested.txt", 0600);
        if (ok(nested, "creating /new/sub/nested.txt")) {
            uint8_t buffer[10000];
            content::fill(buffer, 0, sizeof buffer, 78);
            auto w = nested.value().write(0, buffer, sizeof buffer);
            check(!w.is_error() && w.value() == sizeof buffer, "writing /new/sub/nested.txt");
        }
    }

    // Renames: within a directory, across directories, over an existing file, a directory.
    ok(dir.rename("a.txt", dir, "b.txt"), "renaming /new/a.txt to /new/b.txt");
    fsclient::Node data = open("data", FS_LOOKUP_READ | FS_LOOKUP_WRITE);
    if (data.valid()) {
        ok(data.rename("moveme.txt", dir, "moved.txt"), "renaming /data/moveme.txt to /new/moved.txt");
        ok(data.rename("movedir", dir, "movedir"), "renaming the directory /data/movedir to /new/movedir");
    }
    ok(g_root.rename("over-src.txt", g_root, "over-dst.txt"), "renaming /over-src.txt over /over-dst.txt");
    fails_with(g_root.rename("over-dst.txt", g_root, "hello.txt", false), FS_EEXIST,
        "an exclusive rename over an existing name");
    expect_text("new/b.txt", "alpha\nbeta\n");
    expect_text("new/moved.txt", "move me\n");
    expect_text("new/movedir/inner.txt", "inner\n");
    expect_text("new/movedir/../moved.txt", "move me\n");
    expect_text("over-dst.txt", "source\n");
    fails_with(g_root.lookup("over-src.txt"), FS_ENOENT, "/over-src.txt after the rename");

    // Symlink, hard link, chmod, utimes.
    ok(dir.symlink("sym", "b.txt"), "symlink /new/sym -> b.txt");
    expect_text("new/sym", "alpha\nbeta\n");
    fsclient::Node b = open("new/b.txt", FS_LOOKUP_READ | FS_LOOKUP_WRITE);
    if (b.valid()) {
        ok(dir.link(b, "hard"), "hard link /new/hard to /new/b.txt");
        ok(b.chmod(0600), "chmod /new/b.txt 0600");
        ok(b.utimes(1000000000, 1234567890), "utimes /new/b.txt");
        auto st = b.stat();
        if (ok(st, "stat /new/b.txt")) {
            check(st.value().nlink == 2, "/new/b.txt has {} links, not 2", st.value().nlink);
            check((st.value().mode & 07777) == 0600, "/new/b.txt has mode {:o}", st.value().mode);
            check(st.value().mtime == 1234567890, "/new/b.txt mtime {}", st.value().mtime);
        }
        fsclient::Stat hard = stat_of("new/hard");
        check(hard.ino == stat_of("new/b.txt").ino, "/new/hard is not /new/b.txt's inode");
    }
    fails_with(dir.link(b, "hard"), FS_EEXIST, "an exclusive hard link over an existing name");

    // A file unlinked while open stays readable through its port.
    {
        auto doomed = g_root.create("doomed.txt");
        if (ok(doomed, "creating /doomed.txt")) {
            ok(doomed.value().write(0, "still here\n", 11), "writing /doomed.txt");
            ok(g_root.unlink("doomed.txt"), "unlinking /doomed.txt while open");
            char text[16] = {};
            auto n = doomed.value().read(0, text, sizeof text);
            check(!n.is_error() && n.value() == 11, "reading /doomed.txt after its unlink");
        }
    }

    auto st = g_root.statfs();
    if (ok(st, "file_statfs"))
        check(st.value().f_type == FS_TYPE_EXT2 && st.value().f_bfree < st.value().f_blocks
                && !(st.value().f_flags & FS_STATFS_READONLY),
            "file_statfs: type {:#x}, {} of {} blocks free", st.value().f_type, st.value().f_bfree,
            st.value().f_blocks);
}

// ---- ops: requests made by hand ----------------------------------------------------------

// A dir_lookup request as MIG lays it out, with a 16-byte name field whose declared size is
// the caller's.
struct RawLookup {
    mach_msg_header_t head;
    mach_msg_type_t name_type;
    char name[16];
    mach_msg_type_t flags_type;
    int flags;
    char flags_pad[4];
    mach_msg_type_t mode_type;
    int mode;
    char mode_pad[4];
};

mach_msg_type_t int32_type()
{
    mach_msg_type_t t {};
    t.msgt_name = MACH_MSG_TYPE_INTEGER_32;
    t.msgt_size = 32;
    t.msgt_number = 1;
    t.msgt_inline = 1;
    return t;
}

RawLookup raw_lookup(const char (&name)[16], unsigned declared, mach_port_t reply, mach_msg_type_name_t reply_type)
{
    RawLookup m {};
    m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, reply_type);
    m.head.msgh_size = sizeof m;
    m.head.msgh_remote_port = g_root.port();
    m.head.msgh_local_port = reply;
    m.head.msgh_id = 24000;
    m.name_type.msgt_name = MACH_MSG_TYPE_STRING_C;
    m.name_type.msgt_size = 8;
    m.name_type.msgt_number = declared;
    m.name_type.msgt_inline = 1;
    __builtin_memcpy(m.name, name, sizeof m.name);
    m.flags_type = int32_type();
    m.flags = FS_LOOKUP_READ;
    m.mode_type = int32_type();
    return m;
}

// What the server answers to a hand-made lookup (its RetCode), the port it returned released.
int raw_lookup_answer(const char (&name)[16], unsigned declared)
{
    auto reply = runtime::ReceiveRight::allocate();
    if (reply.is_error())
        return -1;
    union {
        RawLookup request;
        struct {
            mig_reply_header_t header;
            mach_msg_type_t result_type;
            mach_port_t result;
            char spare[64];
        } answer;
    } m {};
    m.request = raw_lookup(name, declared, reply.value().name(), MACH_MSG_TYPE_MAKE_SEND_ONCE);
    mach_msg_return_t r = mach_msg_trap(&m.request.head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
        sizeof m.request, sizeof m, reply.value().name(), 3000, MACH_PORT_NULL);
    if (r != MACH_MSG_SUCCESS)
        return r;
    if (m.answer.header.RetCode == KERN_SUCCESS && MACH_PORT_VALID(m.answer.result))
        mach_port_deallocate(mach_task_self(), m.answer.result);
    return m.answer.header.RetCode;
}

void check_hand_made_requests()
{
    // A name whose zero lies within its declared bytes is looked up; one whose declared bytes
    // hold no zero is refused, though the message's padding after them has one.
    const char good[16] = "hello.txt";
    const char unterminated[16] = "hello.txtxx";
    check(raw_lookup_answer(good, 10) == KERN_SUCCESS, "a hand-made dir_lookup of hello.txt");
    int refused = raw_lookup_answer(unterminated, 10);
    check(refused == MIG_BAD_ARGUMENTS, "a name without its zero: got {}, expected MIG_BAD_ARGUMENTS",
        fsclient::Status { refused });

    // Lookups whose reply cannot be delivered (a reply port destroyed before the answer, or
    // none) leave no open node behind: the port made for the reply goes with it.
    uint64_t before = open_nodes();
    for (int i = 0; i < 100; ++i) {
        auto reply = runtime::ReceiveRight::allocate();
        if (!ok(reply, "a reply port"))
            break;
        bool none = i % 2;
        RawLookup m = raw_lookup(
            good, 10, none ? MACH_PORT_NULL : reply.value().name(), none ? 0 : MACH_MSG_TYPE_MAKE_SEND_ONCE);
        mach_msg_return_t r = mach_msg_trap(
            &m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 3000, MACH_PORT_NULL);
        check(r == MACH_MSG_SUCCESS, "sending a lookup whose reply is lost: {}", base::Status { r });
        reply.value().reset();
    }
    check(open_nodes_back_to(before), "lookups whose reply was lost left nodes open: {} open, {} before", open_nodes(),
        before);
}

// ---- ops: write access and identities (fs.defs) ------------------------------------------

// A port without write access changes nothing, and nothing looked up from it can.
void check_read_only_ports()
{
    auto opened = g_root.lookup("", FS_LOOKUP_READ);
    if (!ok(opened, "the root opened again read-only"))
        return;
    fsclient::Node ro = static_cast<fsclient::Node&&>(opened.value());
    fsclient::Node file = open("new/b.txt", FS_LOOKUP_READ);
    ok(g_root.create("ro-victim.txt"), "creating /ro-victim.txt");
    fails_with(ro.create("ro-new.txt"), FS_EBADF, "a create through a read-only port");
    fails_with(ro.lookup("ro-victim.txt", FS_LOOKUP_READ | FS_LOOKUP_WRITE), FS_EBADF,
        "a lookup for writing through a read-only port");
    fails_with(ro.lookup("ro-victim.txt", FS_LOOKUP_READ | FS_LOOKUP_TRUNC), FS_EBADF,
        "a truncating lookup through a read-only port");
    fails_with(ro.lookup("new", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_DIRECTORY), FS_EBADF,
        "a directory with write access through a read-only port");
    fails_with(ro.lookup("", FS_LOOKUP_READ | FS_LOOKUP_WRITE), FS_EBADF, "a read-only port opened again for writing");
    fails_with(ro.mkdir("ro-dir"), FS_EBADF, "mkdir through a read-only port");
    fails_with(ro.rmdir("data"), FS_EBADF, "rmdir through a read-only port");
    fails_with(ro.unlink("ro-victim.txt"), FS_EBADF, "unlink through a read-only port");
    fails_with(ro.symlink("ro-sym", "hello.txt"), FS_EBADF, "symlink through a read-only port");
    fails_with(ro.link(file, "ro-link"), FS_EBADF, "link through a read-only port");
    fails_with(ro.rename("ro-victim.txt", g_root, "ro-renamed.txt"), FS_EBADF, "rename from a read-only port");
    fails_with(g_root.rename("ro-victim.txt", ro, "ro-renamed.txt"), FS_EBADF, "rename into a read-only port");
    fails_with(ro.chmod(0777), FS_EBADF, "chmod through a read-only port");
    fails_with(ro.chown(1000, 1000), FS_EBADF, "chown through a read-only port");
    fails_with(ro.utimes(FS_TIME_NOW, FS_TIME_NOW), FS_EBADF, "utimes through a read-only port");
    // What is looked up from it is read-only too.
    auto sub = ro.lookup("new", FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY);
    if (ok(sub, "a directory looked up from a read-only port")) {
        fails_with(sub.value().create("ro-new.txt"), FS_EBADF, "a create below a read-only port");
        fails_with(sub.value().unlink("b.txt"), FS_EBADF, "an unlink below a read-only port");
        fails_with(sub.value().chmod(0700), FS_EBADF, "a chmod below a read-only port");
    }
    auto f = ro.lookup("ro-victim.txt", FS_LOOKUP_READ);
    if (ok(f, "a file looked up from a read-only port")) {
        fails_with(f.value().write(0, "x", 1), FS_EBADF, "io_write on a file below a read-only port");
        fails_with(f.value().truncate(0), FS_EBADF, "file_set_size on a file below a read-only port");
        fails_with(f.value().utimes(1, 1), FS_EBADF, "utimes on a file below a read-only port");
    }
    // A new identity does not bring write access back.
    auto as_other = ro.restrict_auth(fsclient::identity_of(1000, 1000));
    if (ok(as_other, "io_restrict_auth of a read-only port"))
        fails_with(as_other.value().mkdir("ro-dir"), FS_EBADF, "mkdir through a restricted read-only port");
    fails_with(g_root.lookup("ro-new.txt"), FS_ENOENT, "nothing was created through the read-only ports");
    ok(g_root.unlink("ro-victim.txt"), "unlinking /ro-victim.txt");
}

bool same_identity(const fs_identity& a, uint32_t uid, uint32_t gid)
{
    return a.uid_count == 1 && a.gid_count == 1 && a.uids[0] == uid && a.gids[0] == gid;
}

// The permission bits against a port's identity, as POSIX.
void check_identities()
{
    // The root directory as mke2fs made it from the host's tree: root's, 0755 from now on.
    ok(g_root.chown(0, 0), "chown / to root");
    ok(g_root.chmod(0755), "chmod / 0755");
    // As root: /perm (root's, 0755) holds a secret (0600), an open directory (0777), one that
    // others may not search (0700) and a sticky one (01777).
    ok(g_root.mkdir("perm", 0755), "mkdir /perm");
    fsclient::Node perm = open("perm", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_DIRECTORY);
    if (!perm.valid())
        return;
    auto secret = perm.create("secret", 0600);
    if (ok(secret, "creating /perm/secret"))
        ok(secret.value().write(0, "secret\n", 7), "writing /perm/secret");
    ok(perm.mkdir("open", 0777), "mkdir /perm/open");
    ok(perm.mkdir("closed", 0700), "mkdir /perm/closed");
    ok(g_root.create("perm/closed/inside"), "creating /perm/closed/inside");
    ok(perm.mkdir("sticky", 0777), "mkdir /perm/sticky");
    {
        fsclient::Node sticky = open("perm/sticky", FS_LOOKUP_READ | FS_LOOKUP_WRITE);
        ok(sticky.chmod(01777), "chmod /perm/sticky 01777");
        fsclient::Stat st = stat_of("perm");
        check(st.uid == 0 && st.gid == 0, "/perm is owned by {}:{}, not root's", st.uid, st.gid);
    }

    auto root_auth = g_root.auth();
    check(ok(root_auth, "io_get_auth on the root") && same_identity(root_auth.value(), 0, 0),
        "the root port carries root's identity");
    auto restricted = g_root.restrict_auth(fsclient::identity_of(1000, 1000));
    if (!ok(restricted, "io_restrict_auth to uid 1000 gid 1000"))
        return;
    fsclient::Node user = static_cast<fsclient::Node&&>(restricted.value());
    auto user_auth = user.auth();
    check(ok(user_auth, "io_get_auth") && same_identity(user_auth.value(), 1000, 1000),
        "the restricted port carries uid 1000 gid 1000");
    // A port dir_lookup makes carries the identity of the port it was looked up from.
    auto user_perm = user.lookup("perm", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_DIRECTORY);
    if (ok(user_perm, "uid 1000 opens /perm with write access")) {
        auto a = user_perm.value().auth();
        check(!a.is_error() && same_identity(a.value(), 1000, 1000), "a looked-up port inherits its identity");
        fails_with(user_perm.value().create("mine"), FS_EACCES, "uid 1000 creating in root's 0755 /perm");
        fails_with(user_perm.value().mkdir("mine"), FS_EACCES, "uid 1000 making a directory in /perm");
        fails_with(user_perm.value().unlink("secret"), FS_EACCES, "uid 1000 unlinking from /perm");
        fails_with(user_perm.value().symlink("mine", "secret"), FS_EACCES, "uid 1000 making a symlink in /perm");
        fails_with(
            user_perm.value().rename("secret", user_perm.value(), "stolen"), FS_EACCES, "uid 1000 renaming in /perm");
        fails_with(user_perm.value().chmod(0777), FS_EPERM, "uid 1000 chmod of root's /perm");
        fails_with(user_perm.value().chown(1000, 1000), FS_EPERM, "uid 1000 chown of root's /perm");
        fails_with(user_perm.value().utimes(1, 1), FS_EPERM, "uid 1000 setting the times of root's /perm");
        fails_with(
            user_perm.value().utimes(FS_TIME_NOW, FS_TIME_NOW), FS_EACCES, "uid 1000 touching root's 0755 /perm");
    }
    fails_with(user.create("perm/mine"), FS_EACCES, "uid 1000 creating /perm/mine");
    fails_with(user.lookup("perm/secret", FS_LOOKUP_READ), FS_EACCES, "uid 1000 reading root's 0600 file");
    fails_with(user.lookup("perm/closed/inside", FS_LOOKUP_READ), FS_EACCES, "uid 1000 searching root's 0700 dir");
    {
        auto closed = user.lookup("perm/closed", FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY);
        if (ok(closed, "uid 1000 opens root's 0700 directory"))
            fails_with(closed.value().for_each_entry([](const fsclient::Dirent&) { return true; }), FS_EACCES,
                "uid 1000 reading root's 0700 directory");
    }
    // In a directory open to all: the new file is the identity's.
    auto mine = user.create("perm/open/mine", 0644);
    if (ok(mine, "uid 1000 creating in a 0777 directory")) {
        ok(mine.value().write(0, "mine\n", 5), "uid 1000 writing its file");
        auto st = mine.value().stat();
        check(!st.is_error() && st.value().uid == 1000 && st.value().gid == 1000,
            "uid 1000's new file is owned by {}:{}", st.is_error() ? 0 : st.value().uid,
            st.is_error() ? 0 : st.value().gid);
        ok(mine.value().chmod(0600), "uid 1000 chmod of its own file");
        fails_with(mine.value().chown(0, FS_ID_UNCHANGED), FS_EPERM, "uid 1000 giving its file to root");
        ok(mine.value().utimes(1000, 2000), "uid 1000 setting the times of its own file");
    }
    auto user_open = user.lookup("perm/open", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_DIRECTORY);
    if (ok(user_open, "uid 1000 opens /perm/open"))
        ok(user_open.value().mkdir("mydir"), "uid 1000 mkdir in a 0777 directory");
    {
        fsclient::Stat st = stat_of("perm/open/mydir");
        check(st.uid == 1000 && st.gid == 1000, "uid 1000's new directory is owned by {}:{}", st.uid, st.gid);
    }
    // Identities only narrow, except root's.
    fails_with(user.restrict_auth(fsclient::root_identity()), FS_EPERM, "uid 1000 restricting itself to uid 0");
    fails_with(
        user.restrict_auth(fsclient::identity_of(1001, 1000)), FS_EPERM, "uid 1000 restricting itself to uid 1001");
    ok(user.restrict_auth(fsclient::identity_of(1000, 1000)), "uid 1000 restricting itself to itself");
    fs_identity too_many = fsclient::identity_of(1000, 1000);
    too_many.uid_count = FS_IDS_MAX + 1;
    fails_with(g_root.restrict_auth(too_many), FS_EINVAL, "an identity of 17 uids");
    // io_restrict_auth_as: the identity and the write access of a port of the server.
    {
        auto user_ro = user.lookup("", FS_LOOKUP_READ);
        if (ok(user_ro, "uid 1000's root read-only")) {
            auto as = g_root.restrict_auth_as(user_ro.value());
            if (ok(as, "io_restrict_auth_as a read-only uid 1000 port")) {
                auto a = as.value().auth();
                check(!a.is_error() && same_identity(a.value(), 1000, 1000), "io_restrict_auth_as gives the identity");
                fails_with(as.value().create("perm/open/as"), FS_EBADF, "io_restrict_auth_as gives no write access");
            }
            auto as_writer = g_root.restrict_auth_as(user);
            if (ok(as_writer, "io_restrict_auth_as a uid 1000 port"))
                ok(as_writer.value().create("perm/open/as"), "io_restrict_auth_as keeps write access");
        }
        fails_with(user.restrict_auth_as(g_root), FS_EPERM, "uid 1000 taking root's identity from a port");
        fsclient::Node control = fsclient::Node::adopt(chain::link().upstream());
        fails_with(g_root.restrict_auth_as(control), FS_EXDEV, "io_restrict_auth_as with a port not of the server");
        (void)control.release();
    }

    // The sticky directory: only the owner of an entry (or of the directory, or root) removes it.
    auto other = g_root.restrict_auth(fsclient::identity_of(1001, 1001));
    if (ok(other, "io_restrict_auth to uid 1001")) {
        ok(other.value().create("perm/sticky/theirs"), "uid 1001 creating in the sticky directory");
        ok(other.value().create("perm/sticky/theirs2"), "uid 1001 creating another");
        ok(user.create("perm/sticky/mine"), "uid 1000 creating in the sticky directory");
        auto sticky = user.lookup("perm/sticky", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_DIRECTORY);
        if (ok(sticky, "uid 1000 opens the sticky directory")) {
            fails_with(sticky.value().unlink("theirs"), FS_EPERM, "uid 1000 unlinking uid 1001's file (sticky)");
            fails_with(sticky.value().rename("theirs", sticky.value(), "taken"), FS_EPERM,
                "uid 1000 renaming uid 1001's file (sticky)");
            fails_with(sticky.value().rename("mine", sticky.value(), "theirs"), FS_EPERM,
                "uid 1000 renaming over uid 1001's file (sticky)");
            ok(sticky.value().unlink("mine"), "uid 1000 unlinking its own file (sticky)");
        }
        auto theirs = other.value().lookup("perm/sticky", FS_LOOKUP_READ | FS_LOOKUP_WRITE);
        if (ok(theirs, "uid 1001 opens the sticky directory"))
            ok(theirs.value().unlink("theirs"), "uid 1001 unlinking its own file (sticky)");
        fsclient::Node root_sticky = open("perm/sticky", FS_LOOKUP_READ | FS_LOOKUP_WRITE);
        ok(root_sticky.unlink("theirs2"), "root unlinking uid 1001's file (sticky)");
    }

    // Root passes every check but execute, which needs an x bit.
    {
        fsclient::Node s = open("perm/secret", FS_LOOKUP_READ | FS_LOOKUP_WRITE);
        ok(s.chmod(0), "chmod /perm/secret 0");
        expect_text("perm/secret", "secret\n");
        fails_with(g_root.lookup("perm/secret", FS_LOOKUP_READ | FS_LOOKUP_EXEC), FS_EACCES,
            "root executing a file without an x bit");
        ok(s.chmod(0100), "chmod /perm/secret 0100");
        ok(g_root.lookup("perm/secret", FS_LOOKUP_READ | FS_LOOKUP_EXEC), "root executing a file with an x bit");
        fails_with(user.lookup("perm/open/mine", FS_LOOKUP_READ | FS_LOOKUP_EXEC), FS_EACCES,
            "uid 1000 executing its 0600 file");
        ok(s.chown(1000, 1000), "root chown of /perm/secret");
        fsclient::Stat st = stat_of("perm/secret");
        check(st.uid == 1000 && st.gid == 1000, "/perm/secret is owned by {}:{} after chown", st.uid, st.gid);
    }
}

// No single uid fills the table of open nodes (fs.defs: a share per uid, a reserve for root).
void check_node_shares()
{
    uint64_t before = open_nodes();
    auto user = g_root.restrict_auth(fsclient::identity_of(2000, 2000));
    if (!ok(user, "io_restrict_auth to uid 2000"))
        return;
    static fsclient::Node held[240];
    size_t opened = 0;
    int refusal = 0;
    for (fsclient::Node& h : held) {
        auto n = user.value().lookup("hello.txt");
        if (n.is_error()) {
            refusal = n.error().code();
            break;
        }
        h = static_cast<fsclient::Node&&>(n.value());
        ++opened;
    }
    // uid 2000 holds its restricted root and 223 more.
    check(refusal == FS_ENFILE && opened == 223, "uid 2000's share: {} opened, then {}", opened,
        fsclient::Status { refusal });
    {
        auto other = g_root.restrict_auth(fsclient::identity_of(2001, 2001));
        if (ok(other, "another uid while uid 2000's share is full"))
            ok(other.value().lookup("hello.txt"), "another uid opens a node while uid 2000's share is full");
    }
    ok(g_root.lookup("hello.txt"), "root opens a node while uid 2000's share is full");
    for (fsclient::Node& h : held)
        h = fsclient::Node();
    user.value() = fsclient::Node();
    check(open_nodes_back_to(before), "uid 2000's nodes were not freed: {} open, {} before", open_nodes(), before);
}

void test_ops()
{
    read_tree();
    check_errors();
    check_node_table();
    write_tree();
    check_read_only_ports();
    check_identities();
    check_node_shares();
    check_hand_made_requests();
    ok(g_root.sync(), "file_syncfs");
    // ext2fs writes everything, marks the filesystem clean and goes on read-only.
    ok(fsclient::filesystem_go_away(chain::link().upstream()), "fsys_goaway");
    fails_with(g_root.create("after-goaway.txt"), FS_EROFS, "a create after fsys_goaway");
    expect_text("new/b.txt", "alpha\nbeta\n");
}

// ---- the other tests --------------------------------------------------------------------

void test_corrupt()
{
    // /bad's directory block has an entry with a bad length.
    int lookup = code_of(g_root.lookup("bad/victim.txt"));
    check(lookup == FS_EUCLEAN, "a lookup in the corrupt directory gave {}", fsclient::Status { lookup });
    fsclient::Node bad = open("bad", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_DIRECTORY);
    if (bad.valid()) {
        auto walked = bad.for_each_entry([](const fsclient::Dirent&) { return true; });
        check(code_of(walked) == FS_EUCLEAN, "reading the corrupt directory gave {}",
            fsclient::Status { code_of(walked) });
        fails_with(bad.create("new.txt"), FS_EUCLEAN, "creating a file in the corrupt directory");
    }
    // The rest of the filesystem is still served, reads and writes.
    expect_text("hello.txt", "hello, world\n");
    expect_content("small/s8", 8, 12293);
    auto made = g_root.create("after-corruption.txt");
    if (ok(made, "creating a file elsewhere"))
        ok(made.value().write(0, "fine\n", 5), "writing it");
    expect_text("after-corruption.txt", "fine\n");
    ok(g_root.sync(), "file_syncfs");
}

void test_readonly()
{
    expect_text("hello.txt", "hello, world\n");
    fails_with(g_root.create("x.txt"), FS_EROFS, "a create on a read-only mount");
    fails_with(g_root.mkdir("x"), FS_EROFS, "mkdir on a read-only mount");
    fails_with(g_root.unlink("hello.txt"), FS_EROFS, "unlink on a read-only mount");
    fails_with(g_root.lookup("hello.txt", FS_LOOKUP_WRITE), FS_EROFS, "opening for writing on a read-only mount");
    auto st = g_root.statfs();
    if (ok(st, "file_statfs"))
        check(st.value().f_flags & FS_STATFS_READONLY, "file_statfs does not say read-only");
}

void print_memory(base::StringView when, const fsclient::ServerStats& s)
{
    runtime::println("bench: {:<28} {:>8} KiB resident, cache {} KiB ({} blocks), heap {} KiB", when,
        s.resident_bytes / 1024, s.cache_bytes / 1024, s.cached_blocks, s.heap_bytes / 1024);
}

// One row of the benchmark, in the form tests/bench reads from both the chain and Linux.
void print_row(base::StringView name, uint64_t ns, uint64_t bytes, uint64_t count)
{
    runtime::println("bench-row: {} ns={} bytes={} count={}", name, ns, bytes, count);
}

void read_file_row(base::StringView name, const fsclient::Node& file, uint64_t bytes)
{
    uint64_t start = runtime::uptime_ns();
    uint64_t requests = 0;
    for (uint64_t at = 0; at < bytes; at += FS_IO_MAX) {
        auto r = file.read_region(static_cast<int64_t>(at), FS_IO_MAX);
        if (!ok(r, "bench io_read"))
            return;
        if (at == 0)
            check(content::first_difference(r.value().data(), 0, 4096, 90) == 4096, "bench file's first bytes");
        check(r.value().size() == FS_IO_MAX, "bench io_read at {} gave {} bytes", at, r.value().size());
        ++requests;
    }
    print_row(name, runtime::uptime_ns() - start, bytes, requests);
}

base::BoundedString<32> numbered(base::StringView prefix, unsigned i)
{
    return base::formatted<32>("{}{:05}", prefix, i);
}

// /small/f00000 ...: each looked up from the root and read whole (4 KiB), as open+read+close.
void small_files_row(unsigned files)
{
    static uint8_t buffer[4096];
    uint64_t start = runtime::uptime_ns();
    unsigned read = 0;
    for (unsigned i = 0; i < files; ++i) {
        auto file = g_root.lookup(numbered("small/f", i).view(), FS_LOOKUP_READ);
        if (!ok(file, "bench lookup of a small file"))
            return;
        auto got = file.value().read(0, buffer, sizeof buffer);
        if (!ok(got, "bench read of a small file"))
            return;
        check(got.value() == sizeof buffer, "small/f{:05} gave {} bytes", i, got.value());
        ++read;
    }
    print_row("small files", runtime::uptime_ns() - start, uint64_t(read) * sizeof buffer, read);
}

// Every entry of /stat looked up and stat'ed, as `ls -l` does.
void stat_row()
{
    fsclient::Node dir = open("stat", FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY);
    if (!dir.valid())
        return;
    uint64_t start = runtime::uptime_ns();
    unsigned stated = 0;
    auto listed = dir.for_each_entry([&](const fsclient::Dirent& d) {
        if (d.name == "." || d.name == "..")
            return true;
        auto entry = dir.lookup(d.name, FS_LOOKUP_READ);
        if (!ok(entry, "bench lookup in /stat"))
            return false;
        if (!ok(entry.value().stat(), "bench stat in /stat"))
            return false;
        ++stated;
        return true;
    });
    ok(listed, "bench readdir of /stat");
    print_row("stat", runtime::uptime_ns() - start, 0, stated);
}

// The stat row's two halves, apart, so that its cost can be told: a lookup of each entry of /stat
// whose port is let go at once (ext2fs makes the port, the client's release becomes a no-senders
// notification that ext2fs handles), and io_stat on a port already open.
void stat_parts_rows()
{
    fsclient::Node dir = open("stat", FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY);
    if (!dir.valid())
        return;
    uint64_t start = runtime::uptime_ns();
    unsigned looked_up = 0;
    auto listed = dir.for_each_entry([&](const fsclient::Dirent& d) {
        if (d.name == "." || d.name == "..")
            return true;
        if (!ok(dir.lookup(d.name, FS_LOOKUP_READ), "bench lookup in /stat"))
            return false;
        ++looked_up;
        return true;
    });
    ok(listed, "bench readdir of /stat");
    print_row("lookup and release", runtime::uptime_ns() - start, 0, looked_up);

    start = runtime::uptime_ns();
    for (unsigned i = 0; i < looked_up; ++i)
        if (!ok(dir.stat(), "bench io_stat"))
            return;
    print_row("io_stat of an open node", runtime::uptime_ns() - start, 0, looked_up);
}

// Creates, then deletes, `files` empty files in a new directory, each followed by a sync.
void create_delete_rows(unsigned files)
{
    ok(g_root.mkdir("bench-files"), "mkdir /bench-files");
    fsclient::Node dir = open("bench-files", FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_DIRECTORY);
    if (!dir.valid())
        return;
    uint64_t start = runtime::uptime_ns();
    unsigned created = 0;
    for (unsigned i = 0; i < files; ++i) {
        if (!ok(dir.create(numbered("file", i).view()), "bench create"))
            break;
        ++created;
    }
    ok(g_root.sync(), "file_syncfs after the creates");
    print_row("create", runtime::uptime_ns() - start, 0, created);
    start = runtime::uptime_ns();
    unsigned deleted = 0;
    for (unsigned i = 0; i < created; ++i) {
        if (!ok(dir.unlink(numbered("file", i).view()), "bench unlink"))
            break;
        ++deleted;
    }
    ok(g_root.sync(), "file_syncfs after the deletes");
    print_row("delete", runtime::uptime_ns() - start, 0, deleted);
    ok(g_root.rmdir("bench-files"), "rmdir /bench-files");
}

// A new file of `bytes` written in requests of FS_IO_MAX, then a sync; removed afterwards.
void write_row(uint64_t bytes)
{
    static uint8_t buffer[FS_IO_MAX];
    for (size_t i = 0; i < sizeof buffer; ++i)
        buffer[i] = static_cast<uint8_t>(i * 13);
    uint64_t start = runtime::uptime_ns();
    auto made = g_root.create("bench-write.bin");
    if (!ok(made, "bench create of bench-write.bin"))
        return;
    uint64_t requests = 0;
    for (uint64_t at = 0; at < bytes;) {
        auto wrote = made.value().write(static_cast<int64_t>(at), buffer, sizeof buffer);
        if (!ok(wrote, "bench io_write") || wrote.value() == 0)
            return;
        at += wrote.value();
        ++requests;
    }
    ok(g_root.sync(), "file_syncfs after the write");
    print_row("write", runtime::uptime_ns() - start, bytes, requests);
    ok(g_root.unlink("bench-write.bin"), "unlink /bench-write.bin");
    ok(g_root.sync(), "file_syncfs after the unlink");
}

// Enough for a second or so under TCG: the guest's clock ticks every 10 ms.
constexpr unsigned round_trips = 10000;

// The cheapest RPC ext2fs answers: io_get_auth, which reads the handle's identity only.
void null_rpc_row()
{
    uint64_t start = runtime::uptime_ns();
    for (unsigned i = 0; i < round_trips; ++i)
        if (!ok(g_root.auth(), "bench io_get_auth"))
            return;
    print_row("null RPC to ext2fs", runtime::uptime_ns() - start, 0, round_trips);
}

// The same round trip answered by the kernel (mach_port_type on a name of ours): one mach_msg
// and no switch to another address space. What the null RPC costs beyond it is ext2fs's own
// work and the two switches of address space (under TCG each flushes QEMU's TLB).
void kernel_rpc_row()
{
    mach_port_t name = g_root.port();
    uint64_t start = runtime::uptime_ns();
    for (unsigned i = 0; i < round_trips; ++i) {
        mach_port_type_t type = 0;
        kern_return_t r = mach_port_type(mach_task_self(), name, &type);
        check(r == KERN_SUCCESS, "bench mach_port_type: {}", base::Status { r });
        if (r != KERN_SUCCESS)
            return;
    }
    print_row("kernel RPC", runtime::uptime_ns() - start, 0, round_trips);
}

struct Echo {
    mach_port_t port = MACH_PORT_NULL;
};

// Answers every message on port with an empty reply, for ever: the echo of the bare round
// trips. Touches nothing but its stack and the kernel.
[[noreturn]] void echo_loop(mach_port_t port)
{
    struct {
        mach_msg_header_t header;
        char slack[64];
    } message {};
    mach_msg_option_t options = MACH_RCV_MSG;
    mach_msg_size_t send_size = 0;
    for (;;) {
        mach_msg_return_t r
            = mach_msg_trap(&message.header, options, send_size, sizeof message, port, 0, MACH_PORT_NULL);
        options = MACH_RCV_MSG;
        send_size = 0;
        if (r != MACH_MSG_SUCCESS || !MACH_PORT_VALID(message.header.msgh_remote_port))
            continue;
        message.header.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
        message.header.msgh_size = sizeof message.header;
        message.header.msgh_local_port = MACH_PORT_NULL;
        options = MACH_SEND_MSG | MACH_RCV_MSG;
        send_size = sizeof message.header;
    }
}

// The second thread of the bare round trip, outside the module's turn for good.
void echo_thread(void* argument)
{
    runtime::OutsideTurn outside(runtime::Wait::Sleep);
    echo_loop(static_cast<Echo*>(argument)->port);
}

// count round trips to the echo port; how many were answered (each bounded at 5 s). Outside
// the turn, so that an echo thread of this task runs; nothing here may use the runtime (its
// clock is an RPC, read before and after).
unsigned echo_trips(mach_port_t echo, mach_port_t reply, unsigned count)
{
    runtime::OutsideTurn outside(runtime::Wait::Sleep);
    struct {
        mach_msg_header_t header;
        char slack[64];
    } message {};
    for (unsigned i = 0; i < count; ++i) {
        message.header.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
        message.header.msgh_size = sizeof message.header;
        message.header.msgh_remote_port = echo;
        message.header.msgh_local_port = reply;
        message.header.msgh_id = 1;
        if (mach_msg_trap(&message.header, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof message.header,
                sizeof message, reply, 5000, MACH_PORT_NULL)
            != MACH_MSG_SUCCESS)
            return i;
    }
    return count;
}

// The same bare round trip to a task of its own: the echo loop in a child task (a copy of this
// one's memory, made by task_create), on a stack allocated here before. The difference from
// the round trip between threads is the two switches of address space.
void task_round_trip_row()
{
    constexpr vm_size_t stack_bytes = 64 * 1024;
    vm_address_t stack = 0;
    task_t child = MACH_PORT_NULL;
    thread_t thread = MACH_PORT_NULL;
    mach_port_t child_name = MACH_PORT_NULL, echo = MACH_PORT_NULL;
    mach_msg_type_name_t type = 0;
    struct i386_thread_state state { };
    mach_msg_type_number_t count = i386_THREAD_STATE_COUNT;
    bool made = vm_allocate(mach_task_self(), &stack, stack_bytes, TRUE) == KERN_SUCCESS
        && task_create(mach_task_self(), TRUE, &child) == KERN_SUCCESS
        && mach_port_allocate(child, MACH_PORT_RIGHT_RECEIVE, &child_name) == KERN_SUCCESS
        && mach_port_extract_right(child, child_name, MACH_MSG_TYPE_MAKE_SEND, &echo, &type) == KERN_SUCCESS
        && thread_create(child, &thread) == KERN_SUCCESS
        && thread_get_state(thread, i386_THREAD_STATE, reinterpret_cast<thread_state_t>(&state), &count)
            == KERN_SUCCESS;
    if (made) {
        state.rip = reinterpret_cast<uintptr_t>(&echo_loop);
        state.rdi = child_name;
        state.rbp = 0;
        state.rsp = state.ursp = ((stack + stack_bytes - 64) & ~uintptr_t(15)) - 8;
        made = thread_set_state(
                   thread, i386_THREAD_STATE, reinterpret_cast<thread_state_t>(&state), i386_THREAD_STATE_COUNT)
                == KERN_SUCCESS
            && thread_resume(thread) == KERN_SUCCESS;
    }
    check(made, "making the echo task");
    if (made) {
        mach_port_t reply = mach_reply_port();
        check(echo_trips(echo, reply, 1) == 1, "the echo task did not answer");
        uint64_t start = runtime::uptime_ns();
        unsigned done = echo_trips(echo, reply, round_trips);
        uint64_t ns = runtime::uptime_ns() - start;
        check(done == round_trips, "the echo task answered {} of {} messages", done, round_trips);
        print_row("bare round trip between tasks", ns, 0, done);
        mach_port_mod_refs(mach_task_self(), reply, MACH_PORT_RIGHT_RECEIVE, -1);
    }
    if (MACH_PORT_VALID(child))
        task_terminate(child);
    runtime::release_user_reference(child);
    runtime::release_user_reference(thread);
    runtime::release_user_reference(echo);
    if (stack)
        vm_deallocate(mach_task_self(), stack, stack_bytes);
}

// The floor under the null RPC: a bare mach_msg round trip to another thread of this task
// (send and receive in one trap on each side, nothing decoded). Last of the rows: once a
// second thread runs, every RPC of the runtime takes and gives the module's turn.
void bare_round_trip_row()
{
    static Echo echo;
    if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &echo.port) != KERN_SUCCESS
        || mach_port_insert_right(mach_task_self(), echo.port, echo.port, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS) {
        check(false, "making the echo port");
        return;
    }
    if (!ok(runtime::start_thread(echo_thread, &echo), "starting the echo thread"))
        return;
    mach_port_t reply = mach_reply_port();
    // The first trip starts the echo thread; then the timed ones.
    check(echo_trips(echo.port, reply, 1) == 1, "the echo thread did not answer");
    uint64_t start = runtime::uptime_ns();
    unsigned done = echo_trips(echo.port, reply, round_trips);
    uint64_t ns = runtime::uptime_ns() - start;
    check(done == round_trips, "the echo thread answered {} of {} messages", done, round_trips);
    print_row("bare mach_msg round trip", ns, 0, done);
}

void test_bench(unsigned megabytes, unsigned files)
{
    auto cold = g_root.server_stats();
    if (ok(cold, "fs_server_stats"))
        print_memory("ext2fs memory, cold cache", cold.value());

    fsclient::Node big = open("bench.bin");
    if (!big.valid())
        return;
    uint64_t bytes = uint64_t(megabytes) << 20;
    auto st = big.stat();
    if (!ok(st, "stat bench.bin") || st.value().size < bytes) {
        check(false, "bench.bin is smaller than {} MiB", megabytes);
        return;
    }
    // The first read after the mount is cold: nothing of the file is in ext2fs's cache.
    read_file_row("file cold", big, bytes);
    read_file_row("file warm", big, bytes);

    // Untimed: every byte read through ext2fs is the file's.
    for (uint64_t at = 0; at < bytes; at += FS_IO_MAX) {
        auto r = big.read_region(static_cast<int64_t>(at), FS_IO_MAX);
        if (!ok(r, "bench io_read"))
            break;
        size_t d = content::first_difference(r.value().data(), at, r.value().size(), 90);
        if (d != r.value().size()) {
            check(false, "bench.bin differs at byte {}", at + d);
            break;
        }
    }
    auto warm = g_root.server_stats();
    if (ok(warm, "fs_server_stats"))
        print_memory("ext2fs memory, after reading", warm.value());

    small_files_row(files);
    stat_row();
    stat_parts_rows();
    create_delete_rows(files);
    write_row(bytes);
    auto after = g_root.server_stats();
    if (ok(after, "fs_server_stats")) {
        print_memory("ext2fs memory, warm cache", after.value());
        print_row("ext2fs resident after the rows", 0, after.value().resident_bytes, 1);
    }
    null_rpc_row();
    kernel_rpc_row();
    task_round_trip_row();
    bare_round_trip_row();
    ok(fsclient::filesystem_go_away(chain::link().upstream()), "fsys_goaway");
}

} // namespace

int module_main(int argc, char** argv)
{
    base::OptionParser options("fs-client");
    base::StringView test;
    unsigned long long megabytes = 64, files = 1000;
    options.add_text("test", test, "ops, read, corrupt, readonly or bench");
    options.add_number("megabytes", megabytes, "bench: how much to read");
    options.add_number("files", files, "bench: how many files to create and delete");
    auto& link = chain::link();
    auto started = link.start(argc, argv, { "fs-client", {} }, options);
    if (started.is_error())
        link.fail("{}", started.error());
    link.note_bootstrap_use("fs");

    // Root's identity, with write access (fs.defs).
    auto root = fsclient::root_from(link.upstream(), FS_LOOKUP_READ | FS_LOOKUP_WRITE, fsclient::root_identity());
    if (root.is_error())
        link.fail("fsys_getroot on the bootstrap port: {}", fsclient::ErrorText { root.error() });
    g_root = static_cast<fsclient::Node&&>(root.value());

    if (test == "ops")
        test_ops();
    else if (test == "read")
        expect_text("hello.txt", "hello, world\n");
    else if (test == "goaway")
        ok(fsclient::filesystem_go_away(link.upstream()), "fsys_goaway");
    else if (test == "corrupt")
        test_corrupt();
    else if (test == "readonly")
        test_readonly();
    else if (test == "bench")
        test_bench(static_cast<unsigned>(megabytes), static_cast<unsigned>(files));
    else
        link.fail("unknown --test '{}'", test);

    runtime::println("fs-client: {} checks, {} failed", g_checks, g_failures);
    runtime::power_off(g_failures ? 1 : 0);
}
