// Space and lifetime: a full disk gives short writes and NoSpace and stays consistent, files
// held open outlive their last name, a thousand files come and go, a tiny cache evicts
// correctly, hashed directories lose their index when changed, large writes go out in few
// transfers, allocation stays near the parent, and device errors come back as errors.
#include <set>

#include "ext2_support.h"

using namespace ext2_test;

namespace {

void expect_clean(const fs::path& image)
{
    Command check = fsck(image);
    EXPECT_EQ(check.status, 0) << check.output;
}

TEST(Ext2Space, FullDiskGivesShortWriteThenNoSpace)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    fs::path image = tmp / "img";
    ASSERT_EQ(make_image(image, 1024, 2048, "-m 0").status, 0);
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok()) << describe(m.error());
        ext2::Ino f = EXT2_OK(m->create(ext2::root_ino, "filler", 0644));
        std::string chunk = pattern(1 << 20, 1);
        uint64_t total = 0;
        bool short_write = false;
        for (int i = 0; i < 10; ++i) {
            auto r = m->write(f, total, chunk.data(), chunk.size());
            if (r.is_error()) {
                EXPECT_EQ(r.error().code(), code(ext2::Errc::NoSpace)) << describe(r.error());
                break;
            }
            total += r.value();
            if (r.value() < chunk.size())
                short_write = true;
        }
        EXPECT_TRUE(short_write);
        EXPECT_EQ(EXT2_OK(m->stat(f)).size, total);
        EXPECT_EQ(m->statfs().free_blocks, 0u);
        // Nothing more fits, not even a directory; a name in an existing block still does.
        EXPECT_EQ(error_of(m->mkdir(ext2::root_ino, "d", 0755)), code(ext2::Errc::NoSpace));
        ext2::Ino empty = EXT2_OK(m->create(ext2::root_ino, "empty", 0644));
        EXPECT_EQ(error_of(m->write(empty, 0, "x", 1)), code(ext2::Errc::NoSpace));
        EXPECT_EQ(
            error_of(m->symlink(ext2::root_ino, "slow", std::string(100, 's').c_str())), code(ext2::Errc::NoSpace));
        EXT2_OK(m->unmount());
        expect_clean(image);
        EXPECT_TRUE(debugfs(image, "cat /filler").output.find(chunk.substr(0, 1000)) != std::string::npos);
    }
    {
        // Freed space is usable again.
        Mounted m(image);
        ASSERT_TRUE(m.ok());
        EXT2_OK(m->unlink(ext2::root_ino, "filler"));
        EXPECT_GT(m->statfs().free_blocks, 1000u);
        EXT2_OK(m->mkdir(ext2::root_ino, "d", 0755));
        EXT2_OK(m->unmount());
        expect_clean(image);
    }
}

TEST(Ext2Space, HeldInodeOutlivesItsLastName)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    fs::path image = tmp / "img";
    ASSERT_EQ(make_image(image, 4096, 8192).status, 0);
    Mounted m(image);
    ASSERT_TRUE(m.ok());
    uint64_t free_inodes = m->statfs().free_inodes;
    ext2::Ino f = EXT2_OK(m->create(ext2::root_ino, "open", 0644));
    std::string data = pattern(300000, 2);
    EXPECT_EQ(EXT2_OK(m->write(f, 0, data.data(), data.size())), data.size());
    uint64_t free_blocks = m->statfs().free_blocks;
    EXT2_OK(m->hold(f));
    EXT2_OK(m->hold(f));
    EXT2_OK(m->unlink(ext2::root_ino, "open"));
    EXPECT_EQ(error_of(m->lookup(ext2::root_ino, "open")), code(ext2::Errc::NotFound));
    EXPECT_EQ(EXT2_OK(m->stat(f)).links, 0u);
    EXPECT_TRUE(read_all(*m, f) == data) << "still readable while held";
    EXPECT_EQ(m->statfs().free_blocks, free_blocks);
    EXT2_OK(m->release(f));
    EXPECT_EQ(EXT2_OK(m->stat(f)).links, 0u) << "one hold left";
    EXT2_OK(m->release(f));
    EXPECT_EQ(error_of(m->stat(f)), code(ext2::Errc::NotFound)) << "freed at the last release";
    EXPECT_EQ(m->statfs().free_inodes, free_inodes);
    EXPECT_EQ(error_of(m->release(f)), code(ext2::Errc::InvalidArgument));
    // A directory removed while held, and a file still held at unmount.
    ext2::Ino d = EXT2_OK(m->mkdir(ext2::root_ino, "dir", 0755));
    EXT2_OK(m->hold(d));
    EXT2_OK(m->rmdir(ext2::root_ino, "dir"));
    EXPECT_EQ(error_of(m->create(d, "inside-removed", 0644)), code(ext2::Errc::NotFound));
    EXT2_OK(m->release(d));
    ext2::Ino g = EXT2_OK(m->create(ext2::root_ino, "held-at-unmount", 0644));
    EXPECT_EQ(EXT2_OK(m->write(g, 0, data.data(), data.size())), data.size());
    EXT2_OK(m->hold(g));
    EXT2_OK(m->unlink(ext2::root_ino, "held-at-unmount"));
    EXT2_OK(m->unmount());
    expect_clean(image);
}

TEST(Ext2Space, ThousandFilesComeAndGo)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    fs::path image = tmp / "img";
    ASSERT_EQ(make_image(image, 4096, 16384).status, 0);
    Mounted m(image);
    ASSERT_TRUE(m.ok());
    ext2::StatFs before = m->statfs();
    ext2::Ino dir = EXT2_OK(m->mkdir(ext2::root_ino, "many", 0755));
    for (int i = 0; i < 1000; ++i) {
        std::string name = "file-" + std::to_string(i);
        ext2::Ino f = EXT2_OK(m->create(dir, base::StringView(name.data(), name.size()), 0644));
        EXPECT_EQ(EXT2_OK(m->write(f, 0, name.data(), name.size())), name.size());
    }
    EXPECT_EQ(list(*m, dir).size(), 1002u);
    EXT2_OK(m->sync());
    expect_clean(image);
    for (int i = 0; i < 1000; ++i) {
        std::string name = "file-" + std::to_string(i);
        EXT2_OK(m->unlink(dir, base::StringView(name.data(), name.size())));
    }
    EXPECT_EQ(list(*m, dir).size(), 2u);
    EXT2_OK(m->rmdir(ext2::root_ino, "many"));
    ext2::StatFs after = m->statfs();
    EXPECT_EQ(after.free_blocks, before.free_blocks);
    EXPECT_EQ(after.free_inodes, before.free_inodes);
    EXT2_OK(m->unmount());
    expect_clean(image);
}

TEST(Ext2Space, SmallestCacheStillCorrect)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    fs::path image = tmp / "img";
    ASSERT_EQ(make_image(image, 1024, 64 * 1024).status, 0);
    ext2::MountOptions options;
    options.cache_bytes = 0; // the minimum: 16 blocks
    Mounted m(image, options);
    ASSERT_TRUE(m.ok());
    ext2::MemoryUse use = m->memory_use();
    EXPECT_LT(use.cache_bytes, 16 * 1024 + 4096u);
    std::vector<std::pair<ext2::Ino, std::string>> files;
    for (int d = 0; d < 8; ++d) {
        std::string dname = "d" + std::to_string(d);
        ext2::Ino dir = EXT2_OK(m->mkdir(ext2::root_ino, base::StringView(dname.data(), dname.size()), 0755));
        for (int i = 0; i < 40; ++i) {
            std::string name = "f" + std::to_string(i);
            ext2::Ino f = EXT2_OK(m->create(dir, base::StringView(name.data(), name.size()), 0644));
            std::string data = pattern(size_t(i) * 3001, uint32_t(d * 100 + i));
            // Unaligned pieces, so that partial blocks go through the cache.
            for (size_t at = 0; at < data.size(); at += 777)
                EXT2_OK(m->write(f, at, data.data() + at, std::min<size_t>(777, data.size() - at)));
            files.emplace_back(f, data);
        }
    }
    for (auto& [f, data] : files)
        EXPECT_TRUE(read_all(*m, f) == data);
    EXPECT_LE(m->memory_use().dirty_blocks, 16u);
    EXT2_OK(m->unmount());
    expect_clean(image);
    Mounted again(image);
    ASSERT_TRUE(again.ok());
    for (auto& [f, data] : files)
        EXPECT_TRUE(read_all(*again, f) == data);
}

TEST(Ext2Space, ChangedHashedDirectoryLosesItsIndex)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    fs::path image = tmp / "img";
    for (int i = 0; i < 600; ++i)
        write_file(tmp / "tree" / "hashed" / ("name-" + std::to_string(i)), "x");
    ASSERT_EQ(make_image(image, 1024, 8192, "-O dir_index", tmp / "tree").status, 0);
    ASSERT_LE(run(tool("e2fsck") + " -fyD " + image.string()).status, 1);
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok());
        ext2::Ino dir = EXT2_OK(resolve(*m, "/hashed"));
        ASSERT_TRUE(EXT2_OK(m->stat(dir)).flags & 0x1000);
        for (int i = 0; i < 600; i += 3) {
            std::string name = "name-" + std::to_string(i);
            EXT2_OK(m->unlink(dir, base::StringView(name.data(), name.size())));
        }
        for (int i = 0; i < 300; ++i) {
            std::string name = "added-with-a-much-longer-name-" + std::to_string(i);
            EXT2_OK(m->create(dir, base::StringView(name.data(), name.size()), 0644));
        }
        EXPECT_FALSE(EXT2_OK(m->stat(dir)).flags & 0x1000);
        EXPECT_EQ(list(*m, dir).size(), 600u - 200u + 300u + 2u);
        EXT2_OK(m->unmount());
    }
    expect_clean(image);
    Command ls = debugfs(image, "ls /hashed");
    EXPECT_NE(ls.output.find("added-with-a-much-longer-name-299"), std::string::npos);
    EXPECT_EQ(ls.output.find(") name-3 "), std::string::npos);
}

TEST(Ext2Space, LargeWriteInFewTransfersAndNearItsParent)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    fs::path image = tmp / "img";
    ASSERT_EQ(make_image(image, 4096, 256 * 1024).status, 0);
    Mounted m(image);
    ASSERT_TRUE(m.ok());
    ext2::Ino f = EXT2_OK(m->create(ext2::root_ino, "big", 0644));
    std::string data = pattern(16 << 20, 4);
    uint64_t writes = m.device.writes;
    EXPECT_EQ(EXT2_OK(m->write(f, 0, data.data(), data.size())), data.size());
    EXPECT_LE(m.device.writes - writes, 16u) << "16 MiB of new blocks, written in runs";
    EXPECT_TRUE(read_all(*m, f) == data);
    EXT2_OK(m->unmount());
    expect_clean(image);
}

TEST(Ext2Space, AllocationNearTheParent)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    fs::path image = tmp / "img";
    ASSERT_EQ(make_image(image, 1024, 64 * 1024).status, 0); // 8 groups of 8 MiB
    Command header = run(tool("dumpe2fs") + " -h " + image.string());
    size_t at = header.output.find("Inodes per group:");
    ASSERT_NE(at, std::string::npos);
    uint32_t per_group = uint32_t(std::stoul(header.output.substr(at + 17)));
    at = header.output.find("Blocks per group:");
    ASSERT_NE(at, std::string::npos);
    uint32_t blocks_per_group = uint32_t(std::stoul(header.output.substr(at + 17)));
    Mounted m(image);
    ASSERT_TRUE(m.ok());
    // Directories go to groups with room; a file's inode stays in its directory's group, and
    // its data near it.
    std::set<uint32_t> groups;
    std::string data = pattern(1 << 20, 8);
    for (int i = 0; i < 4; ++i) {
        std::string name = "dir" + std::to_string(i);
        ext2::Ino d = EXT2_OK(m->mkdir(ext2::root_ino, base::StringView(name.data(), name.size()), 0755));
        ext2::Ino inner = EXT2_OK(m->create(d, "file", 0644));
        EXPECT_EQ((inner - 1) / per_group, (d - 1) / per_group) << "a file in its directory's group";
        EXPECT_EQ(EXT2_OK(m->write(inner, 0, data.data(), data.size())), data.size());
        groups.insert((d - 1) / per_group);
        EXT2_OK(m->sync());
        Command blocks = debugfs(image, "bmap <" + std::to_string(inner) + "> 0");
        uint32_t first
            = uint32_t(std::stoul(blocks.output.substr(blocks.output.rfind('\n', blocks.output.size() - 2) + 1)));
        EXPECT_EQ((first - 1) / blocks_per_group, (inner - 1) / per_group) << "data in the inode's group";
    }
    EXPECT_GT(groups.size(), 1u) << "directories go to groups with room";
    EXT2_OK(m->unmount());
    expect_clean(image);
}

TEST(Ext2Space, FilesOverTwoGigabytes)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    // Without large_file, the first file over 2 GiB sets the feature, as Linux does.
    fs::path image = tmp / "img";
    ASSERT_EQ(make_image(image, 4096, 16384).status, 0);
    ASSERT_EQ(run(tool("debugfs") + " -w -R 'feature -large_file' " + image.string()).status, 0);
    ASSERT_EQ(debugfs(image, "features").output.find("large_file"), std::string::npos);
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok());
        ext2::Ino f = EXT2_OK(m->create(ext2::root_ino, "huge", 0644));
        uint64_t at = (uint64_t(3) << 30) + 5;
        EXPECT_EQ(EXT2_OK(m->write(f, at, "far", 3)), 3u);
        EXPECT_EQ(EXT2_OK(m->stat(f)).size, at + 3);
        char back[3];
        EXPECT_EQ(EXT2_OK(m->read(f, at, back, 3)), 3u);
        EXPECT_EQ(std::string(back, 3), "far");
        EXPECT_EQ(error_of(m->truncate(f, uint64_t(1) << 50)), code(ext2::Errc::FileTooLarge));
        EXPECT_EQ(error_of(m->write(f, uint64_t(1) << 50, "x", 1)), code(ext2::Errc::FileTooLarge));
        EXT2_OK(m->unmount());
    }
    EXPECT_NE(debugfs(image, "features").output.find("large_file"), std::string::npos);
    expect_clean(image);
    // Revision 0 has no feature to set: the write is refused.
    fs::path old = tmp / "rev0";
    ASSERT_EQ(make_image(old, 1024, 8192, "-r 0").status, 0);
    Mounted m(old);
    ASSERT_TRUE(m.ok());
    ext2::Ino f = EXT2_OK(m->create(ext2::root_ino, "huge", 0644));
    EXPECT_EQ(error_of(m->truncate(f, uint64_t(3) << 30)), code(ext2::Errc::FileTooLarge));
    EXT2_OK(m->unmount());
    expect_clean(old);
}

TEST(Ext2Space, DeviceErrorsAreErrors)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    fs::path image = tmp / "img";
    ASSERT_EQ(make_image(image, 1024, 4096).status, 0);
    Mounted m(image);
    ASSERT_TRUE(m.ok());
    ext2::Ino f = EXT2_OK(m->create(ext2::root_ino, "f", 0644));
    m.device.fail_writes = true;
    std::string data = pattern(50000, 1);
    auto w = m->write(f, 0, data.data(), data.size());
    EXPECT_TRUE(w.is_error());
    EXPECT_EQ(error_of(w), 2500) << "the device's own code comes back";
    EXPECT_EQ(error_of(m->sync()), 2500);
    EXPECT_EQ(error_of(m->unmount()), 2500);
    m.device.fail_writes = false;
    EXT2_OK(m->unmount());
    // The failed write's blocks are allocated with a size that does not cover them, or not
    // at all; either way e2fsck must not find a structural problem beyond that file.
    Command check = fsck(image);
    EXPECT_LE(check.status, 4) << check.output;
}

} // namespace
