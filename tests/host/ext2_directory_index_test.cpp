// Lookups in big directories: the directory hash (against debugfs's own dx_hash), lookups through
// a dir_index hash tree made by e2fsck -D (a few blocks per lookup, the same answers as a scan),
// a damaged index (the library scans instead), and big directories without an index (their
// name tables make looking up every name cost O(n) block reads, and follow every change).
#include <map>
#include <vector>

#include "ext2/dir_hash.h"
#include "ext2/name_cache.h"
#include "ext2_support.h"

using namespace ext2_test;

namespace {

// "Hash of NAME is 0x... (minor 0x...)" from `debugfs -R "dx_hash -h ALG -s SEED NAME"`.
ext2::DirHash debugfs_hash(
    const fs::path& image, const std::string& algorithm, const std::string& seed, const std::string& name)
{
    // The name as it is: debugfs reads quotes inside its request as part of the name.
    auto out = debugfs(image, "dx_hash -h " + algorithm + " -s " + seed + " " + name);
    size_t major = out.output.rfind(" is 0x");
    size_t minor = out.output.rfind("(minor 0x");
    EXPECT_TRUE(major != std::string::npos && minor != std::string::npos) << out.output;
    if (major == std::string::npos || minor == std::string::npos)
        return { 0, 0 };
    return { static_cast<uint32_t>(std::stoul(out.output.substr(major + 6), nullptr, 16)),
        static_cast<uint32_t>(std::stoul(out.output.substr(minor + 9), nullptr, 16)) };
}

// The names of a directory and their inodes, by readdir (a scan, no lookup).
std::map<std::string, ext2::Ino> listing(ext2::Filesystem& f, ext2::Ino dir)
{
    std::map<std::string, ext2::Ino> names;
    uint64_t cursor = 0;
    for (;;) {
        ext2::DirEntry entries[64];
        auto batch = f.readdir(dir, cursor, entries, 64);
        EXPECT_FALSE(batch.is_error());
        if (batch.is_error())
            return names;
        for (size_t i = 0; i < batch.value().count; ++i)
            names[std::string(entries[i].name.c_str())] = entries[i].ino;
        if (batch.value().end)
            return names;
        cursor = batch.value().next;
    }
}

// A tree with /big holding `count` empty files.
fs::path big_tree(TempDir& tmp, size_t count)
{
    fs::path tree = tmp.path() / "tree";
    fs::create_directories(tree / "big");
    for (size_t i = 0; i < count; ++i) {
        char name[64];
        snprintf(name, sizeof name, "a-file-with-a-longish-name-%06zu", i * 7919 % 1000003);
        write_file(tree / "big" / name, "");
    }
    return tree;
}

// An image whose /big holds `count` files, indexed by e2fsck -D (status 1: it changed the
// filesystem), and its read-only mount options.
fs::path indexed_image(TempDir& tmp, size_t count)
{
    fs::path image = tmp.path() / "fs.img";
    EXPECT_EQ(make_image(image, 1024, 16384, "-O dir_index -N 4096", big_tree(tmp, count)).status, 0);
    auto indexed = run(tool("e2fsck") + " -fyD " + quote(image.string()));
    EXPECT_LE(indexed.status, 1) << indexed.output;
    EXPECT_NE(debugfs(image, "htree big").output.find("Root node dump"), std::string::npos);
    return image;
}

ext2::MountOptions read_only()
{
    ext2::MountOptions options;
    options.mode = ext2::MountMode::ReadOnly;
    return options;
}

} // namespace

TEST(Ext2DirHash, MatchesDebugfsForEveryVersion)
{
    TempDir tmp;
    fs::path image = tmp.path() / "fs.img";
    ASSERT_EQ(make_image(image, 1024, 1024).status, 0);
    const std::string seed = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";
    // The seed as the superblock holds it: the UUID's 16 bytes, read as little-endian words.
    const uint8_t bytes[16]
        = { 0x1b, 0x4e, 0x28, 0xba, 0x2f, 0xa1, 0x11, 0xd2, 0x88, 0x3f, 0x00, 0x16, 0xd3, 0xcc, 0xa4, 0x27 };
    uint32_t seed_words[4];
    memcpy(seed_words, bytes, sizeof seed_words);
    const std::string names[] = { "a", "hello", "Makefile", "exactly-sixteen!", "thirty-one-characters-long-name",
        "thirty-two-characters-long-name!", "thirty-three-characters-long-nam", std::string(255, 'x'),
        "caf\xc3\xa9-\xff\x80" };
    // By number: debugfs knows the names of 0-2 only, and takes an unknown name for the legacy hash.
    const std::pair<const char*, ext2::HashVersion> versions[]
        = { { "0", ext2::HashVersion::Legacy }, { "1", ext2::HashVersion::HalfMd4 }, { "2", ext2::HashVersion::Tea },
              { "3", ext2::HashVersion::LegacyUnsigned }, { "4", ext2::HashVersion::HalfMd4Unsigned },
              { "5", ext2::HashVersion::TeaUnsigned } };
    for (const auto& [algorithm, version] : versions) {
        for (const auto& name : names) {
            ext2::DirHash ours {};
            ASSERT_TRUE(ext2::dir_hash(version, base::StringView(name.data(), name.size()), seed_words, &ours));
            ext2::DirHash theirs = debugfs_hash(image, algorithm, seed, name);
            EXPECT_EQ(ours.major, theirs.major) << algorithm << " of '" << name << "'";
            EXPECT_EQ(ours.minor, theirs.minor) << algorithm << " of '" << name << "'";
        }
    }
}

TEST(Ext2DirectoryIndex, LookupsReadAFewBlocksAndAgreeWithAScan)
{
    TempDir tmp;
    fs::path image = indexed_image(tmp, 3000);
    Mounted m(image, read_only());
    ASSERT_TRUE(m.ok()) << describe(m.error());
    ext2::Ino big = EXT2_OK(m->lookup(ext2::root_ino, "big"));
    auto names = listing(*m, big);
    ASSERT_EQ(names.size(), 3002u); // with . and ..

    auto before = m->directory_stats();
    for (const auto& [name, ino] : names) {
        if (name == "." || name == "..")
            continue;
        EXPECT_EQ(EXT2_OK(m->lookup(big, base::StringView(name.data(), name.size()))), ino) << name;
    }
    auto after = m->directory_stats();
    EXPECT_EQ(after.index_lookups - before.index_lookups, 3000u);
    // One leaf block each (two when a hash goes on into the next leaf), not a scan of the ~110.
    EXPECT_LE(after.blocks_read - before.blocks_read, 3000u + 100u);

    before = m->directory_stats();
    EXPECT_EQ(error_of(m->lookup(big, "no-such-name")), code(ext2::Errc::NotFound));
    EXPECT_EQ(m->directory_stats().blocks_read - before.blocks_read, 1u);
}

TEST(Ext2DirectoryIndex, ADamagedIndexIsNotTrustedAndTheDirectoryIsScanned)
{
    TempDir tmp;
    fs::path image = indexed_image(tmp, 1000);
    // The root info's length byte (byte 24 + 5 of the directory's first block) made 9.
    // debugfs says its version first, then the block number.
    auto bmap = debugfs(image, "bmap big 0");
    size_t last_line = bmap.output.find_last_of('\n', bmap.output.size() - 2);
    uint64_t block = std::stoull(bmap.output.substr(last_line == std::string::npos ? 0 : last_line + 1));
    ASSERT_GT(block, 0u) << bmap.output;
    {
        std::fstream f(image, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(block * 1024 + 24 + 5));
        f.put(9);
    }
    Mounted m(image, read_only());
    ASSERT_TRUE(m.ok()) << describe(m.error());
    ext2::Ino big = EXT2_OK(m->lookup(ext2::root_ino, "big"));
    auto names = listing(*m, big);
    for (const auto& [name, ino] : names)
        EXPECT_EQ(EXT2_OK(m->lookup(big, base::StringView(name.data(), name.size()))), ino) << name;
    EXPECT_EQ(m->directory_stats().index_lookups, 0u);
}

TEST(Ext2NameTable, LookingUpEveryNameOfABigDirectoryIsLinear)
{
    TempDir tmp;
    fs::path image = tmp.path() / "fs.img";
    ASSERT_EQ(make_image(image, 1024, 32768, "-O ^dir_index -N 12000", big_tree(tmp, 10000)).status, 0);
    Mounted m(image);
    ASSERT_TRUE(m.ok()) << describe(m.error());
    ext2::Ino big = EXT2_OK(m->lookup(ext2::root_ino, "big"));
    auto names = listing(*m, big);
    ASSERT_EQ(names.size(), 10002u);
    auto blocks = EXT2_OK(m->stat(big)).size / 1024;

    auto before = m->directory_stats();
    for (const auto& [name, ino] : names)
        EXPECT_EQ(EXT2_OK(m->lookup(big, base::StringView(name.data(), name.size()))), ino) << name;
    auto after = m->directory_stats();
    // One scan to make the table, then a block (rarely two) per name: not names x blocks / 2.
    EXPECT_LE(after.blocks_read - before.blocks_read, blocks + 10002u + 50u);
    EXPECT_GE(after.table_lookups - before.table_lookups, 10000u);
    EXPECT_GT(m->memory_use().name_table_bytes, 0u);

    // The table follows changes: names removed are gone, names added are found, in new blocks too.
    size_t removed = 0;
    for (const auto& [name, ino] : names) {
        if (name == "." || name == ".." || removed++ % 3)
            continue;
        EXT2_OK(m->unlink(big, base::StringView(name.data(), name.size())));
    }
    for (int i = 0; i < 4000; ++i) {
        std::string name = "added-" + std::to_string(i);
        EXT2_OK(m->create(big, base::StringView(name.data(), name.size()), 0100644));
    }
    auto now = listing(*m, big);
    for (const auto& [name, ino] : names) {
        auto found = m->lookup(big, base::StringView(name.data(), name.size()));
        if (now.count(name))
            EXPECT_EQ(EXT2_OK(static_cast<base::Result<ext2::Ino>&&>(found)), ino) << name;
        else
            EXPECT_EQ(error_of(found), code(ext2::Errc::NotFound)) << name;
    }
    for (int i = 0; i < 4000; ++i) {
        std::string name = "added-" + std::to_string(i);
        EXPECT_EQ(EXT2_OK(m->lookup(big, base::StringView(name.data(), name.size()))), now[name]) << name;
    }
    EXT2_OK(m->unmount());
    auto checked = fsck(image);
    EXPECT_EQ(checked.status, 0) << checked.output;
}

// A directory of a few blocks has a name table too, and each of its blocks is checked once, not
// at every lookup: changes made by the directory code keep a block checked.
TEST(Ext2NameTable, ASmallDirectoryIsCheckedOnceAndLookedUpByTable)
{
    TempDir tmp;
    fs::path image = tmp.path() / "fs.img";
    ASSERT_EQ(make_image(image, 1024, 8192, "-O ^dir_index", big_tree(tmp, 100)).status, 0);
    Mounted m(image);
    ASSERT_TRUE(m.ok()) << describe(m.error());
    ext2::Ino big = EXT2_OK(m->lookup(ext2::root_ino, "big"));
    auto names = listing(*m, big);
    auto blocks = EXT2_OK(m->stat(big)).size / 1024;
    ASSERT_GE(blocks, 2u);
    ASSERT_LT(blocks, 8u);

    auto before = m->directory_stats();
    for (int round = 0; round < 3; ++round)
        for (const auto& [name, ino] : names)
            EXPECT_EQ(EXT2_OK(m->lookup(big, base::StringView(name.data(), name.size()))), ino) << name;
    for (int i = 0; i < 50; ++i) {
        std::string name = "new-" + std::to_string(i);
        EXT2_OK(m->create(big, base::StringView(name.data(), name.size()), 0100644));
        EXT2_OK(m->lookup(big, base::StringView(name.data(), name.size())));
    }
    EXT2_OK(m->unlink(big, "new-7"));
    EXPECT_EQ(error_of(m->lookup(big, "new-7")), code(ext2::Errc::NotFound));
    auto after = m->directory_stats();
    EXPECT_GE(after.table_lookups - before.table_lookups, 3 * names.size());
    // Each block at most once, plus the blocks the creates added (new blocks are checked at
    // their first use).
    auto grown = EXT2_OK(m->stat(big)).size / 1024;
    EXPECT_LE(after.blocks_checked - before.blocks_checked, grown);
    EXT2_OK(m->unmount());
    auto checked = fsck(image);
    EXPECT_EQ(checked.status, 0) << checked.output;
}

// The table says where each name is (block and offset); positions a slot cannot hold are
// refused, so that the directory is scanned instead.
TEST(Ext2NameTable, SlotsHoldBlockAndOffset)
{
    ext2::NameTable table;
    ASSERT_TRUE(table.reserve(4));
    EXPECT_TRUE(table.insert(7, ext2::LogicalBlock(3), 4092));
    EXPECT_TRUE(table.insert(7, ext2::LogicalBlock(0), 12));
    EXPECT_TRUE(table.insert(9, ext2::LogicalBlock(ext2::NameTable::max_blocks - 1), 65532));
    EXPECT_FALSE(table.insert(9, ext2::LogicalBlock(ext2::NameTable::max_blocks), 0));
    EXPECT_FALSE(table.insert(9, ext2::LogicalBlock(0), 65536));
    EXPECT_FALSE(table.insert(9, ext2::LogicalBlock(0), 14));
    std::vector<std::pair<uint32_t, uint32_t>> seen;
    table.visit(7, [&](ext2::LogicalBlock logical, uint32_t offset) {
        seen.push_back({ logical.value(), offset });
        return false;
    });
    EXPECT_EQ(seen, (std::vector<std::pair<uint32_t, uint32_t>> { { 3, 4092 }, { 0, 12 } }));
    table.erase(7, ext2::LogicalBlock(3), 4092);
    seen.clear();
    table.visit(9, [&](ext2::LogicalBlock logical, uint32_t offset) {
        seen.push_back({ logical.value(), offset });
        return false;
    });
    EXPECT_EQ(seen, (std::vector<std::pair<uint32_t, uint32_t>> { { ext2::NameTable::max_blocks - 1, 65532 } }));
    EXPECT_EQ(table.names(), 2u);
}

TEST(Ext2DirectoryIndex, ChangingAnIndexedDirectoryKeepsItCleanForE2fsck)
{
    TempDir tmp;
    fs::path image = indexed_image(tmp, 2000);
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok()) << describe(m.error());
        ext2::Ino big = EXT2_OK(m->lookup(ext2::root_ino, "big"));
        EXT2_OK(m->create(big, "one-more", 0100644));
        EXT2_OK(m->unlink(big, "a-file-with-a-longish-name-000000"));
        EXPECT_EQ(error_of(m->lookup(big, "a-file-with-a-longish-name-000000")), code(ext2::Errc::NotFound));
        EXT2_OK(m->lookup(big, "one-more"));
        EXT2_OK(m->unmount());
    }
    auto checked = fsck(image);
    EXPECT_EQ(checked.status, 0) << checked.output;
}
