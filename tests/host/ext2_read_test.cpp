// Reading images that mke2fs -d made from trees built here: every file, directory, link and
// mode read back through the library matches the host tree and what debugfs says, for 1, 2
// and 4 KiB blocks; plus revision 0, dir_index directories, and large reads in few transfers.
#include <sys/stat.h>

#include <map>
#include <set>

#include "ext2_support.h"

using namespace ext2_test;

namespace {

// A tree with a bit of everything ext2 stores differently.
void build_tree(const fs::path& root, uint32_t block_size)
{
    fs::create_directories(root);
    // Sizes around the block map's edges: direct, single, double indirect.
    uint64_t per = block_size / 4;
    for (uint64_t size : { uint64_t(0), uint64_t(1), uint64_t(block_size - 1), uint64_t(block_size),
             uint64_t(block_size + 1), 12 * uint64_t(block_size), 12 * uint64_t(block_size) + 1,
             (12 + per) * block_size, (12 + per) * block_size + 7, uint64_t(3 << 20) + 5 })
        write_file(root / "sizes" / ("file-" + std::to_string(size)), pattern(size, uint32_t(size)));
    // Many small files in one folder.
    for (int i = 0; i < 300; ++i)
        write_file(root / "many" / ("small-" + std::to_string(i)), "file number " + std::to_string(i) + "\n");
    // A deep path.
    fs::path deep = root / "deep";
    for (int i = 0; i < 40; ++i)
        deep /= "level" + std::to_string(i);
    write_file(deep / "bottom.txt", "at the bottom\n");
    // Long names, 255 bytes being the most ext2 allows.
    write_file(root / "long" / std::string(255, 'n'), "longest name\n");
    write_file(root / "long" / (std::string(200, 'a') + ".txt"), "long name\n");
    fs::create_directories(root / "long" / std::string(255, 'd'));
    // Symbolic links: fast (under 60 bytes, in the inode) and slow (in a block).
    fs::create_directories(root / "links");
    fs::create_symlink("../sizes/file-1", root / "links" / "fast");
    fs::create_symlink(std::string(59, 'f'), root / "links" / "fast-59");
    fs::create_symlink(std::string(60, 's'), root / "links" / "slow-60");
    fs::create_symlink("/" + std::string(300, 'x') + "/target", root / "links" / "slow-long");
    // Hard links.
    write_file(root / "hard" / "one", "shared by three names\n");
    fs::create_hard_link(root / "hard" / "one", root / "hard" / "two");
    fs::create_hard_link(root / "hard" / "one", root / "three");
    // Modes.
    write_file(root / "modes" / "private", "0600\n");
    fs::permissions(root / "modes" / "private", fs::perms(0600));
    write_file(root / "modes" / "setuid", "04755\n");
    ::chmod((root / "modes" / "setuid").c_str(), 04755);
    fs::create_directories(root / "modes" / "sticky");
    ::chmod((root / "modes" / "sticky").c_str(), 01777);
    // A sparse file with data past the triple-indirect start of 1 KiB blocks (64 MiB + 268 KiB)
    // and past 4 GiB (large_file); the holes read as zeros.
    {
        int fd = ::open((root / "sparse").c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
        std::string chunk = pattern(5000, 77);
        for (uint64_t at : { uint64_t(0), uint64_t(1) << 20, (uint64_t(65) << 20) + 300, uint64_t(300) << 20,
                 (uint64_t(5) << 30) + 12345 }) {
            EXPECT_EQ(::pwrite(fd, chunk.data(), chunk.size(), off_t(at)), ssize_t(chunk.size()));
        }
        ::close(fd);
    }
    write_file(root / "empty-dir" / ".keep", "");
    fs::remove(root / "empty-dir" / ".keep");
}

// debugfs's view of one inode: "Blockcount: N" and "Links: N".
uint64_t debugfs_field(const fs::path& image, ext2::Ino ino, const std::string& field)
{
    Command c = debugfs(image, "stat <" + std::to_string(ino) + ">");
    size_t at = c.output.find(field + ": ");
    if (at == std::string::npos)
        return ~uint64_t(0);
    return std::stoull(c.output.substr(at + field.size() + 2));
}

// Compares the library's view of path with the host's, recursively for folders. Returns the
// number of nodes compared.
size_t compare(ext2::Filesystem& f, const fs::path& host, ext2::Ino ino, const fs::path& image,
    std::map<ino_t, ext2::Ino>& hard_links)
{
    struct stat hs;
    EXPECT_EQ(::lstat(host.c_str(), &hs), 0) << host;
    ext2::Stat st = EXT2_OK(f.stat(ino));
    EXPECT_EQ(st.mode, hs.st_mode & 0xffff) << host;
    EXPECT_EQ(st.uid, hs.st_uid) << host;
    EXPECT_EQ(st.gid, hs.st_gid) << host;
    if (!S_ISDIR(hs.st_mode)) {
        EXPECT_EQ(st.links, hs.st_nlink) << host;
    }
    if (hs.st_nlink > 1 && !S_ISDIR(hs.st_mode)) {
        auto [it, inserted] = hard_links.emplace(hs.st_ino, ino);
        if (!inserted) {
            EXPECT_EQ(it->second, ino) << host << " is a hard link to another inode";
        }
    }
    size_t nodes = 1;
    if (S_ISREG(hs.st_mode)) {
        EXPECT_EQ(st.size, uint64_t(hs.st_size)) << host;
        if (hs.st_size < (64 << 20)) {
            EXPECT_TRUE(read_all(f, ino) == read_host_file(host)) << host << ": contents differ";
        }
        if (host.parent_path().filename() != "many") { // debugfs is slow; the small ones are alike
            EXPECT_EQ(st.blocks512, debugfs_field(image, ino, "Blockcount")) << host;
        }
    } else if (S_ISLNK(hs.st_mode)) {
        std::string target = fs::read_symlink(host).string();
        EXPECT_EQ(st.size, target.size()) << host;
        char buffer[4096];
        size_t n = EXT2_OK(f.readlink(ino, buffer, sizeof buffer));
        EXPECT_EQ(std::string(buffer, n), target) << host;
        EXPECT_EQ(st.blocks512, debugfs_field(image, ino, "Blockcount")) << host;
    } else if (S_ISDIR(hs.st_mode)) {
        std::set<std::string> expected, found;
        size_t subdirs = 0;
        for (auto& e : fs::directory_iterator(host)) {
            expected.insert(e.path().filename().string());
            subdirs += fs::is_directory(e.symlink_status());
        }
        if (ino == ext2::root_ino)
            ++subdirs; // lost+found
        EXPECT_EQ(st.links, 2 + subdirs) << host;
        bool dot = false, dot_dot = false;
        for (const Listed& l : list(f, ino)) {
            if (l.name == ".") {
                dot = true;
                EXPECT_EQ(l.ino, ino);
                continue;
            }
            if (l.name == "..") {
                dot_dot = true;
                continue;
            }
            if (l.name == "lost+found" && ino == ext2::root_ino)
                continue;
            found.insert(l.name);
            ext2::Ino child = EXT2_OK(f.lookup(ino, base::StringView(l.name.data(), l.name.size())));
            EXPECT_EQ(child, l.ino) << host / l.name;
            ext2::Stat cs = EXT2_OK(f.stat(child));
            ext2::FileType want = S_ISDIR(cs.mode) ? ext2::FileType::Directory
                : S_ISLNK(cs.mode)                 ? ext2::FileType::Symlink
                                                   : ext2::FileType::Regular;
            EXPECT_EQ(int(l.type), int(want)) << host / l.name;
            nodes += compare(f, host / l.name, child, image, hard_links);
        }
        EXPECT_TRUE(dot && dot_dot) << host;
        EXPECT_EQ(found, expected) << host;
    }
    return nodes;
}

class Ext2Read : public ::testing::TestWithParam<uint32_t> { };

TEST_P(Ext2Read, TreeMatchesHostAndDebugfs)
{
    REQUIRE_E2FSPROGS();
    uint32_t block_size = GetParam();
    TempDir tmp;
    build_tree(tmp / "tree", block_size);
    Command made = make_image(tmp / "img", block_size, 48 * 1024, "", tmp / "tree");
    ASSERT_EQ(made.status, 0) << made.output;

    ext2::MountOptions ro;
    ro.mode = ext2::MountMode::ReadOnly;
    Mounted m(tmp / "img", ro);
    ASSERT_TRUE(m.ok()) << describe(m.error());
    EXPECT_TRUE(m->read_only());
    EXPECT_EQ(m->mount_note(), base::StringView(""));
    ext2::StatFs sf = m->statfs();
    EXPECT_EQ(sf.block_size, block_size);

    std::map<ino_t, ext2::Ino> hard_links;
    size_t nodes = compare(*m, tmp / "tree", ext2::root_ino, tmp / "img", hard_links);
    size_t host_nodes = 1;
    for (auto it = fs::recursive_directory_iterator(tmp / "tree"); it != fs::recursive_directory_iterator(); ++it)
        ++host_nodes;
    EXPECT_EQ(nodes, host_nodes) << "every node of the tree was compared";

    // The sparse file: data where it was written, zeros between, checked in pieces.
    ext2::Ino sparse = EXT2_OK(resolve(*m, "/sparse"));
    std::string chunk = pattern(5000, 77);
    for (uint64_t at : { uint64_t(0), uint64_t(1) << 20, (uint64_t(65) << 20) + 300, uint64_t(300) << 20,
             (uint64_t(5) << 30) + 12345 }) {
        std::string got(7000, 'x');
        size_t n = EXT2_OK(m->read(sparse, at - (at ? 1000 : 0), got.data(), got.size()));
        size_t lead = at ? 1000 : 0;
        EXPECT_EQ(got.substr(0, lead), std::string(lead, 0)) << "hole before " << at;
        EXPECT_TRUE(got.substr(lead, 5000) == chunk) << "data at " << at;
        if (n > lead + 5000) {
            EXPECT_EQ(got.substr(lead + 5000, n - lead - 5000), std::string(n - lead - 5000, 0)) << "hole after " << at;
        }
    }
    // Reading at and past the end gives nothing.
    char byte;
    EXPECT_EQ(EXT2_OK(m->read(sparse, (uint64_t(5) << 30) + 12345 + 5000, &byte, 1)), 0u);
    EXPECT_EQ(EXT2_OK(m->read(sparse, uint64_t(1) << 40, &byte, 1)), 0u);

    // Directories refuse file calls and the other way round.
    ext2::Ino many = EXT2_OK(resolve(*m, "/many"));
    EXPECT_EQ(error_of(m->read(many, 0, &byte, 1)), code(ext2::Errc::IsDirectory));
    ext2::Ino one = EXT2_OK(resolve(*m, "/hard/one"));
    ext2::DirEntry e[1];
    EXPECT_EQ(error_of(m->readdir(one, 0, e, 1)), code(ext2::Errc::NotDirectory));
    EXPECT_EQ(error_of(m->lookup(one, "x")), code(ext2::Errc::NotDirectory));
    EXPECT_EQ(error_of(m->readlink(one, &byte, 1)), code(ext2::Errc::InvalidArgument));
    EXPECT_EQ(error_of(m->lookup(many, "absent")), code(ext2::Errc::NotFound));
    EXPECT_EQ(error_of(m->lookup(many, std::string(256, 'n').c_str())), code(ext2::Errc::NameTooLong));
    EXPECT_EQ(error_of(m->stat(0)), code(ext2::Errc::InvalidArgument));
    EXPECT_EQ(error_of(m->stat(sf.inodes + 1)), code(ext2::Errc::InvalidArgument));
    EXPECT_EQ(error_of(m->stat(sf.inodes)), code(ext2::Errc::NotFound)) << "an unused inode";
    // A read-only mount refuses every change.
    EXPECT_EQ(error_of(m->create(ext2::root_ino, "new", 0644)), code(ext2::Errc::ReadOnly));
    EXPECT_EQ(error_of(m->write(one, 0, "x", 1)), code(ext2::Errc::ReadOnly));
    EXPECT_EQ(error_of(m->unlink(ext2::root_ino, "three")), code(ext2::Errc::ReadOnly));
    EXT2_OK(m->unmount());
    EXPECT_EQ(m.device.writes, 0u) << "a read-only mount writes nothing";
}

INSTANTIATE_TEST_SUITE_P(BlockSizes, Ext2Read, ::testing::Values(1024u, 2048u, 4096u),
    [](const auto& info) { return std::to_string(info.param); });

TEST(Ext2Read, LargeFileInFewTransfers)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    std::string data = pattern(16 << 20, 5);
    write_file(tmp / "tree" / "big", data);
    ASSERT_EQ(make_image(tmp / "img", 4096, 64 * 1024, "", tmp / "tree").status, 0);
    {
        // Through the file data cache: a transfer per chunk of 1 MiB at most, besides the
        // breaks and reads of the indirect blocks.
        Mounted cached(tmp / "img");
        ASSERT_TRUE(cached.ok()) << describe(cached.error());
        ext2::Ino big = EXT2_OK(resolve(*cached, "/big"));
        std::string got(data.size(), 0);
        uint64_t before = cached.device.reads;
        EXPECT_EQ(EXT2_OK(cached->read(big, 0, got.data(), got.size())), data.size());
        EXPECT_TRUE(got == data);
        EXPECT_LE(cached.device.reads - before, 16u + 5u + 5u) << "reads of a contiguous 16 MiB file";
        EXT2_OK(cached->unmount());
    }
    // Uncached, runs are not cut into chunks.
    ext2::MountOptions uncached;
    uncached.data_cache_bytes = 0;
    Mounted m(tmp / "img", uncached);
    ASSERT_TRUE(m.ok()) << describe(m.error());
    ext2::Ino big = EXT2_OK(resolve(*m, "/big"));
    std::string got(data.size(), 0);
    uint64_t before = m.device.reads;
    EXPECT_EQ(EXT2_OK(m->read(big, 0, got.data(), got.size())), data.size());
    uint64_t transfers = m.device.reads - before;
    EXPECT_TRUE(got == data);
    // 4096 blocks: runs break only at the 5 indirect blocks mke2fs put between them.
    EXPECT_LE(transfers, 16u) << "reads of a contiguous 16 MiB file";
    // Unaligned reads get the same bytes.
    for (uint64_t at : { uint64_t(1), uint64_t(4095), uint64_t(4097), uint64_t(49151), uint64_t(5 << 20) + 3 }) {
        std::string part(100000, 0);
        EXPECT_EQ(EXT2_OK(m->read(big, at, part.data(), part.size())), part.size());
        EXPECT_TRUE(part == data.substr(at, part.size())) << "at " << at;
    }
    EXT2_OK(m->unmount());
}

TEST(Ext2Read, DirIndexDirectoryReadsAllEntries)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    for (int i = 0; i < 2000; ++i)
        write_file(tmp / "tree" / "indexed" / ("entry-with-a-longish-name-" + std::to_string(i)), std::to_string(i));
    ASSERT_EQ(make_image(tmp / "img", 1024, 16 * 1024, "-O dir_index", tmp / "tree").status, 0);
    // e2fsck -D builds the hash index of every large directory.
    Command indexed = run(tool("e2fsck") + " -fyD " + quote((tmp / "img").string()));
    ASSERT_LE(indexed.status, 1) << indexed.output;
    Mounted m(tmp / "img");
    ASSERT_TRUE(m.ok()) << describe(m.error());
    ext2::Ino dir = EXT2_OK(resolve(*m, "/indexed"));
    ext2::Stat st = EXT2_OK(m->stat(dir));
    ASSERT_TRUE(st.flags & 0x1000) << "e2fsck -D did not index the directory";
    std::set<std::string> names;
    for (const Listed& l : list(*m, dir))
        names.insert(l.name);
    EXPECT_EQ(names.size(), 2002u);
    for (int i : { 0, 1, 999, 1999 }) {
        std::string name = "entry-with-a-longish-name-" + std::to_string(i);
        ext2::Ino ino = EXT2_OK(m->lookup(dir, base::StringView(name.data(), name.size())));
        EXPECT_EQ(read_all(*m, ino), std::to_string(i));
    }
    EXT2_OK(m->unmount());
}

TEST(Ext2Read, RevisionZero)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    Command made = make_image(tmp / "img", 1024, 4096, "-r 0");
    ASSERT_EQ(made.status, 0) << made.output;
    Mounted m(tmp / "img");
    ASSERT_TRUE(m.ok()) << describe(m.error());
    std::set<std::string> names;
    for (const Listed& l : list(*m, ext2::root_ino)) {
        names.insert(l.name);
        EXPECT_EQ(int(l.type), int(ext2::FileType::Unknown)) << "revision 0 has no filetype feature";
    }
    EXPECT_EQ(names, (std::set<std::string> { ".", "..", "lost+found" }));
    EXT2_OK(m->unmount());
}

TEST(Ext2Read, SectorSizes)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    write_file(tmp / "tree" / "f", pattern(100000, 3));
    ASSERT_EQ(make_image(tmp / "img", 4096, 8192, "", tmp / "tree").status, 0);
    for (uint32_t sector : { 512u, 1024u, 2048u, 4096u }) {
        ext2::MountOptions ro;
        ro.mode = ext2::MountMode::ReadOnly;
        Mounted m(tmp / "img", ro, sector);
        ASSERT_TRUE(m.ok()) << sector << ": " << describe(m.error());
        EXPECT_TRUE(read_all(*m, EXT2_OK(resolve(*m, "/f"))) == pattern(100000, 3)) << sector;
    }
    // A block smaller than the sectors cannot be addressed.
    ASSERT_EQ(make_image(tmp / "img1k", 1024, 8192).status, 0);
    ext2::MountOptions ro;
    ro.mode = ext2::MountMode::ReadOnly;
    Mounted m(tmp / "img1k", ro, 4096);
    EXPECT_FALSE(m.ok());
    EXPECT_EQ(m.error().code(), code(ext2::Errc::Unsupported));
}

} // namespace
