// ext2 never makes a damaged disk worse (issue 10). Each test crafts one damage with debugfs
// (set_inode_field, set_bg, freeb, freei, set_super_value) or a patched byte, checks the
// library's answer, then runs e2fsck -fn on the result: no problem kind appears that was not
// there before, and no kind grows (e2fsck_oracle.h).
#include <fstream>
#include <set>

#include "e2fsck_oracle.h"
#include "ext2_support.h"

using namespace ext2_test;

namespace {

constexpr uint32_t block_size = 1024;

void patch(const fs::path& image, uint64_t offset, const void* bytes, size_t n)
{
    std::fstream f(image, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(offset));
    f.write(static_cast<const char*>(bytes), std::streamsize(n));
}

void debugfs_write(const fs::path& image, const std::string& request)
{
    Command c = run(tool("debugfs") + " -w -R " + quote(request) + " " + quote(image.string()));
    ASSERT_EQ(c.status, 0) << request << ": " << c.output;
    ASSERT_EQ(c.output.find("debugfs: "), std::string::npos) << request << ": " << c.output;
}

// A number debugfs prints after label in the output of request ("File ACL: ").
uint32_t debugfs_number(const fs::path& image, const std::string& request, const std::string& label)
{
    Command c = debugfs(image, request);
    size_t at = c.output.find(label);
    if (at == std::string::npos)
        return 0;
    return uint32_t(std::stoul(c.output.substr(at + label.size())));
}

// Every block of a file's map, as debugfs lists them.
std::set<uint32_t> blocks_of(const fs::path& image, const std::string& path)
{
    Command c = debugfs(image, "blocks " + path);
    std::set<uint32_t> out;
    std::istringstream words(c.output.substr(c.output.find('\n') + 1));
    std::string word;
    while (words >> word)
        if (word.find_first_not_of("0123456789") == std::string::npos)
            out.insert(uint32_t(std::stoul(word)));
    return out;
}

// What a fill of the filesystem by one file wrote.
uint64_t fill(ext2::Filesystem& f, const char* name)
{
    auto made = f.create(ext2::root_ino, name, 0644);
    if (made.is_error())
        return 0;
    std::string chunk(64 * 1024, 'z');
    uint64_t offset = 0;
    for (int i = 0; i < 200; ++i) {
        auto n = f.write(made.value(), offset, chunk.data(), chunk.size());
        if (n.is_error() || n.value() == 0)
            break;
        offset += n.value();
    }
    return offset;
}

// A group's free block or inode count as dumpe2fs prints it ("1779 free blocks, 128 free
// inodes").
uint32_t group_count(const fs::path& image, uint32_t g, const std::string& what)
{
    Command c = run(tool("dumpe2fs") + " " + quote(image.string()));
    size_t at = c.output.find("Group " + std::to_string(g) + ": ");
    at = c.output.find(" " + what + ",", at);
    size_t start = c.output.find_last_of(" \n", at - 1) + 1;
    return uint32_t(std::stoul(c.output.substr(start, at - start)));
}

class CollectedNotes final : public ext2::Notes {
public:
    void note(base::StringView s) override { notes.emplace_back(s.data(), s.size()); }
    std::vector<std::string> notes;
};

std::string text(base::StringView s)
{
    return std::string(s.data(), s.size());
}

// An 8 MiB image of four groups of 2048 1-KiB blocks, 128 inodes each, 128-byte inodes (so
// that an extended attribute goes to a block of its own): /f with an attribute block, /small,
// /big (indirect blocks), /d/a, an empty /e, and /keep.
class Ext2Safety : public ::testing::Test {
protected:
    void SetUp() override
    {
        REQUIRE_E2FSPROGS();
        notes.notes.clear();
        write_file(tmp / "tree" / "f", "has an attribute\n");
        write_file(tmp / "tree" / "small", "small file\n");
        write_file(tmp / "tree" / "big", pattern(300 * 1024, 7));
        write_file(tmp / "tree" / "d" / "a", "in d\n");
        write_file(tmp / "tree" / "keep", "this must stay readable\n");
        fs::create_directories(tmp / "tree" / "e");
        Command made = make_image(image, block_size, 8192, "-I 128 -g 2048 -N 512 " + extra_options(), tmp / "tree");
        ASSERT_EQ(made.status, 0) << made.output;
        debugfs_write(image, "ea_set /f user.test some-value");
        debugfs_write(image, "ea_set /e user.test some-value");
    }
    virtual std::string extra_options() { return ""; }

    // e2fsck's view now, as the baseline.
    void baseline() { before = e2fsck_oracle::check(tool("e2fsck"), image.string()); }

    // After the library's work: nothing worse than the baseline.
    void expect_no_worse()
    {
        auto after = e2fsck_oracle::check(tool("e2fsck"), image.string());
        auto worse = e2fsck_oracle::worse(before, after);
        EXPECT_TRUE(worse.empty()) << "e2fsck finds more than before:\n"
                                   <<
            [&] {
                std::string s;
                for (auto& w : worse)
                    s += "  " + w + "\n";
                return s;
            }() << "before: " << e2fsck_oracle::describe(before)
                                   << "\nafter:\n"
                                   << after.output;
        ++checked;
    }

    ext2::MountOptions options()
    {
        ext2::MountOptions o;
        o.notes = &notes;
        return o;
    }

    void expect_corrupt(const base::Result<void>& r, const char* what)
    {
        ASSERT_TRUE(r.is_error()) << what << " was not refused";
        EXPECT_EQ(r.error().code(), code(ext2::Errc::Corrupt)) << what << ": " << describe(r.error());
    }

    TempDir tmp;
    fs::path image = tmp / "img";
    e2fsck_oracle::Problems before;
    CollectedNotes notes;
    int checked = 0;
};

// Every refused removal leaves the name, the link count, the blocks and the bitmaps as they were.
struct Snapshot {
    std::string listing;
    ext2::StatFs statfs;
};

Snapshot snapshot(ext2::Filesystem& f)
{
    Snapshot s;
    for (const char* dir : { "/", "/d", "/e" }) {
        auto ino = resolve(f, dir);
        if (ino.is_error())
            continue;
        for (const Listed& l : list(f, ino.value())) {
            auto st = f.stat(l.ino);
            s.listing += std::string(dir) + "/" + l.name + " " + std::to_string(l.ino) + " links "
                + (st.is_error() ? "?" : std::to_string(st.value().links)) + " size "
                + (st.is_error() ? "?" : std::to_string(st.value().size)) + "\n";
        }
    }
    s.statfs = f.statfs();
    return s;
}

void expect_same(const Snapshot& a, const Snapshot& b)
{
    EXPECT_EQ(a.listing, b.listing);
    EXPECT_EQ(a.statfs.free_blocks, b.statfs.free_blocks);
    EXPECT_EQ(a.statfs.free_inodes, b.statfs.free_inodes);
}

TEST_F(Ext2Safety, RefusedRemovalsOverABadAttributeBlock)
{
    uint32_t acl = debugfs_number(image, "stat /f", "File ACL: ");
    ASSERT_GT(acl, 0u);
    struct Damage {
        const char* name;
        std::function<void()> apply;
    };
    std::vector<Damage> damages {
        { "bad magic", [&] { patch(image, uint64_t(acl) * block_size, "\x11\x22\x33\x44", 4); } },
        { "reference count 0", [&] { patch(image, uint64_t(acl) * block_size + 4, "\0\0\0\0", 4); } },
        { "two blocks", [&] { patch(image, uint64_t(acl) * block_size + 8, "\2\0\0\0", 4); } },
        { "beyond the filesystem", [&] { debugfs_write(image, "sif /f file_acl 99999999"); } },
        { "marked free", [&] { debugfs_write(image, "freeb " + std::to_string(acl)); } },
        { "a metadata block", [&] { debugfs_write(image, "sif /f file_acl 3"); } },
    };
    for (const Damage& d : damages) {
        SCOPED_TRACE(d.name);
        SetUp();
        acl = debugfs_number(image, "stat /f", "File ACL: ");
        d.apply();
        baseline();
        {
            Mounted m(image, options());
            ASSERT_TRUE(m.ok()) << describe(m.error());
            Snapshot was = snapshot(*m);
            expect_corrupt(m->unlink(ext2::root_ino, "f"), "unlink");
            expect_corrupt(m->rename(ext2::root_ino, "small", ext2::root_ino, "f"), "rename over it");
            expect_same(was, snapshot(*m));
            EXPECT_EQ(read_all(*m, EXT2_OK(m->lookup(ext2::root_ino, "f"))), "has an attribute\n");
            EXPECT_EQ(read_all(*m, EXT2_OK(m->lookup(ext2::root_ino, "small"))), "small file\n");
            EXT2_OK(m->unmount());
        }
        expect_no_worse();
    }
    EXPECT_EQ(checked, int(damages.size()));
}

TEST_F(Ext2Safety, RefusedRmdirOverABadAttributeBlock)
{
    uint32_t acl = debugfs_number(image, "stat /e", "File ACL: ");
    ASSERT_GT(acl, 0u);
    patch(image, uint64_t(acl) * block_size, "\x11\x22\x33\x44", 4);
    baseline();
    {
        Mounted m(image, options());
        ASSERT_TRUE(m.ok());
        Snapshot was = snapshot(*m);
        expect_corrupt(m->rmdir(ext2::root_ino, "e"), "rmdir");
        expect_same(was, snapshot(*m));
        EXT2_OK(m->unmount());
    }
    expect_no_worse();
}

// A map naming blocks 1-3 (the superblock and descriptors), the block bitmap or the inode table:
// unlink, rename over the file and truncate are refused whole.
TEST_F(Ext2Safety, RefusedRemovalsOverAMapNamingMetadata)
{
    struct Damage {
        const char* name;
        std::vector<std::string> requests;
    };
    std::vector<Damage> damages {
        { "blocks 1-3",
            { "sif /small block[0] 1", "sif /small block[1] 2", "sif /small block[2] 3", "sif /small size 3072" } },
        { "the block bitmap", { "sif /small block[1] 130", "sif /small size 2048" } },
        { "the inode table", { "sif /small block[1] 140", "sif /small size 2048" } },
        { "a group's superblock backup", { "sif /small block[1] 2049", "sif /small size 2048" } },
    };
    for (const Damage& d : damages) {
        SCOPED_TRACE(d.name);
        SetUp();
        for (const std::string& r : d.requests)
            debugfs_write(image, r);
        baseline();
        {
            Mounted m(image, options());
            ASSERT_TRUE(m.ok());
            Snapshot was = snapshot(*m);
            ext2::Ino small = EXT2_OK(m->lookup(ext2::root_ino, "small"));
            std::string contents = read_all(*m, small);
            expect_corrupt(m->unlink(ext2::root_ino, "small"), "unlink");
            expect_corrupt(m->rename(ext2::root_ino, "keep", ext2::root_ino, "small"), "rename over it");
            expect_corrupt(m->truncate(small, 0), "truncate to 0");
            expect_corrupt(m->truncate(small, 10), "truncate inside the first block");
            expect_same(was, snapshot(*m));
            EXPECT_TRUE(read_all(*m, small) == contents) << "the refused truncate zeroed nothing";
            EXPECT_NE(text(m->last_corruption()).find("metadata"), std::string::npos) << text(m->last_corruption());
            EXT2_OK(m->unmount());
        }
        expect_no_worse();
    }
    EXPECT_EQ(checked, int(damages.size()));
}

// A block named twice by one map is freed once; nothing else of the image changes.
TEST_F(Ext2Safety, BlockNamedTwiceByOneFile)
{
    uint32_t first = *blocks_of(image, "/big").begin();
    ASSERT_GT(first, 0u);
    debugfs_write(image, "sif /big block[1] " + std::to_string(first));
    baseline();
    uint64_t free_before;
    {
        Mounted m(image, options());
        ASSERT_TRUE(m.ok());
        free_before = m->statfs().free_blocks;
        EXT2_OK(m->unlink(ext2::root_ino, "big"));
        EXT2_OK(m->unmount());
    }
    expect_no_worse();
    Mounted m(image, options());
    ASSERT_TRUE(m.ok());
    EXPECT_GT(m->statfs().free_blocks, free_before + 290);
    EXT2_OK(m->unmount());
}

// An inode free in the bitmap but in use is never handed out again: its group is distrusted for
// inodes, allocation goes to another group, the notes name the group once.
TEST_F(Ext2Safety, InodeFreeInTheBitmapButInUse)
{
    uint32_t a = debugfs_number(image, "stat /d/a", "Inode: ");
    ASSERT_GT(a, 0u);
    // freei clears the bit only: the count follows, so that only the inode itself tells.
    uint32_t group = (a - 1) / 128;
    uint32_t free_inodes = group_count(image, group, "free inodes");
    debugfs_write(image, "freei /d/a");
    debugfs_write(image, "set_bg " + std::to_string(group) + " free_inodes_count " + std::to_string(free_inodes + 1));
    baseline();
    {
        Mounted m(image, options());
        ASSERT_TRUE(m.ok()) << describe(m.error());
        EXPECT_TRUE(notes.notes.empty()) << "the counts agree with the bitmap: nothing to tell at mount";
        std::set<ext2::Ino> made;
        ext2::Ino d = EXT2_OK(m->lookup(ext2::root_ino, "d"));
        for (int i = 0; i < 20; ++i) {
            ext2::Ino ino = EXT2_OK(m->create(d, base::StringView(("new" + std::to_string(i)).c_str()), 0644));
            EXPECT_NE(ino, a);
            made.insert(ino);
        }
        EXPECT_EQ(made.size(), 20u);
        EXPECT_EQ(read_all(*m, EXT2_OK(resolve(*m, "/d/a"))), "in d\n");
        ASSERT_EQ(notes.notes.size(), 1u);
        EXPECT_NE(notes.notes[0].find("group " + std::to_string((a - 1) / 128) + ":"), std::string::npos)
            << notes.notes[0];
        EXPECT_NE(notes.notes[0].find("inode " + std::to_string(a)), std::string::npos) << notes.notes[0];
        for (ext2::Ino ino : made)
            EXPECT_NE((ino - 1) / 128, (a - 1) / 128) << "an inode of the distrusted group";
        EXT2_OK(m->unmount());
    }
    expect_no_worse();
}

// Group metadata marked free: the group's blocks are distrusted at mount and never handed out;
// statfs leaves them out.
TEST_F(Ext2Safety, MetadataFreeInTheBitmap)
{
    for (const char* block : { "130", "140", "2049", "2180" }) {
        SCOPED_TRACE(block);
        SetUp();
        debugfs_write(image, std::string("freeb ") + block);
        uint32_t group = uint32_t((std::stoul(block) - 1) / 2048);
        baseline();
        {
            Mounted m(image, options());
            ASSERT_TRUE(m.ok());
            EXPECT_FALSE(m->read_only());
            EXPECT_NE(text(m->mount_note()).find("inconsistent"), std::string::npos) << text(m->mount_note());
            ASSERT_EQ(notes.notes.size(), 1u);
            EXPECT_NE(notes.notes[0].find("group " + std::to_string(group) + ":"), std::string::npos) << notes.notes[0];
            // Fill the filesystem: every group but the distrusted one.
            EXPECT_GT(fill(*m, "fill"), 4000u * 1024) << "the other groups filled";
            EXPECT_EQ(m->statfs().free_blocks, 0u);
            EXT2_OK(m->unmount());
        }
        // No block of the distrusted group went to the file.
        for (uint32_t b : blocks_of(image, "/fill"))
            EXPECT_NE((b - 1) / 2048, group) << "block " << b;
        expect_no_worse();
    }
}

// Metadata that overlaps: mounted read-only, the reason in the mount note, nothing written.
TEST_F(Ext2Safety, OverlappingMetadataMountsReadOnly)
{
    struct Damage {
        const char* request;
        const char* reason;
    };
    for (Damage d : { Damage { "set_bg 1 inode_bitmap 2178", "same block" },
             Damage { "set_bg 1 block_bitmap 2185", "inside the inode table" },
             Damage { "set_bg 1 block_bitmap 2049", "superblock" },
             Damage { "set_bg 0 inode_bitmap 2", "superblock" } }) {
        SCOPED_TRACE(d.request);
        SetUp();
        debugfs_write(image, d.request);
        baseline();
        std::string was = read_host_file(image);
        {
            Mounted m(image, options());
            ASSERT_TRUE(m.ok()) << describe(m.error());
            EXPECT_TRUE(m->read_only());
            EXPECT_NE(text(m->mount_note()).find(d.reason), std::string::npos) << text(m->mount_note());
            EXPECT_NE(text(m->mount_note()).find("mounted read-only"), std::string::npos) << text(m->mount_note());
            EXPECT_EQ(error_of(m->create(ext2::root_ino, "new", 0644)), code(ext2::Errc::ReadOnly));
            EXPECT_EQ(read_all(*m, EXT2_OK(m->lookup(ext2::root_ino, "keep"))), "this must stay readable\n");
            EXT2_OK(m->unmount());
        }
        EXPECT_TRUE(read_host_file(image) == was) << "nothing was written";
        expect_no_worse();
    }
}

// Descriptor and superblock counts that lie: statfs never reports more than e2fsck counts.
TEST_F(Ext2Safety, StatfsNeverOverReports)
{
    Command dump = run(tool("dumpe2fs") + " -h " + quote(image.string()));
    size_t at = dump.output.find("Free blocks:");
    ASSERT_NE(at, std::string::npos);
    uint64_t real_free = std::stoull(dump.output.substr(at + 12));
    at = dump.output.find("Free inodes:");
    uint64_t real_inodes = std::stoull(dump.output.substr(at + 12));
    debugfs_write(image, "set_bg 2 free_blocks_count 2047");
    debugfs_write(image, "set_bg 0 free_inodes_count 128");
    debugfs_write(image, "ssv free_blocks_count 99999");
    debugfs_write(image, "ssv free_inodes_count 9999");
    baseline();
    {
        Mounted m(image, options());
        ASSERT_TRUE(m.ok());
        ext2::StatFs st = m->statfs();
        EXPECT_LE(st.free_blocks, real_free);
        EXPECT_LE(st.free_inodes, real_inodes);
        EXPECT_GT(st.free_blocks, real_free / 2) << "the trusted groups still count";
        EXPECT_EQ(notes.notes.size(), 2u);
        // Work in the trusted groups keeps the figures honest.
        ext2::Ino f = EXT2_OK(m->create(ext2::root_ino, "new", 0644));
        std::string data(20000, 'q');
        EXPECT_EQ(EXT2_OK(m->write(f, 0, data.data(), data.size())), data.size());
        // /small's inode lies in the distrusted group: not freed.
        EXPECT_EQ(error_of(m->unlink(ext2::root_ino, "small")), code(ext2::Errc::Corrupt));
        EXPECT_LE(m->statfs().free_blocks, real_free - 20);
        EXT2_OK(m->unmount());
    }
    expect_no_worse();
}

// Stale uninit flags and bg_itable_unused without the features: cleared in a group the library
// allocates from, so that e2fsck does not take the new inodes for unused ones.
TEST_F(Ext2Safety, StaleUninitFlagsCleared)
{
    for (uint32_t g = 0; g < 4; ++g) {
        debugfs_write(image, "set_bg " + std::to_string(g) + " flags 3");
        debugfs_write(image, "set_bg " + std::to_string(g) + " itable_unused 100");
    }
    baseline();
    {
        Mounted m(image, options());
        ASSERT_TRUE(m.ok());
        ext2::Ino d = EXT2_OK(m->mkdir(ext2::root_ino, "newdir", 0755));
        for (int i = 0; i < 5; ++i)
            EXT2_OK(m->create(d, base::StringView(("f" + std::to_string(i)).c_str()), 0644));
        EXT2_OK(m->unmount());
    }
    expect_no_worse();
    // Every group has lost its flags.
    Command dump = run(tool("dumpe2fs") + " " + quote(image.string()));
    EXPECT_NE(dump.output.find("Group 3: "), std::string::npos);
    EXPECT_EQ(dump.output.find("UNINIT"), std::string::npos) << dump.output;
}

// The bad-blocks inode's blocks: never handed out, never freed, and a bitmap that marks one
// free is distrusted.
class Ext2SafetyBadBlocks : public Ext2Safety {
protected:
    std::string extra_options() override
    {
        write_file(tmp / "bad-blocks", "3000\n3001\n5000\n");
        return "-l " + quote((tmp / "bad-blocks").string());
    }
};

TEST_F(Ext2SafetyBadBlocks, ListedBlocksAreNeverHandedOut)
{
    uint32_t free_blocks = group_count(image, 1, "free blocks");
    debugfs_write(image, "freeb 3000");
    debugfs_write(image, "set_bg 1 free_blocks_count " + std::to_string(free_blocks + 1));
    baseline();
    {
        Mounted m(image, options());
        ASSERT_TRUE(m.ok()) << describe(m.error());
        ASSERT_EQ(notes.notes.size(), 1u);
        EXPECT_NE(notes.notes[0].find("group 1:"), std::string::npos) << notes.notes[0];
        EXPECT_NE(notes.notes[0].find("bad-blocks"), std::string::npos) << notes.notes[0];
        EXPECT_GT(fill(*m, "fill"), 3000u * 1024);
        EXT2_OK(m->unmount());
    }
    std::set<uint32_t> blocks = blocks_of(image, "/fill");
    EXPECT_GT(blocks.size(), 3000u);
    for (uint32_t bad : { 3000u, 3001u, 5000u })
        EXPECT_EQ(blocks.count(bad), 0u) << bad;
    expect_no_worse();
}

TEST_F(Ext2SafetyBadBlocks, AFileNamingABadBlockIsNotFreed)
{
    debugfs_write(image, "sif /small block[1] 5000");
    debugfs_write(image, "sif /small size 2048");
    baseline();
    {
        Mounted m(image, options());
        ASSERT_TRUE(m.ok()) << describe(m.error());
        Snapshot was = snapshot(*m);
        expect_corrupt(m->unlink(ext2::root_ino, "small"), "unlink");
        expect_same(was, snapshot(*m));
        EXPECT_NE(text(m->last_corruption()).find("bad-blocks"), std::string::npos);
        EXT2_OK(m->unmount());
    }
    expect_no_worse();
}

// A failed mkdir (no block left) gives back its inode; a failed create leaks nothing.
TEST_F(Ext2Safety, FailedCallsGiveBackWhatTheyTook)
{
    baseline();
    {
        Mounted m(image, options());
        ASSERT_TRUE(m.ok());
        EXPECT_GT(fill(*m, "fill"), 7000u * 1024);
        ASSERT_EQ(m->statfs().free_blocks, 0u);
        ext2::StatFs was = m->statfs();
        EXPECT_EQ(error_of(m->mkdir(ext2::root_ino, "dir", 0755)), code(ext2::Errc::NoSpace));
        EXPECT_EQ(
            error_of(m->symlink(ext2::root_ino, "link", std::string(200, 'l').c_str())), code(ext2::Errc::NoSpace));
        EXPECT_EQ(m->statfs().free_inodes, was.free_inodes);
        EXPECT_EQ(m->statfs().free_blocks, 0u);
        EXPECT_TRUE(notes.notes.empty());
        EXT2_OK(m->unmount());
    }
    expect_no_worse();
}

} // namespace
