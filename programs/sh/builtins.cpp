// The shell's built-in commands. Each takes its words and writes to the command's streams;
// errors are sentences with the file's name ("cat: /nope: no such file or directory").
#include "execclient/client.h"
#include "fsclient/status.h"
#include "pci/listing.h"
#include "pciaccess/pciaccess.h"
#include "program/name_list.h"
#include "program/sha256.h"
#include "runtime/msg.h"
#include "sh/shell.h"

namespace shell {

namespace {

using base::StringView;
using program::NameList;

// Reads and writes of file contents go through this buffer, one piece at a time.
constexpr size_t chunk_size = 64 * 1024;
char g_chunk[chunk_size];

int failed(Shell& sh, StringView who, StringView path, int code)
{
    complain(sh, who, "{}: {}", path, program::ErrorText { code });
    return 1;
}

int failed(Shell& sh, StringView who, StringView path, const base::Error& e)
{
    return failed(sh, who, path, e.code());
}

// Leading "-xyz" words: their letters, checked against `known`. Returns the index of the first
// operand, or -1 after printing an error for an unknown letter.
struct Flags {
    bool set[128] = {};
    bool operator[](char c) const { return set[static_cast<unsigned char>(c) & 127]; }
};

int parse_flags(Shell& sh, StringView who, int argc, const char* const* argv, StringView known, Flags& flags)
{
    int i = 1;
    for (; i < argc; ++i) {
        StringView w(argv[i]);
        if (w == "--")
            return i + 1;
        if (w.size() < 2 || w[0] != '-')
            break;
        for (size_t j = 1; j < w.size(); ++j) {
            if (known.find(w[j]) == known.size()) {
                complain(sh, who, "unknown option -{}", w[j]);
                return -1;
            }
            flags.set[static_cast<unsigned char>(w[j]) & 127] = true;
        }
    }
    return i;
}

// A size such as 4096, 10K, 3M, 1G.
bool parse_size(StringView text, unsigned long long& out)
{
    unsigned long long unit = 1;
    if (!text.empty()) {
        char last = text[text.size() - 1];
        if (last == 'K' || last == 'k')
            unit = 1024;
        else if (last == 'M')
            unit = 1024 * 1024;
        else if (last == 'G')
            unit = 1024ULL * 1024 * 1024;
        if (unit != 1)
            text = text.substr(0, text.size() - 1);
    }
    if (!base::parse_unsigned(text, out))
        return false;
    out *= unit;
    return true;
}

StringView base_name(StringView path)
{
    while (path.size() > 1 && path[path.size() - 1] == '/')
        path = path.substr(0, path.size() - 1);
    for (size_t i = path.size(); i > 0; --i)
        if (path[i - 1] == '/')
            return path.substr(i);
    return path;
}

bool is_directory(const fsclient::Stat& st)
{
    return (st.mode & fsclient::mode_type_mask) == fsclient::mode_directory;
}

// path/name into a bounded buffer.
base::BoundedString<FS_PATH_MAX + 1> child_path(StringView path, StringView name)
{
    if (!path.empty() && path[path.size() - 1] == '/')
        return base::formatted<FS_PATH_MAX + 1>("{}{}", path, name);
    return base::formatted<FS_PATH_MAX + 1>("{}/{}", path, name);
}

base::Result<void> read_names(const fsclient::Node& directory, NameList& names, bool all)
{
    bool full = false;
    TRY(directory.for_each_entry([&](const fsclient::Dirent& d) {
        if (!all && !d.name.empty() && d.name[0] == '.')
            return true;
        if (!names.add(d.name)) {
            full = true;
            return false;
        }
        return true;
    }));
    if (full)
        return base::Error(FS_ENOMEM, "listing a directory");
    names.sort();
    return {};
}

char type_letter(uint32_t mode)
{
    switch (mode & fsclient::mode_type_mask) {
    case fsclient::mode_directory:
        return 'd';
    case fsclient::mode_symlink:
        return 'l';
    case 0020000:
        return 'c';
    case 0060000:
        return 'b';
    case 0010000:
        return 'p';
    case 0140000:
        return 's';
    default:
        return '-';
    }
}

const char* type_name(uint32_t mode)
{
    switch (mode & fsclient::mode_type_mask) {
    case fsclient::mode_directory:
        return "directory";
    case fsclient::mode_symlink:
        return "symbolic link";
    case fsclient::mode_regular:
        return "regular file";
    default:
        return "special file";
    }
}

void format_mode(base::Sink& out, uint32_t mode)
{
    char text[10];
    text[0] = type_letter(mode);
    const char* rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i)
        text[1 + i] = (mode & (0400 >> i)) ? rwx[i] : '-';
    out.put(StringView(text, 10));
}

// One `ls -l` line of the node at path (opened without following a last symlink).
void long_line(Shell& sh, const fsclient::Node& node, const fsclient::Stat& st, StringView shown)
{
    auto& out = sh.out();
    format_mode(out, st.mode);
    base::format(out, " {:3} {:4} {:4} {:9} {}", st.nlink, st.uid, st.gid, st.size, shown);
    if ((st.mode & fsclient::mode_type_mask) == fsclient::mode_symlink) {
        char target[FS_PATH_MAX + 1];
        auto n = node.readlink(target, sizeof target - 1);
        if (!n.is_error())
            base::format(out, " -> {}", StringView(target, n.value()));
    }
    out.put('\n');
}

int list_directory(Shell& sh, const fsclient::Node& dir, StringView path, bool long_format, bool all)
{
    NameList names;
    if (auto r = read_names(dir, names, all); r.is_error())
        return failed(sh, "ls", path, r.error());
    int status = 0;
    for (size_t i = 0; i < names.size(); ++i) {
        if (!long_format) {
            base::format(sh.out(), "{}\n", names[i]);
            continue;
        }
        auto node = dir.lookup(names[i], FS_LOOKUP_READ | FS_LOOKUP_NOLINK);
        auto st = node.is_error() ? base::Result<fsclient::Stat>(node.error()) : node.value().stat();
        if (st.is_error()) {
            status = failed(sh, "ls", child_path(path, names[i]).view(), st.error());
            continue;
        }
        long_line(sh, node.value(), st.value(), names[i]);
    }
    return status;
}

int builtin_ls(Shell& sh, int argc, const char* const* argv)
{
    Flags flags;
    int first = parse_flags(sh, "ls", argc, argv, "la", flags);
    if (first < 0)
        return 2;
    const char* here[] = { "." };
    const char* const* operands = first < argc ? argv + first : here;
    int count = first < argc ? argc - first : 1;
    int status = 0;
    for (int i = 0; i < count; ++i) {
        StringView path(operands[i]);
        auto opened = sh.open(path, FS_LOOKUP_READ | FS_LOOKUP_NOLINK);
        if (opened.is_error()) {
            status = failed(sh, "ls", path, opened.error());
            continue;
        }
        fsclient::Node node = opened.release_value();
        auto stat = node.stat();
        if (stat.is_error()) {
            status = failed(sh, "ls", path, stat.error());
            continue;
        }
        fsclient::Stat st = stat.value();
        if ((st.mode & fsclient::mode_type_mask) == fsclient::mode_symlink && !flags['l']) {
            // A symlink to a directory lists the directory, as ls does without -l.
            auto followed = sh.open(path, FS_LOOKUP_READ);
            if (!followed.is_error()) {
                auto fst = followed.value().stat();
                if (!fst.is_error() && is_directory(fst.value())) {
                    node = followed.release_value();
                    st = fst.value();
                }
            }
        }
        if (!is_directory(st)) {
            if (flags['l'])
                long_line(sh, node, st, path);
            else
                base::format(sh.out(), "{}\n", path);
            continue;
        }
        if (count > 1)
            base::format(sh.out(), "{}{}:\n", i > 0 ? "\n" : "", path);
        if (int s = list_directory(sh, node, path, flags['l'], flags['a']))
            status = s;
    }
    return status;
}

int builtin_cat(Shell& sh, int argc, const char* const* argv)
{
    if (argc < 2) {
        complain(sh, "cat", "usage: cat FILE...");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; ++i) {
        auto node = sh.open(argv[i], FS_LOOKUP_READ);
        if (node.is_error()) {
            status = failed(sh, "cat", argv[i], node.error());
            continue;
        }
        auto st = node.value().stat();
        if (!st.is_error() && is_directory(st.value())) {
            status = failed(sh, "cat", argv[i], FS_EISDIR);
            continue;
        }
        for (uint64_t offset = 0;;) {
            auto n = node.value().read(offset, g_chunk, chunk_size);
            if (n.is_error()) {
                status = failed(sh, "cat", argv[i], n.error());
                break;
            }
            if (n.value() == 0)
                break;
            sh.out().write(g_chunk, n.value());
            offset += n.value();
        }
    }
    return status;
}

int builtin_echo(Shell& sh, int argc, const char* const* argv)
{
    int first = 1;
    bool newline = true;
    if (argc > 1 && StringView(argv[1]) == "-n") {
        newline = false;
        first = 2;
    }
    for (int i = first; i < argc; ++i) {
        if (i > first)
            sh.out().put(' ');
        sh.out().put(StringView(argv[i]));
    }
    if (newline)
        sh.out().put('\n');
    return 0;
}

// Seconds since 1970 as "YYYY-MM-DD HH:MM:SS UTC" (the civil calendar from a day count, as in
// Howard Hinnant's days_from_civil, run backwards).
void format_time(base::Sink& out, uint32_t seconds)
{
    int64_t days = seconds / 86400, rest = seconds % 86400;
    int64_t z = days + 719468;
    int64_t era = z / 146097;
    int64_t day_of_era = z - era * 146097;
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t mp = (5 * day_of_year + 2) / 153;
    int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = year_of_era + era * 400 + (month <= 2);
    base::format(out, "{}-{:02}-{:02} {:02}:{:02}:{:02} UTC ({})", year, month, day, rest / 3600, rest / 60 % 60,
        rest % 60, seconds);
}

int builtin_stat(Shell& sh, int argc, const char* const* argv)
{
    if (argc < 2) {
        complain(sh, "stat", "usage: stat FILE...");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; ++i) {
        auto node = sh.open(argv[i], FS_LOOKUP_READ | FS_LOOKUP_NOLINK);
        auto st = node.is_error() ? base::Result<fsclient::Stat>(node.error()) : node.value().stat();
        if (st.is_error()) {
            status = failed(sh, "stat", argv[i], st.error());
            continue;
        }
        const fsclient::Stat& s = st.value();
        auto& out = sh.out();
        base::format(out, "  File: {}\n  Type: {}\n  Size: {}  Blocks: {}  IO block: {}\n", argv[i], type_name(s.mode),
            s.size, s.blocks, s.blksize);
        // Octal is not one of base::format's types: the four digits by hand.
        char octal[4];
        for (int d = 0; d < 4; ++d)
            octal[d] = static_cast<char>('0' + ((s.mode >> (3 * (3 - d))) & 7));
        base::format(out, " Inode: {}  Links: {}  Mode: {} (", s.ino, s.nlink, StringView(octal, 4));
        format_mode(out, s.mode);
        base::format(out, ")  Uid: {}  Gid: {}\n", s.uid, s.gid);
        const struct {
            const char* name;
            uint32_t seconds;
        } times[] = { { "Access", s.atime }, { "Modify", s.mtime }, { "Change", s.ctime } };
        for (const auto& t : times) {
            base::format(out, "{}: ", t.name);
            format_time(out, t.seconds);
            out.put('\n');
        }
    }
    return status;
}

base::Result<void> make_directory(Shell& sh, StringView path)
{
    auto parent = TRY(sh.parent(path));
    return parent.directory.mkdir(parent.name);
}

int builtin_mkdir(Shell& sh, int argc, const char* const* argv)
{
    Flags flags;
    int first = parse_flags(sh, "mkdir", argc, argv, "p", flags);
    if (first < 0)
        return 2;
    if (first >= argc) {
        complain(sh, "mkdir", "usage: mkdir [-p] DIRECTORY...");
        return 2;
    }
    int status = 0;
    for (int i = first; i < argc; ++i) {
        StringView path(argv[i]);
        if (!flags['p']) {
            if (auto r = make_directory(sh, path); r.is_error())
                status = failed(sh, "mkdir", path, r.error());
            continue;
        }
        // Every prefix that ends before a '/', then the whole path; those that exist are fine.
        for (size_t end = 1; end <= path.size(); ++end) {
            if (end < path.size() && path[end] != '/')
                continue;
            StringView prefix = path.substr(0, end);
            if (prefix == "/")
                continue;
            auto r = make_directory(sh, prefix);
            if (r.is_error() && r.error().code() != FS_EEXIST) {
                status = failed(sh, "mkdir", prefix, r.error());
                break;
            }
        }
    }
    return status;
}

int builtin_rmdir(Shell& sh, int argc, const char* const* argv)
{
    if (argc < 2) {
        complain(sh, "rmdir", "usage: rmdir DIRECTORY...");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; ++i) {
        auto parent = sh.parent(argv[i]);
        auto r = parent.is_error() ? base::Result<void>(parent.error())
                                   : parent.value().directory.rmdir(parent.value().name);
        if (r.is_error())
            status = failed(sh, "rmdir", argv[i], r.error());
    }
    return status;
}

base::Result<void> remove(Shell& sh, StringView path, bool recursive, unsigned depth = 0)
{
    auto parent = TRY(sh.parent(path));
    auto unlinked = parent.directory.unlink(parent.name);
    if (!unlinked.is_error() || !recursive)
        return unlinked;
    int code = unlinked.error().code();
    if (code != FS_EISDIR && code != FS_EPERM)
        return unlinked;
    if (depth > 64)
        return base::Error(FS_ENAMETOOLONG, nullptr);
    auto directory = TRY(sh.open(path, FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY | FS_LOOKUP_NOLINK));
    NameList names;
    TRY(read_names(directory, names, true));
    for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == "." || names[i] == "..")
            continue;
        auto child = child_path(path, names[i]);
        TRY(remove(sh, child.view(), true, depth + 1));
    }
    return parent.directory.rmdir(parent.name);
}

int builtin_rm(Shell& sh, int argc, const char* const* argv)
{
    Flags flags;
    int first = parse_flags(sh, "rm", argc, argv, "rf", flags);
    if (first < 0)
        return 2;
    if (first >= argc && !flags['f']) {
        complain(sh, "rm", "usage: rm [-f] [-r] FILE...");
        return 2;
    }
    int status = 0;
    for (int i = first; i < argc; ++i) {
        auto r = remove(sh, argv[i], flags['r']);
        if (r.is_error() && !(flags['f'] && r.error().code() == FS_ENOENT))
            status = failed(sh, "rm", argv[i], r.error());
    }
    return status;
}

// Where SRC goes for mv and cp: into DST when DST is a directory, else DST itself.
base::Result<Shell::Parent> destination(Shell& sh, StringView source, StringView target)
{
    auto node = sh.open(target, FS_LOOKUP_READ);
    if (!node.is_error()) {
        auto st = TRY(node.value().stat());
        if (is_directory(st)) {
            Shell::Parent p;
            // Opened again with write access (fs.defs): the name is made in it.
            p.directory = TRY(sh.open(target, FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_DIRECTORY));
            p.name = base_name(source);
            return p;
        }
    }
    return sh.parent(target);
}

int builtin_mv(Shell& sh, int argc, const char* const* argv)
{
    if (argc != 3) {
        complain(sh, "mv", "usage: mv SOURCE DESTINATION");
        return 2;
    }
    auto from = sh.parent(argv[1]);
    if (from.is_error())
        return failed(sh, "mv", argv[1], from.error());
    auto to = destination(sh, argv[1], argv[2]);
    if (to.is_error())
        return failed(sh, "mv", argv[2], to.error());
    auto r = from.value().directory.rename(from.value().name, to.value().directory, to.value().name, true);
    if (r.is_error()) {
        complain(sh, "mv", "cannot move {} to {}: {}", argv[1], argv[2], program::ErrorText { r.error().code() });
        return 1;
    }
    return 0;
}

int builtin_cp(Shell& sh, int argc, const char* const* argv)
{
    if (argc != 3) {
        complain(sh, "cp", "usage: cp SOURCE DESTINATION");
        return 2;
    }
    auto source = sh.open(argv[1], FS_LOOKUP_READ);
    if (source.is_error())
        return failed(sh, "cp", argv[1], source.error());
    auto st = source.value().stat();
    if (st.is_error())
        return failed(sh, "cp", argv[1], st.error());
    if (is_directory(st.value()))
        return failed(sh, "cp", argv[1], FS_EISDIR);
    auto to = destination(sh, argv[1], argv[2]);
    if (to.is_error())
        return failed(sh, "cp", argv[2], to.error());
    // Opened without truncating first: copying a file onto itself must not empty it.
    auto target = to.value().directory.lookup(
        to.value().name, FS_LOOKUP_WRITE | FS_LOOKUP_CREATE, static_cast<int>(st.value().mode & 0777));
    if (target.is_error())
        return failed(sh, "cp", argv[2], target.error());
    auto target_stat = target.value().stat();
    if (target_stat.is_error())
        return failed(sh, "cp", argv[2], target_stat.error());
    if (target_stat.value().ino == st.value().ino) {
        complain(sh, "cp", "{} and {} are the same file", argv[1], argv[2]);
        return 1;
    }
    if (auto r = target.value().truncate(0); r.is_error())
        return failed(sh, "cp", argv[2], r.error());
    for (uint64_t offset = 0;;) {
        auto n = source.value().read(offset, g_chunk, chunk_size);
        if (n.is_error())
            return failed(sh, "cp", argv[1], n.error());
        if (n.value() == 0)
            break;
        auto w = target.value().write(static_cast<int64_t>(offset), g_chunk, n.value());
        if (w.is_error())
            return failed(sh, "cp", argv[2], w.error());
        offset += n.value();
    }
    return 0;
}

int builtin_ln(Shell& sh, int argc, const char* const* argv)
{
    Flags flags;
    int first = parse_flags(sh, "ln", argc, argv, "s", flags);
    if (first < 0)
        return 2;
    if (argc - first != 2) {
        complain(sh, "ln", "usage: ln [-s] TARGET LINK");
        return 2;
    }
    StringView target(argv[first]), link(argv[first + 1]);
    auto where = destination(sh, target, link);
    if (where.is_error())
        return failed(sh, "ln", link, where.error());
    if (flags['s']) {
        if (auto r = where.value().directory.symlink(where.value().name, target); r.is_error())
            return failed(sh, "ln", link, r.error());
        return 0;
    }
    auto file = sh.open(target, FS_LOOKUP_READ | FS_LOOKUP_NOLINK);
    if (file.is_error())
        return failed(sh, "ln", target, file.error());
    if (auto r = where.value().directory.link(file.value(), where.value().name); r.is_error())
        return failed(sh, "ln", link, r.error());
    return 0;
}

int builtin_truncate(Shell& sh, int argc, const char* const* argv)
{
    unsigned long long size = 0;
    if (argc < 4 || StringView(argv[1]) != "-s" || !parse_size(argv[2], size)) {
        complain(sh, "truncate", "usage: truncate -s SIZE FILE... (SIZE in bytes, or with K, M, G)");
        return 2;
    }
    int status = 0;
    for (int i = 3; i < argc; ++i) {
        auto node = sh.open(argv[i], FS_LOOKUP_WRITE | FS_LOOKUP_CREATE, 0644);
        auto r = node.is_error() ? base::Result<void>(node.error()) : node.value().truncate(size);
        if (r.is_error())
            status = failed(sh, "truncate", argv[i], r.error());
    }
    return status;
}

int builtin_sha256sum(Shell& sh, int argc, const char* const* argv)
{
    if (argc < 2) {
        complain(sh, "sha256sum", "usage: sha256sum FILE...");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; ++i) {
        auto node = sh.open(argv[i], FS_LOOKUP_READ);
        if (node.is_error()) {
            status = failed(sh, "sha256sum", argv[i], node.error());
            continue;
        }
        auto st = node.value().stat();
        if (!st.is_error() && is_directory(st.value())) {
            status = failed(sh, "sha256sum", argv[i], FS_EISDIR);
            continue;
        }
        program::Sha256 hash;
        bool ok = true;
        for (uint64_t offset = 0;;) {
            auto n = node.value().read(offset, g_chunk, chunk_size);
            if (n.is_error()) {
                status = failed(sh, "sha256sum", argv[i], n.error());
                ok = false;
                break;
            }
            if (n.value() == 0)
                break;
            hash.update(g_chunk, n.value());
            offset += n.value();
        }
        if (ok)
            base::format(sh.out(), "{}  {}\n", hash.finish(), argv[i]);
    }
    return status;
}

int builtin_df(Shell& sh, int, const char* const*)
{
    auto st = program::self().root().statfs();
    if (st.is_error())
        return failed(sh, "df", "/", st.error());
    const fsclient::StatFs& s = st.value();
    uint64_t kib = s.f_bsize / 1024 ? s.f_bsize / 1024 : 1;
    uint64_t total = s.f_blocks * kib, free = s.f_bfree * kib, available = s.f_bavail * kib;
    uint64_t used = total - free;
    uint64_t percent = total ? (used * 100 + total - 1) / total : 0;
    base::format(sh.out(), "Filesystem  Type   1K-blocks      Used Available Use%  Inodes  IFree Mounted on\n");
    base::format(sh.out(), "root        {:<6} {:9} {:9} {:9} {:3}% {:7} {:6} /{}\n",
        s.f_type == FS_TYPE_EXT2 ? "ext2" : "?", total, used, available, percent, s.f_files, s.f_ffree,
        (s.f_flags & FS_STATFS_READONLY) ? " (read-only)" : "");
    return 0;
}

int builtin_sync(Shell& sh, int, const char* const*)
{
    if (auto r = program::self().root().sync(); r.is_error())
        return failed(sh, "sync", "/", r.error());
    return 0;
}

// fsysopts PATH [OPTION...]: the Hurd's fsysopts, through the control port of the filesystem
// PATH is on (file_getcontrol, root's only): with options, fsys_set_options with them (ext2fs:
// --readonly, --writable); without, the options it runs with, on one line.
int builtin_fsysopts(Shell& sh, int argc, const char* const* argv)
{
    if (argc < 2) {
        complain(sh, "fsysopts", "usage: fsysopts PATH [OPTION...]");
        return 2;
    }
    auto node = sh.open(argv[1], FS_LOOKUP_READ);
    if (node.is_error())
        return failed(sh, "fsysopts", argv[1], node.error());
    auto control = node.value().control();
    if (control.is_error())
        return failed(sh, "fsysopts", argv[1], control.error());
    if (argc == 2) {
        static char words[FSYS_OPTIONS_MAX];
        auto size = fsclient::filesystem_options(control.value().name(), words);
        if (size.is_error())
            return failed(sh, "fsysopts", argv[1], size.error());
        // Words each ending with a zero, printed with a space between.
        StringView rest(words, size.value());
        const char* space = "";
        while (!rest.empty()) {
            size_t end = rest.find('\0');
            base::format(sh.out(), "{}{}", space, rest.substr(0, end));
            space = " ";
            rest = end < rest.size() ? rest.substr(end + 1) : StringView();
        }
        base::format(sh.out(), "\n");
        return 0;
    }
    base::BufferSink<FSYS_OPTIONS_MAX + 1> words;
    for (int i = 2; i < argc; ++i) {
        words.put(StringView(argv[i]));
        words.put('\0');
    }
    if (words.truncated() || words.view().size() > FSYS_OPTIONS_MAX) {
        complain(sh, "fsysopts", "the options are longer than {} bytes", FSYS_OPTIONS_MAX);
        return 2;
    }
    if (auto set = fsclient::set_filesystem_options(control.value().name(), words.view()); set.is_error())
        return failed(sh, "fsysopts", argv[1], set.error());
    return 0;
}

int builtin_sleep(Shell& sh, int argc, const char* const* argv)
{
    // SECONDS or SECONDS.FRACTION.
    unsigned long long seconds = 0, milliseconds = 0;
    bool ok = argc == 2;
    if (ok) {
        StringView text(argv[1]);
        size_t dot = text.find('.');
        bool has_dot = dot < text.size();
        StringView whole = text.substr(0, dot);
        ok = whole.empty() ? has_dot : base::parse_unsigned(whole, seconds);
        if (ok && has_dot) {
            StringView fraction = text.substr(dot + 1);
            unsigned scale = 100;
            for (char c : fraction) {
                if (c < '0' || c > '9') {
                    ok = false;
                    break;
                }
                milliseconds += static_cast<unsigned>(c - '0') * scale;
                scale /= 10;
            }
        }
    }
    if (!ok || seconds > 86400) {
        complain(sh, "sleep", "usage: sleep SECONDS (at most a day; a fraction such as 0.5 is allowed)");
        return 2;
    }
    (void)sh.out().flush();
    runtime::sleep_ms(static_cast<unsigned>(seconds * 1000 + milliseconds));
    return 0;
}

int builtin_lspci(Shell& sh, int, const char* const*)
{
    if (!MACH_PORT_VALID(program::self().device_master())) {
        complain(sh, "lspci", "no device master: this shell was not given one, so the PCI arbiter is out of reach");
        return 1;
    }
    auto bus = pciaccess::Bus::open(pciaccess::Bus::Access::ReadOnly);
    if (bus.is_error()) {
        complain(sh, "lspci", "cannot reach the PCI arbiter: {}", bus.error());
        return 1;
    }
    static pci::FunctionTable table;
    if (auto r = bus.value().list(table); r.is_error()) {
        complain(sh, "lspci", "{}", r.error());
        return 1;
    }
    for (const auto& f : table) {
        pci::format_function_line(sh.out(), f);
        sh.out().put('\n');
    }
    return 0;
}

bool parse_status(Shell& sh, StringView who, int argc, const char* const* argv, int& status)
{
    if (argc > 2) {
        complain(sh, who, "usage: {} [STATUS]", who);
        return false;
    }
    if (argc == 2) {
        unsigned long long n = 0;
        if (!base::parse_unsigned(argv[1], n) || n > 255) {
            complain(sh, who, "the status must be a number from 0 to 255, not '{}'", argv[1]);
            return false;
        }
        status = static_cast<int>(n);
    }
    return true;
}

int builtin_exit(Shell& sh, int argc, const char* const* argv)
{
    int status = sh.status();
    if (!parse_status(sh, "exit", argc, argv, status))
        return 2;
    sh.finish(status);
    return status;
}

int builtin_poweroff(Shell& sh, int argc, const char* const* argv)
{
    int status = 0;
    if (!parse_status(sh, "poweroff", argc, argv, status))
        return 2;
    // init ends with the status, and exec powers the machine off after putting the
    // filesystem away.
    sh.finish(program::poweroff_request | status);
    return sh.exit_status();
}

int builtin_reboot(Shell& sh, int argc, const char* const*)
{
    if (argc > 1) {
        complain(sh, "reboot", "usage: reboot");
        return 2;
    }
    // init ends with the request, and exec resets the machine after putting the filesystem away.
    sh.finish(program::reboot_request);
    return sh.exit_status();
}

int builtin_cd(Shell& sh, int argc, const char* const* argv)
{
    if (argc > 2) {
        complain(sh, "cd", "usage: cd [DIRECTORY]");
        return 2;
    }
    StringView path = argc == 2 ? StringView(argv[1]) : StringView("/");
    if (auto r = sh.change_directory(path); r.is_error())
        return failed(sh, "cd", path, r.error());
    return 0;
}

int builtin_pwd(Shell& sh, int, const char* const*)
{
    base::format(sh.out(), "{}\n", sh.cwd_path());
    return 0;
}

int builtin_env(Shell& sh, int, const char* const*)
{
    base::format(sh.out(), "PWD={}\n", sh.cwd_path());
    for (char** e = program::self().envp(); *e; ++e)
        if (!StringView(*e).starts_with("PWD="))
            base::format(sh.out(), "{}\n", *e);
    return 0;
}

int builtin_true(Shell&, int, const char* const*)
{
    return 0;
}

int builtin_false(Shell&, int, const char* const*)
{
    return 1;
}

int builtin_help(Shell& sh, int, const char* const*);

struct Entry {
    const char* name;
    Builtin run;
    const char* usage;
};

constexpr Entry builtins[] = {
    { "cat", builtin_cat, "cat FILE...                  print files" },
    { "cd", builtin_cd, "cd [DIRECTORY]               change the current directory (default /)" },
    { "cp", builtin_cp, "cp SOURCE DESTINATION        copy a file" },
    { "df", builtin_df, "df                           the filesystem's size and free space" },
    { "echo", builtin_echo, "echo [-n] WORD...            print words" },
    { "env", builtin_env, "env                          print the environment" },
    { "exit", builtin_exit, "exit [STATUS]                end the shell" },
    { "false", builtin_false, "false                        a status of 1" },
    { "fsysopts", builtin_fsysopts,
        "fsysopts PATH [OPTION...]    a filesystem's run-time options (--readonly, --writable)" },
    { "help", builtin_help, "help                         this list" },
    { "ln", builtin_ln, "ln [-s] TARGET LINK          a hard (or symbolic) link" },
    { "ls", builtin_ls, "ls [-l] [-a] [PATH...]       list directories" },
    { "lspci", builtin_lspci, "lspci                        the PCI functions, from the PCI arbiter" },
    { "mkdir", builtin_mkdir, "mkdir [-p] DIRECTORY...      make directories" },
    { "mv", builtin_mv, "mv SOURCE DESTINATION        rename or move" },
    { "poweroff", builtin_poweroff, "poweroff [STATUS]            power the machine off (QEMU exits with STATUS)" },
    { "reboot", builtin_reboot, "reboot                       reset the machine (the filesystem put away first)" },
    { "pwd", builtin_pwd, "pwd                          print the current directory" },
    { "rm", builtin_rm, "rm [-f] [-r] FILE...         remove files (-r: directories and their content)" },
    { "rmdir", builtin_rmdir, "rmdir DIRECTORY...           remove empty directories" },
    { "sha256sum", builtin_sha256sum, "sha256sum FILE...            SHA-256 of files" },
    { "sleep", builtin_sleep, "sleep SECONDS                wait" },
    { "stat", builtin_stat, "stat FILE...                 a file's attributes" },
    { "sync", builtin_sync, "sync                         write everything to the disk" },
    { "true", builtin_true, "true                         a status of 0" },
    { "truncate", builtin_truncate, "truncate -s SIZE FILE...     set files' sizes" },
};

int builtin_help(Shell& sh, int, const char* const*)
{
    base::format(sh.out(), "Built-in commands (any other word runs /bin/WORD or /sbin/WORD):\n");
    for (const auto& e : builtins)
        base::format(sh.out(), "  {}\n", e.usage);
    return 0;
}

} // namespace

Builtin find_builtin(base::StringView name)
{
    for (const auto& e : builtins)
        if (name == e.name)
            return e.run;
    return nullptr;
}

} // namespace shell
