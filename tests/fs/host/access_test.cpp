// The permission checks of the file protocol (servers/ext2fs/access.cpp) on their own, and
// dir_lookup's walk (resolve.cpp) with an identity on an image made by mke2fs -d.
#include <gtest/gtest.h>

#include "access.h"
#include "ext2_support.h"
#include "fs_types.h"
#include "resolve.h"

namespace {

using namespace ext2_test;
namespace access = ext2fs::access;

fs_identity identity(std::initializer_list<uint32_t> uids, std::initializer_list<uint32_t> gids)
{
    fs_identity id {};
    for (uint32_t u : uids)
        id.uids[id.uid_count++] = u;
    for (uint32_t g : gids)
        id.gids[id.gid_count++] = g;
    return id;
}

ext2::Stat node(uint16_t mode, uint32_t uid, uint32_t gid)
{
    ext2::Stat st {};
    st.mode = mode;
    st.uid = uid;
    st.gid = gid;
    return st;
}

constexpr uint16_t reg = ext2::mode_reg;
constexpr uint16_t dir = ext2::mode_dir;

TEST(Access, OwnerGroupAndOthersTriplets)
{
    auto user = identity({ 1000 }, { 100, 200 });
    // Owner: the owner's triplet alone, even when the others' would give more.
    EXPECT_TRUE(access::permits(user, node(reg | 0600, 1000, 0), access::read | access::write));
    EXPECT_FALSE(access::permits(user, node(reg | 0077, 1000, 0), access::read));
    // Group: any of the gids.
    EXPECT_TRUE(access::permits(user, node(reg | 0040, 0, 200), access::read));
    EXPECT_FALSE(access::permits(user, node(reg | 0040, 0, 300), access::read));
    // Others.
    EXPECT_TRUE(access::permits(user, node(reg | 0004, 0, 0), access::read));
    EXPECT_FALSE(access::permits(user, node(reg | 0755, 0, 0), access::write));
    EXPECT_TRUE(access::permits(user, node(dir | 0755, 0, 0), access::execute));
    EXPECT_FALSE(access::permits(user, node(dir | 0700, 0, 0), access::execute));
    // Nobody (no ids) gets the others' bits.
    auto nobody = identity({}, {});
    EXPECT_TRUE(access::permits(nobody, node(reg | 0004, 0, 0), access::read));
    EXPECT_FALSE(access::permits(nobody, node(reg | 0640, 0, 0), access::read));
}

TEST(Access, RootPassesButExecuteNeedsAnXBit)
{
    auto root = identity({ 0 }, { 0 });
    EXPECT_TRUE(access::permits(root, node(reg | 0000, 1000, 1000), access::read | access::write));
    EXPECT_FALSE(access::permits(root, node(reg | 0600, 1000, 1000), access::execute));
    EXPECT_TRUE(access::permits(root, node(reg | 0001, 1000, 1000), access::execute));
    EXPECT_TRUE(access::permits(root, node(dir | 0000, 1000, 1000), access::execute));
    // uid 0 anywhere among the uids is root, as the Hurd's idvecs.
    EXPECT_TRUE(access::is_root(identity({ 1000, 0 }, {})));
    EXPECT_FALSE(access::is_root(identity({ 1000 }, { 0 })));
}

TEST(Access, StickyDirectories)
{
    auto user = identity({ 1000 }, { 1000 });
    auto plain = node(dir | 0777, 0, 0);
    auto sticky = node(dir | 01777, 0, 0);
    EXPECT_TRUE(access::may_remove(user, plain, node(reg | 0644, 1001, 1001)));
    EXPECT_FALSE(access::may_remove(user, sticky, node(reg | 0644, 1001, 1001)));
    EXPECT_TRUE(access::may_remove(user, sticky, node(reg | 0644, 1000, 1001)));
    EXPECT_TRUE(access::may_remove(user, node(dir | 01777, 1000, 0), node(reg | 0644, 1001, 1001)));
    EXPECT_TRUE(access::may_remove(identity({ 0 }, {}), sticky, node(reg | 0644, 1001, 1001)));
}

TEST(Access, IdentitiesOnlyNarrowExceptRoots)
{
    auto user = identity({ 1000, 1001 }, { 1000, 50 });
    EXPECT_TRUE(access::may_become(user, identity({ 1000 }, { 50 })));
    EXPECT_TRUE(access::may_become(user, identity({}, {})));
    EXPECT_FALSE(access::may_become(user, identity({ 0 }, { 0 })));
    EXPECT_FALSE(access::may_become(user, identity({ 1000 }, { 0 })));
    EXPECT_TRUE(access::may_become(identity({ 0 }, {}), identity({ 1234 }, { 5678 })));
    fs_identity too_many = identity({ 0 }, {});
    too_many.uid_count = FS_IDS_MAX + 1;
    EXPECT_FALSE(access::valid(too_many));
    EXPECT_FALSE(access::may_become(identity({ 0 }, {}), too_many));
}

TEST(Access, OwnerOfWhatIsCreated)
{
    auto user = identity({ 1000 }, { 100 });
    auto owner = access::owner_in(user, node(dir | 0777, 0, 5));
    EXPECT_EQ(owner.uid, 1000u);
    EXPECT_EQ(owner.gid, 100u);
    owner = access::owner_in(user, node(dir | 02777, 0, 5));
    EXPECT_EQ(owner.gid, 5u) << "a set-group-ID directory gives its group";
    owner = access::owner_in(identity({}, {}), node(dir | 0777, 0, 5));
    EXPECT_EQ(owner.uid, static_cast<uint32_t>(FS_ID_NOBODY));
}

// The walk with an identity, on an image.
class ResolveAs : public ::testing::Test {
protected:
    void SetUp() override
    {
        REQUIRE_E2FSPROGS();
        fs::path tree = dir / "tree";
        write_file(tree / "closed/file.txt", "closed\n");
        write_file(tree / "open/file.txt", "open\n");
        image = dir / "image";
        ASSERT_EQ(make_image(image, 1024, 4096, "", tree).status, 0);
        mounted = std::make_unique<Mounted>(image);
        ASSERT_TRUE(mounted->ok()) << describe(mounted->error());
        auto& f = **mounted;
        ASSERT_FALSE(f.chown(ext2::root_ino, 0, 0).is_error());
        ASSERT_FALSE(f.chmod(ext2::root_ino, 0755).is_error());
        for (auto [name, mode] : { std::pair { "closed", 0700 }, std::pair { "open", 0777 } }) {
            auto ino = f.lookup(ext2::root_ino, name);
            ASSERT_FALSE(ino.is_error());
            ASSERT_FALSE(f.chown(ino.value(), 0, 0).is_error());
            ASSERT_FALSE(f.chmod(ino.value(), static_cast<uint16_t>(mode)).is_error());
        }
    }

    int code(const std::string& path, uint32_t flags, const fs_identity& who)
    {
        ext2fs::LookupRequest request { ext2::root_ino, base::StringView(path.data(), path.size()), flags, 0644, &who };
        auto r = ext2fs::resolve(**mounted, request);
        if (r.is_error())
            return r.error().code();
        last = r.value().ino;
        return 0;
    }

    TempDir dir;
    fs::path image;
    std::unique_ptr<Mounted> mounted;
    ext2::Ino last = 0;
};

TEST_F(ResolveAs, SearchAndCreatePermissions)
{
    auto user = identity({ 1000 }, { 1000 });
    auto root = identity({ 0 }, { 0 });
    EXPECT_EQ(code("closed/file.txt", 0, user), FS_EACCES);
    EXPECT_EQ(code("closed/../open/file.txt", 0, user), FS_EACCES) << "'..' needs search on the directory too";
    EXPECT_EQ(code("closed/file.txt", 0, root), 0);
    EXPECT_EQ(code("open/file.txt", 0, user), 0);
    EXPECT_EQ(code("new.txt", FS_LOOKUP_CREATE, user), FS_EACCES) << "root's 0755 / refuses uid 1000";
    EXPECT_EQ(code("open/new.txt", FS_LOOKUP_CREATE, user), 0);
    auto st = (*mounted)->stat(last);
    ASSERT_FALSE(st.is_error());
    EXPECT_EQ(st.value().uid, 1000u);
    EXPECT_EQ(st.value().gid, 1000u);
    // An existing file needs no write permission on its directory to be found with CREATE.
    EXPECT_EQ(code("open/file.txt", FS_LOOKUP_CREATE, identity({ 2000 }, {})), 0);
}

} // namespace
