// dir_lookup's path walk (servers/ext2fs/resolve.cpp) on images made by mke2fs -d: components,
// '.', '..' stopping at the root, symlinks of every kind, creation, and its errors.
#include <gtest/gtest.h>

#include "ext2_support.h"
#include "fs_types.h"
#include "resolve.h"

namespace {

using namespace ext2_test;

class Resolve : public ::testing::Test {
protected:
    void SetUp() override
    {
        REQUIRE_E2FSPROGS();
        fs::path tree = dir / "tree";
        write_file(tree / "hello.txt", "hello\n");
        write_file(tree / "a/b/c/file.txt", "deep\n");
        fs::create_symlink("hello.txt", tree / "rel");
        fs::create_symlink("/a/b/c/file.txt", tree / "abs");
        fs::create_symlink("../../hello.txt", tree / "a/b/up");
        fs::create_symlink("a/b", tree / "dirlink");
        fs::create_symlink(std::string(70, 'x'), tree / "long-dangling");
        fs::create_symlink("loop2", tree / "loop1");
        fs::create_symlink("loop1", tree / "loop2");
        fs::create_symlink("missing.txt", tree / "dangling");
        // A chain of FS_SYMLINK_MAX links that just resolves, and one more that does not.
        for (int i = 0; i < FS_SYMLINK_MAX; ++i)
            fs::create_symlink(i + 1 == FS_SYMLINK_MAX ? std::string("hello.txt") : "chain" + std::to_string(i + 1),
                tree / ("chain" + std::to_string(i)));
        fs::create_symlink("chain0", tree / "chain-too-long");
        image = dir / "image";
        ASSERT_EQ(make_image(image, 1024, 4096, "", tree).status, 0);
        mounted = std::make_unique<Mounted>(image);
        ASSERT_TRUE(mounted->ok()) << describe(mounted->error());
    }

    // The file the path names, read whole; or the error's code.
    std::string open(const std::string& path, uint32_t flags = 0, ext2::Ino start = ext2::root_ino)
    {
        ext2fs::LookupRequest request { start, base::StringView(path.data(), path.size()), flags, 0644 };
        auto r = ext2fs::resolve(**mounted, request);
        if (r.is_error())
            return "error " + std::to_string(r.error().code());
        auto st = (*mounted)->stat(r.value().ino);
        if ((st.value().mode & ext2::mode_type_mask) == ext2::mode_dir)
            return "directory";
        if ((st.value().mode & ext2::mode_type_mask) == ext2::mode_lnk)
            return "symlink";
        return read_all(**mounted, r.value().ino);
    }
    static std::string err(int code) { return "error " + std::to_string(code); }
    static int e(ext2::Errc c) { return static_cast<int>(c); }

    TempDir dir;
    fs::path image;
    std::unique_ptr<Mounted> mounted;
};

TEST_F(Resolve, ComponentsDotsAndSlashes)
{
    EXPECT_EQ(open("hello.txt"), "hello\n");
    EXPECT_EQ(open("/hello.txt"), "hello\n");
    EXPECT_EQ(open("//a//b/c/./file.txt"), "deep\n");
    EXPECT_EQ(open("a/b/../b/c/file.txt"), "deep\n");
    EXPECT_EQ(open(""), "directory");
    EXPECT_EQ(open("a/"), "directory");
    EXPECT_EQ(open("hello.txt/"), err(FS_ENOTDIR));
    EXPECT_EQ(open("hello.txt/x"), err(FS_ENOTDIR));
    EXPECT_EQ(open("hello.txt", FS_LOOKUP_DIRECTORY), err(FS_ENOTDIR));
    EXPECT_EQ(open("nothing"), err(e(ext2::Errc::NotFound)));
}

TEST_F(Resolve, DotDotStopsAtTheRoot)
{
    EXPECT_EQ(open(".."), "directory");
    EXPECT_EQ(open("../../../hello.txt"), "hello\n");
    auto a = (*mounted)->lookup(ext2::root_ino, "a");
    ASSERT_FALSE(a.is_error());
    EXPECT_EQ(open("../../../../hello.txt", 0, a.value()), "hello\n");
    EXPECT_EQ(open("b/c/file.txt", 0, a.value()), "deep\n") << "relative to the start node";
}

TEST_F(Resolve, Symlinks)
{
    EXPECT_EQ(open("rel"), "hello\n");
    EXPECT_EQ(open("abs"), "deep\n");
    EXPECT_EQ(open("a/b/up"), "hello\n");
    EXPECT_EQ(open("dirlink/c/file.txt"), "deep\n");
    EXPECT_EQ(open("dirlink/../hello.txt"), err(e(ext2::Errc::NotFound))) << "'..' of a/b is a, as in POSIX";
    EXPECT_EQ(open("dirlink/../../hello.txt"), "hello\n");
    EXPECT_EQ(open("rel", FS_LOOKUP_NOLINK), "symlink");
    EXPECT_EQ(open("dirlink/", FS_LOOKUP_NOLINK), "directory") << "a trailing slash follows the link";
    EXPECT_EQ(open("loop1"), err(FS_ELOOP));
    EXPECT_EQ(open("chain0"), "hello\n");
    EXPECT_EQ(open("chain-too-long"), err(FS_ELOOP));
    EXPECT_EQ(open("long-dangling"), err(e(ext2::Errc::NotFound)));
}

TEST_F(Resolve, CreateAndExclusive)
{
    ext2fs::LookupRequest create { ext2::root_ino, "a/new.txt", FS_LOOKUP_CREATE, 0600 };
    auto made = ext2fs::resolve(**mounted, create);
    ASSERT_FALSE(made.is_error()) << describe(made.error());
    EXPECT_TRUE(made.value().created);
    EXPECT_EQ((*mounted)->stat(made.value().ino).value().mode, ext2::mode_reg | 0600);
    auto again = ext2fs::resolve(**mounted, create);
    ASSERT_FALSE(again.is_error());
    EXPECT_FALSE(again.value().created);
    EXPECT_EQ(again.value().ino, made.value().ino);
    EXPECT_EQ(open("a/new.txt", FS_LOOKUP_CREATE | FS_LOOKUP_EXCL), err(FS_EEXIST));
    EXPECT_EQ(open(".", FS_LOOKUP_CREATE | FS_LOOKUP_EXCL), err(FS_EEXIST));
    // Through a dangling symlink, the target is made (as open(2) with O_CREAT does).
    EXPECT_EQ(open("dangling", FS_LOOKUP_CREATE), "");
    EXPECT_EQ(open("missing.txt"), "");
    EXPECT_EQ(open("nodir/new.txt", FS_LOOKUP_CREATE), err(e(ext2::Errc::NotFound)));
    EXPECT_EQ(open("newdir/", FS_LOOKUP_CREATE), err(e(ext2::Errc::NotFound)));
    ASSERT_FALSE((*mounted)->unmount().is_error());
    EXPECT_EQ(fsck(image).status, 0) << fsck(image).output;
}

TEST_F(Resolve, LongPaths)
{
    std::string path;
    while (path.size() < FS_PATH_MAX + 1)
        path += "./";
    EXPECT_EQ(open(path.substr(0, FS_PATH_MAX - 9) + "hello.txt"), "hello\n");
    EXPECT_EQ(open(path.substr(0, FS_PATH_MAX + 1)), err(FS_ENAMETOOLONG));
}

} // namespace
