// Corrupt images: each damage (bad magic or geometry, descriptors out of range, directory
// entries with bad lengths, block numbers beyond the filesystem, loops in directories and block
// maps, a block claimed twice, bitmaps that contradict the counts) gives an error for the call
// that meets it, never a crash (the tests run under ASan/UBSan), while the rest of the
// filesystem keeps working; and the damaged structures are not written over.
#include <fstream>
#include <functional>
#include <set>

#include "ext2_support.h"

using namespace ext2_test;

namespace {

void patch(const fs::path& image, uint64_t offset, const void* bytes, size_t n)
{
    std::fstream f(image, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(offset));
    f.write(static_cast<const char*>(bytes), std::streamsize(n));
}

template<typename T> void patch_value(const fs::path& image, uint64_t offset, T value)
{
    patch(image, offset, &value, sizeof value);
}

std::string bytes_at(const fs::path& image, uint64_t offset, size_t n)
{
    std::ifstream f(image, std::ios::binary);
    f.seekg(std::streamoff(offset));
    std::string s(n, 0);
    f.read(s.data(), std::streamsize(n));
    return s;
}

uint64_t last_number(const std::string& output)
{
    size_t end = output.find_last_of("0123456789");
    if (end == std::string::npos)
        return 0;
    size_t start = output.find_last_not_of("0123456789", end);
    return std::stoull(output.substr(start + 1, end - start));
}

uint32_t bmap(const fs::path& image, const std::string& path, uint32_t logical)
{
    return uint32_t(last_number(debugfs(image, "bmap " + path + " " + std::to_string(logical)).output));
}

uint32_t ino_of(const fs::path& image, const std::string& path)
{
    Command c = debugfs(image, "stat " + path);
    size_t at = c.output.find("Inode: ");
    return at == std::string::npos ? 0 : uint32_t(std::stoul(c.output.substr(at + 7)));
}

void debugfs_write(const fs::path& image, const std::string& request)
{
    Command c = run(tool("debugfs") + " -w -R " + quote(request) + " " + quote(image.string()));
    ASSERT_EQ(c.status, 0) << request << ": " << c.output;
}

constexpr uint32_t block_size = 1024;

// A small image: /dir with files, /big (double indirect), /a/b/c, /keep (must survive).
class Ext2Corrupt : public ::testing::Test {
protected:
    void SetUp() override
    {
        REQUIRE_E2FSPROGS();
        fs::remove_all(tmp / "tree"); // SetUp runs again in tests that damage several copies
        for (int i = 0; i < 20; ++i)
            write_file(tmp / "tree" / "dir" / ("file" + std::to_string(i)), "contents " + std::to_string(i));
        write_file(tmp / "tree" / "big", pattern(400 * 1024, 3));
        write_file(tmp / "tree" / "other", pattern(100 * 1024, 4));
        write_file(tmp / "tree" / "keep", "this must stay readable\n");
        fs::create_directories(tmp / "tree" / "a" / "b" / "c");
        fs::create_directories(tmp / "tree" / "move-me");
        fs::create_symlink("short", tmp / "tree" / "fast");
        Command made = make_image(image, block_size, 8192, "", tmp / "tree");
        ASSERT_EQ(made.status, 0) << made.output;
    }

    // After the damage: the call must fail with Corrupt (or the given code), /keep must still
    // read, and unmount must work.
    void expect_corrupt(
        const std::function<base::Result<void>(ext2::Filesystem&)>& call, int want = code(ext2::Errc::Corrupt))
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok()) << describe(m.error());
        auto r = call(*m);
        EXPECT_TRUE(r.is_error());
        if (r.is_error()) {
            EXPECT_EQ(r.error().code(), want) << describe(r.error());
            if (want == code(ext2::Errc::Corrupt)) {
                EXPECT_FALSE(m->last_corruption().empty());
            }
        }
        auto keep = resolve(*m, "/keep");
        ASSERT_FALSE(keep.is_error()) << describe(keep.error());
        EXPECT_EQ(read_all(*m, keep.value()), "this must stay readable\n");
        walk_everything(*m);
        EXT2_OK(m->unmount());
    }

    // Reads and lists everything reachable, tolerating errors, bounded against loops.
    void walk_everything(ext2::Filesystem& f)
    {
        std::set<ext2::Ino> seen;
        std::function<void(ext2::Ino, int)> walk = [&](ext2::Ino dir, int depth) {
            if (depth > 64 || !seen.insert(dir).second)
                return;
            base::Error failure { 0 };
            for (const Listed& l : list(f, dir, &failure)) {
                if (l.name == "." || l.name == "..")
                    continue;
                auto ino = f.lookup(dir, base::StringView(l.name.data(), l.name.size()));
                if (ino.is_error())
                    continue;
                auto st = f.stat(ino.value());
                if (st.is_error())
                    continue;
                if ((st.value().mode & 0170000) == 0040000)
                    walk(ino.value(), depth + 1);
                else if ((st.value().mode & 0170000) == 0100000)
                    (void)read_all(f, ino.value());
            }
        };
        walk(ext2::root_ino, 0);
    }

    TempDir tmp;
    fs::path image = tmp / "img";
};

TEST_F(Ext2Corrupt, BadMagic)
{
    patch_value<uint16_t>(image, 1024 + 56, 0x1234);
    Mounted m(image);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code(), code(ext2::Errc::Corrupt));
    EXPECT_NE(std::string(m.error().context()).find("magic"), std::string::npos);
}

TEST_F(Ext2Corrupt, BadGeometry)
{
    struct Damage {
        uint32_t offset;
        uint32_t value;
        int want;
    };
    for (Damage d : { Damage { 32, 0, code(ext2::Errc::Corrupt) }, // blocks per group
             Damage { 40, 0, code(ext2::Errc::Corrupt) }, // inodes per group
             Damage { 0, 5, code(ext2::Errc::Corrupt) }, // inode count
             Damage { 4, 1u << 30, code(ext2::Errc::Corrupt) }, // blocks beyond the device
             Damage { 4, 1, code(ext2::Errc::Corrupt) }, // too few blocks
             Damage { 24, 7, code(ext2::Errc::Unsupported) }, // block size 128 KiB
             Damage { 20, 9, code(ext2::Errc::Corrupt) }, // first data block
             Damage { 76, 5, code(ext2::Errc::Unsupported) } }) { // revision
        std::string saved = bytes_at(image, 1024 + d.offset, 4);
        patch_value<uint32_t>(image, 1024 + d.offset, d.value);
        Mounted m(image);
        EXPECT_FALSE(m.ok()) << "field at " << d.offset;
        if (!m.ok()) {
            EXPECT_EQ(m.error().code(), d.want) << d.offset << ": " << describe(m.error());
        }
        patch(image, 1024 + d.offset, saved.data(), 4);
    }
    patch_value<uint16_t>(image, 1024 + 88, 100); // inode size not a power of two
    Mounted m(image);
    EXPECT_FALSE(m.ok());
}

TEST_F(Ext2Corrupt, GroupDescriptorsOutOfRange)
{
    for (const char* field : { "block_bitmap", "inode_bitmap", "inode_table" }) {
        SetUp();
        debugfs_write(image, std::string("set_bg 0 ") + field + " 9999999");
        Mounted m(image);
        ASSERT_FALSE(m.ok()) << field;
        EXPECT_EQ(m.error().code(), code(ext2::Errc::Corrupt)) << field << ": " << describe(m.error());
    }
    // An inode table that runs past its group's end.
    SetUp();
    debugfs_write(image, "set_bg 0 inode_table 8190");
    Mounted m(image);
    EXPECT_FALSE(m.ok());
}

TEST_F(Ext2Corrupt, DirectoryEntryLengths)
{
    uint32_t block = bmap(image, "/dir", 0);
    ASSERT_GT(block, 0u);
    uint64_t dir_block = uint64_t(block) * block_size;
    // The third entry (after '.' at 0 and '..' at 12) starts at 24.
    struct Damage {
        uint16_t rec_len;
        const char* context;
    };
    for (Damage d : { Damage { 0, "rec_len 0" }, Damage { 6, "below 12" }, Damage { 18, "multiple of 4" },
             Damage { 2000, "past the end" }, Damage { 12, "shorter than its name" } }) {
        SetUp();
        std::string before = bytes_at(image, dir_block, block_size);
        patch_value<uint16_t>(image, dir_block + 24 + 4, d.rec_len);
        std::string damaged = bytes_at(image, dir_block, block_size);
        for (auto call : std::vector<std::function<base::Result<void>(ext2::Filesystem&)>> {
                 [](ext2::Filesystem& f) -> base::Result<void> {
                     ext2::Ino dir = TRY(f.lookup(ext2::root_ino, "dir"));
                     TRY(f.lookup(dir, "file19"));
                     return {};
                 },
                 [](ext2::Filesystem& f) -> base::Result<void> {
                     ext2::Ino dir = TRY(f.lookup(ext2::root_ino, "dir"));
                     ext2::DirEntry e[64];
                     TRY(f.readdir(dir, 0, e, 64));
                     return {};
                 },
                 [](ext2::Filesystem& f) -> base::Result<void> {
                     ext2::Ino dir = TRY(f.lookup(ext2::root_ino, "dir"));
                     TRY(f.create(dir, "new", 0644));
                     return {};
                 },
                 [](ext2::Filesystem& f) -> base::Result<void> {
                     ext2::Ino dir = TRY(f.lookup(ext2::root_ino, "dir"));
                     return f.unlink(dir, "file0");
                 },
                 [](ext2::Filesystem& f) -> base::Result<void> {
                     return f.rename(ext2::root_ino, "keep", TRY(f.lookup(ext2::root_ino, "dir")), "k");
                 },
                 [](ext2::Filesystem& f) -> base::Result<void> { return f.rmdir(ext2::root_ino, "dir"); } }) {
            expect_corrupt(call);
        }
        Mounted m(image);
        ASSERT_TRUE(m.ok());
        auto dir = EXT2_OK(m->lookup(ext2::root_ino, "dir"));
        auto r = m->lookup(dir, "file3");
        ASSERT_TRUE(r.is_error());
        EXPECT_NE(std::string(r.error().context()).find(d.context), std::string::npos) << r.error().context();
        EXT2_OK(m->unmount());
        EXPECT_TRUE(bytes_at(image, dir_block, block_size) == damaged) << "the damaged block was not written";
        (void)before;
    }
}

TEST_F(Ext2Corrupt, DirectoryEntryInodeOutOfRange)
{
    uint64_t dir_block = uint64_t(bmap(image, "/dir", 0)) * block_size;
    patch_value<uint32_t>(image, dir_block + 24, 99999999);
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        TRY(f.lookup(TRY(f.lookup(ext2::root_ino, "dir")), "file5"));
        return {};
    });
}

TEST_F(Ext2Corrupt, DirectorySizeAndHoles)
{
    debugfs_write(image, "sif /dir size 1000");
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        TRY(f.lookup(TRY(f.lookup(ext2::root_ino, "dir")), "file1"));
        return {};
    });
    SetUp();
    debugfs_write(image, "sif /dir block[0] 0");
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        TRY(f.lookup(TRY(f.lookup(ext2::root_ino, "dir")), "file1"));
        return {};
    });
}

TEST_F(Ext2Corrupt, BlockNumberBeyondTheFilesystem)
{
    uint32_t free_before;
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok());
        free_before = uint32_t(m->statfs().free_blocks);
        EXT2_OK(m->unmount());
    }
    // A direct block, then the indirect block, then an entry inside the double indirect one.
    debugfs_write(image, "sif /big block[3] 99999999");
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        ext2::Ino big = TRY(f.lookup(ext2::root_ino, "big"));
        char buffer[8192];
        TRY(f.read(big, 0, buffer, sizeof buffer));
        return {};
    });
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> { return f.unlink(ext2::root_ino, "big"); });
    expect_corrupt(
        [](ext2::Filesystem& f) -> base::Result<void> { return f.truncate(TRY(f.lookup(ext2::root_ino, "big")), 0); });
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok());
        EXPECT_EQ(m->statfs().free_blocks, free_before) << "nothing was freed from a corrupt block map";
        EXPECT_FALSE(m->lookup(ext2::root_ino, "big").is_error()) << "the refused unlink left the name";
        // A read that does not reach the bad block works.
        ext2::Ino big = EXT2_OK(m->lookup(ext2::root_ino, "big"));
        std::string head(2048, 0);
        EXPECT_EQ(EXT2_OK(m->read(big, 0, head.data(), head.size())), head.size());
        EXPECT_TRUE(head == pattern(400 * 1024, 3).substr(0, 2048));
        EXT2_OK(m->unmount());
    }
    SetUp();
    debugfs_write(image, "sif /big block[IND] 99999999");
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        ext2::Ino big = TRY(f.lookup(ext2::root_ino, "big"));
        char buffer[1024];
        TRY(f.read(big, 13 * 1024, buffer, sizeof buffer));
        return {};
    });
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        ext2::Ino big = TRY(f.lookup(ext2::root_ino, "big"));
        TRY(f.write(big, 20 * 1024, "x", 1));
        return {};
    });
    SetUp();
    Command st = debugfs(image, "stat /big");
    size_t at = st.output.find("(DIND):");
    ASSERT_NE(at, std::string::npos) << st.output;
    uint32_t dind_block = uint32_t(std::stoul(st.output.substr(at + 7)));
    patch_value<uint32_t>(image, uint64_t(dind_block) * block_size, 99999999);
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        ext2::Ino big = TRY(f.lookup(ext2::root_ino, "big"));
        char buffer[1024];
        TRY(f.read(big, (12 + 256) * 1024, buffer, sizeof buffer));
        return {};
    });
}

TEST_F(Ext2Corrupt, BlockMapLoop)
{
    // The double indirect block's first entry points at itself: what would be an indirect
    // block is the double indirect block again.
    Command st = debugfs(image, "stat /big");
    size_t at = st.output.find("(DIND):");
    ASSERT_NE(at, std::string::npos) << st.output;
    uint32_t dind = uint32_t(std::stoul(st.output.substr(at + 7)));
    patch_value<uint32_t>(image, uint64_t(dind) * block_size, dind);
    uint32_t free_before;
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok());
        free_before = uint32_t(m->statfs().free_blocks);
        EXT2_OK(m->unmount());
    }
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        ext2::Ino big = TRY(f.lookup(ext2::root_ino, "big"));
        char buffer[1024];
        TRY(f.read(big, (12 + 256) * 1024, buffer, sizeof buffer));
        return {};
    });
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> { return f.unlink(ext2::root_ino, "big"); });
    Mounted m(image);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->statfs().free_blocks, free_before);
    EXT2_OK(m->unmount());
}

TEST_F(Ext2Corrupt, BlockClaimedTwice)
{
    // /other's first block is also /big's first block.
    uint32_t shared = bmap(image, "/big", 0);
    debugfs_write(image, "sif /other block[0] " + std::to_string(shared));
    Mounted m(image);
    ASSERT_TRUE(m.ok());
    uint64_t free_before = m->statfs().free_blocks;
    EXT2_OK(m->unlink(ext2::root_ino, "big"));
    uint64_t freed = m->statfs().free_blocks - free_before;
    auto r = m->unlink(ext2::root_ino, "other");
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), code(ext2::Errc::Corrupt)) << describe(r.error());
    EXPECT_NE(
        std::string(m->last_corruption().data(), m->last_corruption().size()).find("claimed twice"), std::string::npos);
    EXPECT_EQ(m->statfs().free_blocks - free_before, freed) << "the refused unlink freed nothing";
    EXPECT_FALSE(m->lookup(ext2::root_ino, "other").is_error());
    EXT2_OK(m->unmount());
}

TEST_F(Ext2Corrupt, DirectoryLoops)
{
    uint32_t a = ino_of(image, "/a"), b = ino_of(image, "/a/b"), c = ino_of(image, "/a/b/c");
    ASSERT_TRUE(a && b && c);
    // An entry naming its own directory.
    debugfs_write(image, "link /a /a/self");
    expect_corrupt(
        [](ext2::Filesystem& f) -> base::Result<void> { return f.rmdir(TRY(f.lookup(ext2::root_ino, "a")), "self"); });
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        return f.rename(TRY(f.lookup(ext2::root_ino, "a")), "self", ext2::root_ino, "elsewhere");
    });
    // '..' loops: b's parent is c, c's parent is b: moving a directory into c must not walk up
    // forever.
    SetUp();
    a = ino_of(image, "/a");
    b = ino_of(image, "/a/b");
    c = ino_of(image, "/a/b/c");
    uint64_t b_block = uint64_t(bmap(image, "/a/b", 0)) * block_size;
    patch_value<uint32_t>(image, b_block + 12, c);
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        ext2::Ino c = TRY(resolve(f, "/a/b/c"));
        return f.rename(ext2::root_ino, "move-me", c, "moved");
    });
    // A '..' that names its own directory.
    SetUp();
    b = ino_of(image, "/a/b");
    b_block = uint64_t(bmap(image, "/a/b", 0)) * block_size;
    patch_value<uint32_t>(image, b_block + 12, b);
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        ext2::Ino c = TRY(resolve(f, "/a/b/c"));
        return f.rename(ext2::root_ino, "move-me", c, "moved");
    });
    // A directory hard-linked below itself: the walk above stays bounded.
    SetUp();
    debugfs_write(image, "link /a /a/b/c/up");
    Mounted m(image);
    ASSERT_TRUE(m.ok());
    walk_everything(*m);
    EXPECT_EQ(EXT2_OK(resolve(*m, "/a/b/c/up/b/c/up/b")), ino_of(image, "/a/b"));
    EXT2_OK(m->unmount());
}

TEST_F(Ext2Corrupt, BadInodes)
{
    debugfs_write(image, "sif /keep links_count 1"); // a no-op that proves the command works
    debugfs_write(image, "sif /dir/file1 mode 0170644");
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        TRY(f.stat(TRY(resolve(f, "/dir/file1"))));
        return {};
    });
    SetUp();
    debugfs_write(image, "sif /dir/file2 flags 0x80000");
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        TRY(f.stat(TRY(resolve(f, "/dir/file2"))));
        return {};
    });
    SetUp();
    debugfs_write(image, "sif /fast size 200");
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        char buffer[300];
        TRY(f.readlink(TRY(resolve(f, "/fast")), buffer, sizeof buffer));
        return {};
    });
    // An entry naming a deleted inode.
    SetUp();
    debugfs_write(image, "sif /dir/file3 links_count 0");
    expect_corrupt([](ext2::Filesystem& f) -> base::Result<void> {
        TRY(resolve(f, "/dir/file3"));
        return {};
    });
}

TEST_F(Ext2Corrupt, BitmapsContradictingTheCounts)
{
    // All blocks of the only group marked used while the descriptor counts free ones: nothing
    // can be allocated there, and the call says so instead of trusting either.
    Command st = run(tool("dumpe2fs") + " " + image.string());
    size_t at = st.output.find("Block bitmap at ");
    ASSERT_NE(at, std::string::npos);
    uint32_t bitmap = uint32_t(std::stoul(st.output.substr(at + 16)));
    std::string before = bytes_at(image, uint64_t(bitmap) * block_size, block_size);
    patch(image, uint64_t(bitmap) * block_size, std::string(block_size, '\xff').data(), block_size);
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok());
        ext2::Ino keep = EXT2_OK(resolve(*m, "/keep"));
        std::string data(5000, 'x');
        EXPECT_EQ(error_of(m->write(keep, 2048, data.data(), data.size())), code(ext2::Errc::NoSpace));
        EXPECT_NE(
            std::string(m->last_corruption().data(), m->last_corruption().size()).find("bitmap"), std::string::npos);
        EXT2_OK(m->unmount());
    }
    // All blocks marked free, metadata included: the group is refused at the first metadata
    // block it would hand out, and nothing in use is overwritten.
    SetUp();
    st = run(tool("dumpe2fs") + " " + image.string());
    bitmap = uint32_t(std::stoul(st.output.substr(st.output.find("Block bitmap at ") + 16)));
    patch(image, uint64_t(bitmap) * block_size, std::string(block_size, '\0').data(), block_size);
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok());
        ext2::Ino f = EXT2_OK(m->create(ext2::root_ino, "new", 0644));
        std::string data(50000, 'y');
        auto r = m->write(f, 0, data.data(), data.size());
        EXPECT_EQ(error_of(r), code(ext2::Errc::NoSpace));
        EXPECT_EQ(read_all(*m, EXT2_OK(resolve(*m, "/keep"))), "this must stay readable\n");
        EXPECT_TRUE(read_all(*m, EXT2_OK(resolve(*m, "/big"))) == pattern(400 * 1024, 3));
        EXT2_OK(m->unmount());
    }
    (void)before;
}

} // namespace
