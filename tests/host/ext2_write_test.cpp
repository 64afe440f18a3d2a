// Writing through the library: scripted and random sequences of create, write, extend,
// truncate, unlink, mkdir, rmdir, rename, symlink, link and chmod on images of every block
// size and of revision 0, each followed by unmount, `e2fsck -fn` (which must find nothing)
// and a comparison of what debugfs dumps (rdump) with a model of what the calls made.
#include <sys/stat.h>

#include <map>
#include <random>
#include <set>

#include "ext2_support.h"

using namespace ext2_test;

namespace {

struct File {
    char type; // 'f' regular, 'd' directory, 'l' symbolic link
    std::string data; // contents or link target
    uint16_t perm;
};
using Model = std::map<std::string, std::shared_ptr<File>>; // "a/b" -> node; "" is the root

std::string parent_of(const std::string& p)
{
    size_t slash = p.rfind('/');
    return slash == std::string::npos ? "" : p.substr(0, slash);
}
std::string name_of(const std::string& p)
{
    size_t slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}
base::StringView view(const std::string& s)
{
    return base::StringView(s.data(), s.size());
}

size_t link_count(const Model& m, const std::shared_ptr<File>& f)
{
    size_t n = 0;
    for (auto& [path, node] : m)
        n += node == f;
    return n;
}

// Compares a host tree (a debugfs rdump) with the model; lost+found at the root is ignored.
void compare_dump(const fs::path& dump, const Model& model)
{
    std::set<std::string> seen;
    for (auto it = fs::recursive_directory_iterator(dump); it != fs::recursive_directory_iterator(); ++it) {
        std::string rel = it->path().lexically_relative(dump).string();
        if (rel == "lost+found" || rel.rfind("lost+found/", 0) == 0)
            continue;
        seen.insert(rel);
        auto m = model.find(rel);
        if (m == model.end()) {
            ADD_FAILURE() << "debugfs shows " << rel << ", which the calls did not make";
            continue;
        }
        struct stat st;
        ASSERT_EQ(::lstat(it->path().c_str(), &st), 0);
        const File& f = *m->second;
        if (f.type == 'f') {
            EXPECT_TRUE(S_ISREG(st.st_mode)) << rel;
            EXPECT_EQ(size_t(st.st_size), f.data.size()) << rel;
            EXPECT_TRUE(read_host_file(it->path()) == f.data) << rel << ": contents differ";
            EXPECT_EQ(st.st_mode & 0777, f.perm & 0777) << rel << " (rdump does not restore set-id bits)";
        } else if (f.type == 'd') {
            EXPECT_TRUE(S_ISDIR(st.st_mode)) << rel;
            EXPECT_EQ(st.st_mode & 0777, f.perm & 0777) << rel;
        } else {
            EXPECT_TRUE(S_ISLNK(st.st_mode)) << rel;
            EXPECT_EQ(fs::read_symlink(it->path()).string(), f.data) << rel;
        }
    }
    for (auto& [path, node] : model)
        if (!path.empty() && !seen.count(path))
            ADD_FAILURE() << path << " is missing from what debugfs shows";
}

// The same comparison through the library (after a fresh mount).
void compare_library(ext2::Filesystem& f, const Model& model)
{
    for (auto& [path, node] : model) {
        auto ino = resolve(f, "/" + path);
        if (ino.is_error()) {
            ADD_FAILURE() << path << ": " << describe(ino.error());
            continue;
        }
        ext2::Stat st = EXT2_OK(f.stat(ino.value()));
        if (!path.empty()) {
            EXPECT_EQ(st.mode & 07777, node->type == 'l' ? 0777 : node->perm) << path;
        }
        if (node->type == 'f') {
            EXPECT_EQ(st.links, link_count(model, node)) << path;
            EXPECT_TRUE(read_all(f, ino.value()) == node->data) << path;
        } else if (node->type == 'l') {
            char buffer[4096];
            size_t n = EXT2_OK(f.readlink(ino.value(), buffer, sizeof buffer));
            EXPECT_EQ(std::string(buffer, n), node->data) << path;
        } else {
            size_t subdirs = path.empty() ? 1 : 0; // lost+found
            size_t entries = 0;
            for (auto& [p, n] : model)
                if (!p.empty() && parent_of(p) == path) {
                    ++entries;
                    subdirs += n->type == 'd';
                }
            EXPECT_EQ(st.links, 2 + subdirs) << path;
            EXPECT_EQ(list(f, ino.value()).size(), entries + 2 + (path.empty() ? 1 : 0)) << path;
        }
    }
}

// Unmounts, then the image must pass e2fsck -fn and debugfs must show the model.
void check_image(Mounted& m, const fs::path& image, const Model& model, const TempDir& tmp)
{
    ext2::StatFs before = m->statfs();
    auto r = m->unmount();
    ASSERT_FALSE(r.is_error()) << describe(r.error());
    Command check = fsck(image);
    EXPECT_EQ(check.status, 0) << check.output;
    Command stats = debugfs(image, "stats");
    EXPECT_NE(stats.output.find("Filesystem state:         clean"), std::string::npos) << stats.output;
    EXPECT_NE(
        stats.output.find("Free blocks:              " + std::to_string(before.free_blocks) + "\n"), std::string::npos)
        << "statfs said " << before.free_blocks << " free blocks\n"
        << stats.output.substr(0, 2000);
    EXPECT_NE(
        stats.output.find("Free inodes:              " + std::to_string(before.free_inodes) + "\n"), std::string::npos)
        << "statfs said " << before.free_inodes << " free inodes";
    fs::path dump = tmp / ("dump-" + std::to_string(::rand()));
    fs::create_directories(dump);
    Command dumped = debugfs(image, "rdump / " + dump.string());
    compare_dump(dump, model);
    fs::remove_all(dump);
    Mounted again(image);
    ASSERT_TRUE(again.ok()) << describe(again.error());
    compare_library(*again, model);
    EXT2_OK(again->unmount());
}

struct Case {
    uint32_t block_size;
    const char* options;
};

void PrintTo(const Case& c, std::ostream* os)
{
    *os << c.block_size << "-byte blocks " << c.options;
}

class Ext2Write : public ::testing::TestWithParam<Case> { };

// A script that touches every call and the block map's edges.
TEST_P(Ext2Write, ScriptedSequencePassesFsck)
{
    REQUIRE_E2FSPROGS();
    Case c = GetParam();
    TempDir tmp;
    fs::path image = tmp / "img";
    Command made = make_image(image, c.block_size, 32 * 1024, c.options);
    ASSERT_EQ(made.status, 0) << made.output;
    Model model;
    model[""] = std::make_shared<File>(File { 'd', "", 0755 });
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok()) << describe(m.error());
        Command dirty = debugfs(image, "stats");
        EXPECT_NE(dirty.output.find("Filesystem state:         not clean"), std::string::npos)
            << "mounted read-write, the valid flag is off on disk";
        ext2::Ino root = ext2::root_ino;
        uint32_t bs = c.block_size, per = bs / 4;

        // Files across the block map's edges, written in pieces.
        ext2::Ino docs = EXT2_OK(m->mkdir(root, "docs", 0750));
        model["docs"] = std::make_shared<File>(File { 'd', "", 0750 });
        for (uint64_t size : { uint64_t(0), uint64_t(1), uint64_t(bs), uint64_t(12 * bs + 1),
                 uint64_t((12 + per) * bs + 100), uint64_t(700 * 1024 + 3) }) {
            std::string name = "f" + std::to_string(size);
            ext2::Ino f = EXT2_OK(m->create(docs, view(name), 0640));
            std::string data = pattern(size, uint32_t(size));
            for (size_t at = 0; at < data.size();) {
                size_t n = std::min<size_t>(data.size() - at, 1 + (at * 7 + 4093) % 50000);
                EXPECT_EQ(EXT2_OK(m->write(f, at, data.data() + at, n)), n);
                at += n;
            }
            model["docs/" + name] = std::make_shared<File>(File { 'f', data, 0640 });
        }
        // A sparse file: writes far apart, a hole between; then extended and shrunk.
        ext2::Ino sparse = EXT2_OK(m->create(root, "sparse", 0600));
        std::string sparse_data(uint64_t(9) << 20, 0);
        for (uint64_t at : { uint64_t(0), uint64_t(100 * bs + 17), uint64_t(5) << 20, (uint64_t(9) << 20) - 10 }) {
            std::string piece = pattern(10, uint32_t(at));
            EXPECT_EQ(EXT2_OK(m->write(sparse, at, piece.data(), piece.size())), piece.size());
            sparse_data.replace(at, piece.size(), piece);
        }
        EXT2_OK(m->truncate(sparse, (uint64_t(5) << 20) + 5)); // mid-piece, mid-block
        sparse_data.resize((uint64_t(5) << 20) + 5);
        EXT2_OK(m->truncate(sparse, (uint64_t(6) << 20))); // extended: zeros, not old bytes
        sparse_data.resize(uint64_t(6) << 20, 0);
        model["sparse"] = std::make_shared<File>(File { 'f', sparse_data, 0600 });
        ext2::Stat sst = EXT2_OK(m->stat(sparse));
        EXPECT_LT(sst.blocks512 * 512, uint64_t(64 * bs)) << "the holes take no space";
        // Shrinking across the indirect levels frees their blocks.
        ext2::Ino shrink = EXT2_OK(m->create(root, "shrink", 0644));
        std::string big = pattern((12 + per + 3) * bs, 9);
        EXPECT_EQ(EXT2_OK(m->write(shrink, 0, big.data(), big.size())), big.size());
        EXT2_OK(m->truncate(shrink, 12 * bs - 1));
        big.resize(12 * bs - 1);
        model["shrink"] = std::make_shared<File>(File { 'f', big, 0644 });
        EXPECT_EQ(EXT2_OK(m->stat(shrink)).blocks512, uint64_t(12 * bs / 512));
        ext2::Ino emptied = EXT2_OK(m->create(root, "emptied", 0644));
        EXPECT_EQ(EXT2_OK(m->write(emptied, 0, big.data(), big.size())), big.size());
        EXT2_OK(m->truncate(emptied, 0));
        EXPECT_EQ(EXT2_OK(m->stat(emptied)).blocks512, 0u);
        model["emptied"] = std::make_shared<File>(File { 'f', "", 0644 });

        // Directories: nested, removed, renamed across with '..' fixed.
        ext2::Ino a = EXT2_OK(m->mkdir(root, "a", 0755));
        ext2::Ino b = EXT2_OK(m->mkdir(a, "b", 0700));
        ext2::Ino cdir = EXT2_OK(m->mkdir(b, "c", 0755));
        ext2::Ino gone = EXT2_OK(m->mkdir(a, "gone", 0755));
        (void)gone;
        EXT2_OK(m->rmdir(a, "gone"));
        EXPECT_EQ(error_of(m->rmdir(a, "b")), code(ext2::Errc::NotEmpty));
        EXPECT_EQ(error_of(m->rename(root, "a", cdir, "a")), code(ext2::Errc::InvalidArgument));
        EXPECT_EQ(error_of(m->rename(a, "b", b, "x")), code(ext2::Errc::InvalidArgument));
        EXT2_OK(m->rename(b, "c", root, "c-moved"));
        EXPECT_EQ(EXT2_OK(m->lookup(cdir, "..")), root);
        EXPECT_EQ(EXT2_OK(m->stat(b)).links, 2u);
        model["a"] = std::make_shared<File>(File { 'd', "", 0755 });
        model["a/b"] = std::make_shared<File>(File { 'd', "", 0700 });
        model["c-moved"] = std::make_shared<File>(File { 'd', "", 0755 });
        // A directory over an empty directory, across parents.
        EXT2_OK(m->mkdir(cdir, "inner", 0711));
        EXT2_OK(m->mkdir(root, "target", 0755));
        EXT2_OK(m->rename(root, "c-moved", a, "b")); // over the empty a/b
        model.erase("c-moved");
        model["a/b"] = std::make_shared<File>(File { 'd', "", 0755 });
        model["a/b/inner"] = std::make_shared<File>(File { 'd', "", 0711 });
        model["target"] = std::make_shared<File>(File { 'd', "", 0755 });
        EXPECT_EQ(EXT2_OK(m->lookup(cdir, "..")), a);
        EXPECT_EQ(error_of(m->stat(b)), code(ext2::Errc::NotFound)) << "the replaced directory is freed";

        // Files renamed within and across directories and over an existing file.
        ext2::Ino f1 = EXT2_OK(m->create(a, "one", 0644));
        EXPECT_EQ(EXT2_OK(m->write(f1, 0, "first", 5)), 5u);
        ext2::Ino f2 = EXT2_OK(m->create(a, "two", 0644));
        EXPECT_EQ(EXT2_OK(m->write(f2, 0, "second", 6)), 6u);
        EXT2_OK(m->rename(a, "one", a, "uno"));
        EXT2_OK(m->rename(a, "two", root, "target-file"));
        EXT2_OK(m->rename(a, "uno", root, "target-file")); // over an existing file
        EXPECT_EQ(EXT2_OK(m->lookup(root, "target-file")), f1);
        EXPECT_EQ(error_of(m->stat(f2)), code(ext2::Errc::NotFound)) << "the replaced file is freed";
        model["target-file"] = std::make_shared<File>(File { 'f', "first", 0644 });
        EXPECT_EQ(error_of(m->rename(root, "target-file", root, "target")), code(ext2::Errc::IsDirectory));
        EXPECT_EQ(error_of(m->rename(root, "target", root, "target-file")), code(ext2::Errc::NotDirectory));

        // Symbolic links, hard links, modes, times.
        EXT2_OK(m->symlink(root, "fast", "docs/f1"));
        model["fast"] = std::make_shared<File>(File { 'l', "docs/f1", 0777 });
        std::string slow_target = "/" + std::string(bs - 2, 'q');
        EXT2_OK(m->symlink(a, "slow", view(slow_target)));
        model["a/slow"] = std::make_shared<File>(File { 'l', slow_target, 0777 });
        EXPECT_EQ(error_of(m->symlink(a, "too-long", view(std::string(bs, 'z')))), code(ext2::Errc::NameTooLong));
        ext2::Ino shared = EXT2_OK(m->create(root, "shared", 0604));
        EXPECT_EQ(EXT2_OK(m->write(shared, 0, "linked", 6)), 6u);
        EXT2_OK(m->link(a, "shared-too", shared));
        EXT2_OK(m->link(docs, "shared-3", shared));
        EXT2_OK(m->unlink(docs, "shared-3"));
        auto shared_file = std::make_shared<File>(File { 'f', "linked", 0604 });
        model["shared"] = model["a/shared-too"] = shared_file;
        EXPECT_EQ(EXT2_OK(m->stat(shared)).links, 2u);
        EXPECT_EQ(error_of(m->link(root, "dir-link", a)), code(ext2::Errc::NotPermitted));
        EXT2_OK(m->chmod(shared, 04711));
        shared_file->perm = 04711;
        EXT2_OK(m->chmod(docs, 0755));
        model["docs"]->perm = 0755;
        EXT2_OK(m->utimes(shared, 1000000000, 1100000000));
        ext2::Stat times = EXT2_OK(m->stat(shared));
        EXPECT_EQ(times.atime, 1000000000u);
        EXPECT_EQ(times.mtime, 1100000000u);
        EXT2_OK(m->chown(shared, 1234, 5678));
        ext2::Stat owned = EXT2_OK(m->stat(shared));
        EXPECT_EQ(owned.uid, 1234u);
        EXPECT_EQ(owned.gid, 5678u);

        // Name errors.
        EXPECT_EQ(error_of(m->create(root, "docs", 0644)), code(ext2::Errc::Exists));
        EXPECT_EQ(error_of(m->mkdir(root, ".", 0755)), code(ext2::Errc::Exists));
        EXPECT_EQ(error_of(m->create(root, view(std::string(256, 'n')), 0644)), code(ext2::Errc::NameTooLong));
        EXPECT_EQ(error_of(m->create(root, "a/b", 0644)), code(ext2::Errc::InvalidArgument));
        EXPECT_EQ(error_of(m->unlink(root, "absent")), code(ext2::Errc::NotFound));
        EXPECT_EQ(error_of(m->unlink(root, "a")), code(ext2::Errc::IsDirectory));
        EXPECT_EQ(error_of(m->rmdir(root, "shared")), code(ext2::Errc::NotDirectory));
        EXPECT_EQ(error_of(m->rmdir(root, "..")), code(ext2::Errc::NotEmpty));
        EXPECT_EQ(error_of(m->create(shared, "x", 0644)), code(ext2::Errc::NotDirectory));
        // The longest name.
        std::string longest(255, 'L');
        EXT2_OK(m->create(root, view(longest), 0644));
        model[longest] = std::make_shared<File>(File { 'f', "", 0644 });

        EXT2_OK(m->sync());
        Command synced = fsck(image);
        EXPECT_EQ(synced.status, 0) << "mounted and synced: consistent\n" << synced.output;
        check_image(m, image, model, tmp);
    }
}

// Random calls checked against a model, including the errors they must give.
TEST_P(Ext2Write, RandomSequenceMatchesModel)
{
    REQUIRE_E2FSPROGS();
    Case c = GetParam();
    TempDir tmp;
    fs::path image = tmp / "img";
    ASSERT_EQ(make_image(image, c.block_size, 32 * 1024, c.options).status, 0);
    Model model;
    model[""] = std::make_shared<File>(File { 'd', "", 0755 });
    Mounted m(image);
    ASSERT_TRUE(m.ok()) << describe(m.error());
    std::mt19937 rng(c.block_size * 31 + (c.options[0] ? 7 : 0));
    auto pick = [&](auto filter) -> std::string {
        std::vector<std::string> candidates;
        for (auto& [p, n] : model)
            if (filter(p, *n))
                candidates.push_back(p);
        if (candidates.empty())
            return "";
        return candidates[rng() % candidates.size()];
    };
    auto any_dir = [&] { return pick([](const std::string&, const File& f) { return f.type == 'd'; }); };
    auto any = [&] { return pick([](const std::string& p, const File&) { return !p.empty(); }); };
    auto new_name = [&] { return "n" + std::to_string(rng() % 40); };
    auto lib = [&](const std::string& p) { return EXT2_OK(resolve(*m, "/" + p)); };
    auto join = [](const std::string& d, const std::string& n) { return d.empty() ? n : d + "/" + n; };
    auto inside = [](const std::string& p, const std::string& dir) { return p.rfind(dir + "/", 0) == 0; };
    auto empty_dir = [&](const std::string& d) {
        for (auto& [p, n] : model)
            if (!p.empty() && parent_of(p) == d)
                return false;
        return true;
    };
    size_t ops = 0;
    for (int step = 0; step < 700; ++step) {
        int op = rng() % 11;
        SCOPED_TRACE("step " + std::to_string(step) + " op " + std::to_string(op));
        if (op <= 1) { // create or mkdir
            std::string dir = any_dir(), name = new_name(), path = join(dir, name);
            uint16_t perm = uint16_t(rng() % 01000);
            auto r = op == 0 ? m->create(lib(dir), view(name), perm) : m->mkdir(lib(dir), view(name), perm);
            if (model.count(path)) {
                EXPECT_EQ(error_of(r), code(ext2::Errc::Exists)) << path;
            } else {
                EXPECT_FALSE(r.is_error()) << path << ": " << describe(r.error());
                model[path] = std::make_shared<File>(File { op == 0 ? 'f' : 'd', "", perm });
            }
        } else if (op <= 3) { // write somewhere, sometimes far
            std::string path = pick([](const std::string&, const File& f) { return f.type == 'f'; });
            if (path.empty())
                continue;
            File& f = *model[path];
            uint64_t at = rng() % 4 == 0 ? rng() % (3 << 20) : rng() % (f.data.size() + 1);
            std::string data = pattern(rng() % 3 == 0 ? rng() % 70000 : rng() % 3000, rng());
            size_t n = EXT2_OK(m->write(lib(path), at, data.data(), data.size()));
            EXPECT_EQ(n, data.size());
            if (f.data.size() < at + data.size())
                f.data.resize(at + data.size(), 0);
            f.data.replace(at, data.size(), data);
        } else if (op == 4) { // truncate
            std::string path = pick([](const std::string&, const File& f) { return f.type == 'f'; });
            if (path.empty())
                continue;
            File& f = *model[path];
            uint64_t size = rng() % 2 ? rng() % (f.data.size() + 1) : rng() % (1 << 20);
            EXT2_OK(m->truncate(lib(path), size));
            f.data.resize(size, 0);
        } else if (op == 5) { // unlink
            std::string path = any();
            if (path.empty())
                continue;
            auto r = m->unlink(lib(parent_of(path)), view(name_of(path)));
            if (model[path]->type == 'd') {
                EXPECT_EQ(error_of(r), code(ext2::Errc::IsDirectory));
            } else {
                EXPECT_FALSE(r.is_error()) << describe(r.error());
                model.erase(path);
            }
        } else if (op == 6) { // rmdir
            std::string path = any();
            if (path.empty())
                continue;
            auto r = m->rmdir(lib(parent_of(path)), view(name_of(path)));
            if (model[path]->type != 'd') {
                EXPECT_EQ(error_of(r), code(ext2::Errc::NotDirectory));
            } else if (!empty_dir(path)) {
                EXPECT_EQ(error_of(r), code(ext2::Errc::NotEmpty));
            } else {
                EXPECT_FALSE(r.is_error()) << describe(r.error());
                model.erase(path);
            }
        } else if (op == 7) { // rename
            std::string from = any();
            if (from.empty())
                continue;
            std::string to_dir = any_dir(), to = join(to_dir, new_name());
            auto r = m->rename(lib(parent_of(from)), view(name_of(from)), lib(to_dir), view(name_of(to)));
            auto src = model[from];
            int want = -1;
            if (model.count(to)) {
                auto dst = model[to];
                if (dst == src)
                    want = -2; // the same file: nothing happens
                else if (src->type == 'd' && dst->type != 'd')
                    want = code(ext2::Errc::NotDirectory);
                else if (src->type != 'd' && dst->type == 'd')
                    want = code(ext2::Errc::IsDirectory);
                else if (dst->type == 'd' && !empty_dir(to))
                    want = code(ext2::Errc::NotEmpty);
            }
            if (want == -1 && src->type == 'd' && (to_dir == from || inside(to_dir, from)))
                want = code(ext2::Errc::InvalidArgument);
            if (want == -2) {
                EXPECT_FALSE(r.is_error());
            } else if (want != -1) {
                EXPECT_EQ(error_of(r), want) << from << " -> " << to;
            } else {
                EXPECT_FALSE(r.is_error()) << from << " -> " << to << ": " << describe(r.error());
                Model moved;
                for (auto it = model.begin(); it != model.end();) {
                    if (it->first == to || inside(it->first, to)) {
                        it = model.erase(it); // the replaced node
                        continue;
                    }
                    ++it;
                }
                for (auto it = model.begin(); it != model.end();) {
                    if (it->first == from || inside(it->first, from)) {
                        moved[to + it->first.substr(from.size())] = it->second;
                        it = model.erase(it);
                        continue;
                    }
                    ++it;
                }
                model.insert(moved.begin(), moved.end());
            }
        } else if (op == 8) { // symlink
            std::string dir = any_dir(), name = new_name(), path = join(dir, name);
            std::string target = rng() % 2 ? "t" + std::to_string(rng()) : std::string(60 + rng() % 200, 'T');
            auto r = m->symlink(lib(dir), view(name), view(target));
            if (model.count(path)) {
                EXPECT_EQ(error_of(r), code(ext2::Errc::Exists));
            } else {
                EXPECT_FALSE(r.is_error()) << describe(r.error());
                model[path] = std::make_shared<File>(File { 'l', target, 0777 });
            }
        } else if (op == 9) { // hard link
            std::string from = any();
            if (from.empty())
                continue;
            std::string dir = any_dir(), name = new_name(), path = join(dir, name);
            auto r = m->link(lib(dir), view(name), lib(from));
            if (model[from]->type == 'd') {
                EXPECT_EQ(error_of(r), code(ext2::Errc::NotPermitted));
            } else if (model.count(path)) {
                EXPECT_EQ(error_of(r), code(ext2::Errc::Exists));
            } else {
                EXPECT_FALSE(r.is_error()) << describe(r.error());
                model[path] = model[from];
            }
        } else { // chmod
            std::string path = any();
            if (path.empty() || model[path]->type == 'l')
                continue;
            uint16_t perm = uint16_t(rng() % 010000);
            EXT2_OK(m->chmod(lib(path), perm));
            model[path]->perm = perm;
        }
        ++ops;
        if (HasFailure())
            break;
    }
    EXPECT_GT(ops, 500u);
    check_image(m, image, model, tmp);
}

INSTANTIATE_TEST_SUITE_P(Images, Ext2Write,
    ::testing::Values(Case { 1024, "" }, Case { 2048, "" }, Case { 4096, "" }, Case { 1024, "-r 0" },
        Case { 4096, "-O ^filetype,^dir_index" }, Case { 1024, "-O meta_bg,^resize_inode" }, Case { 4096, "-I 128" }),
    [](const auto& info) {
        std::string name = std::to_string(info.param.block_size);
        for (const char* o = info.param.options; *o; ++o)
            name += isalnum(*o) ? *o : '_';
        return name;
    });

} // namespace
