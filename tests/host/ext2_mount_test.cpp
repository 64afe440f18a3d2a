// Mounting as Linux's ext2 driver judges images: INCOMPAT features it lacks refuse the mount
// with the feature's name, RO_COMPAT ones mount read-only with a note, a clean ext3 mounts; the
// valid-state flag is off on disk while mounted read-write and back on after unmount.
#include <string>

#include "ext2_support.h"

using namespace ext2_test;

namespace {

std::string state_of(const fs::path& image)
{
    Command c = debugfs(image, "stats");
    size_t at = c.output.find("Filesystem state:");
    if (at == std::string::npos)
        return "?";
    size_t end = c.output.find('\n', at);
    std::string s = c.output.substr(at + 17, end - at - 17);
    return s.substr(s.find_first_not_of(' '));
}

uint64_t mount_count(const fs::path& image)
{
    Command c = debugfs(image, "stats");
    size_t at = c.output.find("Mount count:");
    return at == std::string::npos ? ~0ull : std::stoull(c.output.substr(at + 12));
}

struct Refusal {
    const char* mke2fs;
    const char* feature; // what the error's context must name
};

class Ext2Refuse : public ::testing::TestWithParam<Refusal> { };

TEST_P(Ext2Refuse, IncompatFeatureRefusesTheMountByName)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    Command made = run(tool("mke2fs") + " -q -F " + GetParam().mke2fs + " " + (tmp / "img").string() + " 8192k");
    ASSERT_EQ(made.status, 0) << made.output;
    Mounted m(tmp / "img");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code(), code(ext2::Errc::Unsupported)) << describe(m.error());
    ASSERT_NE(m.error().context(), nullptr);
    EXPECT_NE(std::string(m.error().context()).find(GetParam().feature), std::string::npos) << m.error().context();
    EXPECT_EQ(m.device.writes, 0u) << "a refused mount writes nothing";
}

INSTANTIATE_TEST_SUITE_P(Features, Ext2Refuse,
    ::testing::Values(Refusal { "-t ext4", "extent" }, Refusal { "-t ext2 -O flex_bg", "flex_bg" },
        Refusal { "-t ext2 -O extent", "extent" }, Refusal { "-t ext2 -O inline_data", "inline_data" },
        Refusal { "-t ext4 -O ^extent,^flex_bg,^64bit,^metadata_csum,encrypt", "encrypt" }),
    [](const auto& info) { return std::to_string(info.index); });

TEST(Ext2Mount, NeedsRecoveryIsRefused)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    ASSERT_EQ(run(tool("mke2fs") + " -q -F -t ext3 " + (tmp / "img").string() + " 8192k").status, 0);
    Command set = run(tool("debugfs") + " -w -R 'feature needs_recovery' " + (tmp / "img").string());
    ASSERT_EQ(set.status, 0) << set.output;
    Mounted m(tmp / "img");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code(), code(ext2::Errc::Unsupported));
    EXPECT_NE(std::string(m.error().context()).find("needs_recovery"), std::string::npos) << m.error().context();
}

TEST(Ext2Mount, CleanExt3MountsReadWrite)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    fs::path image = tmp / "img";
    ASSERT_EQ(run(tool("mke2fs") + " -q -F -t ext3 " + image.string() + " 16384k").status, 0);
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok()) << describe(m.error());
        EXPECT_FALSE(m->read_only());
        ext2::Ino f = EXT2_OK(m->create(ext2::root_ino, "on-ext3", 0644));
        EXPECT_EQ(EXT2_OK(m->write(f, 0, "journal untouched", 17)), 17u);
        EXT2_OK(m->unmount());
    }
    Command check = fsck(image);
    EXPECT_EQ(check.status, 0) << check.output;
    EXPECT_EQ(debugfs(image, "cat /on-ext3").output.find("journal untouched") != std::string::npos, true);
}

TEST(Ext2Mount, UnknownRoCompatMountsReadOnlyAndSaysSo)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    write_file(tmp / "tree" / "f", "readable\n");
    for (const char* feature : { "metadata_csum", "huge_file" }) {
        fs::path image = tmp / (std::string("img-") + feature);
        ASSERT_EQ(make_image(image, 1024, 8192, std::string("-O ") + feature, tmp / "tree").status, 0);
        Mounted m(image);
        ASSERT_TRUE(m.ok()) << describe(m.error());
        EXPECT_TRUE(m->read_only());
        EXPECT_TRUE(m->statfs().read_only);
        std::string note(m->mount_note().data(), m->mount_note().size());
        EXPECT_NE(note.find(feature), std::string::npos) << note;
        EXPECT_NE(note.find("read-only"), std::string::npos) << note;
        EXPECT_EQ(read_all(*m, EXT2_OK(resolve(*m, "/f"))), "readable\n");
        EXPECT_EQ(error_of(m->create(ext2::root_ino, "x", 0644)), code(ext2::Errc::ReadOnly));
        EXT2_OK(m->unmount());
        EXPECT_EQ(m.device.writes, 0u);
    }
}

TEST(Ext2Mount, ValidFlagAndMountCount)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    fs::path image = tmp / "img";
    ASSERT_EQ(make_image(image, 4096, 8192).status, 0);
    ASSERT_EQ(state_of(image), "clean");
    uint64_t count = mount_count(image);
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok()) << describe(m.error());
        EXPECT_EQ(state_of(image), "not clean") << "cleared on disk at mount";
        EXPECT_EQ(mount_count(image), count + 1);
        EXT2_OK(m->sync());
        EXPECT_EQ(state_of(image), "not clean") << "sync does not set it";
        EXT2_OK(m->unmount());
        EXPECT_EQ(state_of(image), "clean");
        EXPECT_EQ(error_of(m->stat(ext2::root_ino)), code(ext2::Errc::InvalidArgument)) << "unmounted";
        EXPECT_EQ(error_of(m->sync()), code(ext2::Errc::InvalidArgument));
    }
    // A filesystem left mounted (no unmount) stays not clean; mounting it again says so, and
    // an unmount then keeps it not clean, as Linux does, for e2fsck to look at.
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok());
        EXT2_OK(m->create(ext2::root_ino, "left", 0644));
        EXT2_OK(m->sync());
    }
    EXPECT_EQ(state_of(image), "not clean");
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok());
        std::string note(m->mount_note().data(), m->mount_note().size());
        EXPECT_NE(note.find("not cleanly unmounted"), std::string::npos) << note;
        EXPECT_FALSE(m->read_only());
        EXT2_OK(m->unmount());
    }
    EXPECT_EQ(state_of(image), "not clean");
    Command check = fsck(image);
    EXPECT_EQ(check.status, 0) << check.output;
}

TEST(Ext2Mount, NotExt2)
{
    REQUIRE_E2FSPROGS();
    TempDir tmp;
    write_file(tmp / "zeros", std::string(1 << 20, 0));
    Mounted m(tmp / "zeros");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code(), code(ext2::Errc::Corrupt));
    EXPECT_NE(std::string(m.error().context()).find("magic"), std::string::npos);
    write_file(tmp / "tiny", std::string(1000, 0));
    Mounted tiny(tmp / "tiny");
    EXPECT_FALSE(tiny.ok());
}

TEST(Ext2Mount, ErrorNamesAndNumbers)
{
    EXPECT_STREQ(ext2::error_name(code(ext2::Errc::NotFound)), "NotFound");
    EXPECT_STREQ(ext2::error_name(code(ext2::Errc::Corrupt)), "Corrupt");
    EXPECT_EQ(ext2::error_name(2500), nullptr) << "a device code is not the library's";
    EXPECT_EQ(ext2::errno_of(code(ext2::Errc::NotEmpty)), 39);
    EXPECT_EQ(ext2::errno_of(4), 0);
    EXPECT_TRUE(ext2::error(ext2::Errc::NoSpace, nullptr).is(ext2::domain));
    EXPECT_FALSE(base::Error(2500).is(ext2::domain));
    base::BufferSink<64> s;
    base::format(s, "{}", ext2::Errc::ReadOnly);
    EXPECT_EQ(s.view(), base::StringView("ReadOnly"));
}

} // namespace
