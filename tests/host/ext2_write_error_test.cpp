// Writes the device refuses (a range of bad sectors): the call that meets the failure gets the
// device's error, the next sync reports it once, the superblock is marked as having errors on
// the disk at once, and everything else is served and stays intact; e2fsck -fy repairs the
// image and a second e2fsck -fn finds it clean.
#include <fcntl.h>
#include <unistd.h>

#include <set>

#include "ext2/ext2_layout.h"
#include "ext2_support.h"

using namespace ext2_test;

namespace {

constexpr uint32_t block_size = 4096;
constexpr uint32_t sectors_per_block = block_size / 512;
constexpr uint64_t image_kib = 8192;
constexpr int device_error = 2500; // FileDevice's code for a refused write

// s_state as the image holds it now (the superblock at byte 1024).
uint16_t state_on_disk(const fs::path& image)
{
    uint16_t state = 0;
    int fd = ::open(image.c_str(), O_RDONLY);
    if (fd >= 0) {
        if (::pread(fd, &state, sizeof state, 1024 + offsetof(ext2::layout::Superblock, state)) != sizeof state)
            state = 0;
        ::close(fd);
    }
    return state;
}

// The blocks debugfs lists for a file, data and indirect.
std::set<uint32_t> blocks_of(const fs::path& image, const std::string& path)
{
    std::set<uint32_t> blocks;
    std::istringstream words(debugfs(image, "blocks " + path).output);
    std::string word;
    while (words >> word)
        if (word.find_first_not_of("0123456789") == std::string::npos)
            blocks.insert(static_cast<uint32_t>(std::stoul(word)));
    return blocks;
}

// A file's contents as debugfs dumps them from the image.
std::string dumped(const fs::path& image, const std::string& path)
{
    fs::path out = image.string() + ".dump";
    fs::remove(out);
    debugfs(image, "dump " + path + " " + out.string());
    std::string data = read_host_file(out);
    fs::remove(out);
    return data;
}

class WriteError : public ::testing::Test {
protected:
    void SetUp() override
    {
        REQUIRE_E2FSPROGS();
        write_file(tmp / "tree" / "old" / "a", pattern(30000, 1));
        write_file(tmp / "tree" / "old" / "b", pattern(5000, 2));
        ASSERT_EQ(make_image(image, block_size, image_kib, "", tmp / "tree").status, 0);
        fs::copy_file(image, pristine);
    }

    // The same first steps on a copy, to learn where the victim's blocks go: allocation is
    // deterministic, so the real run puts them there too.
    void learn_victim_blocks(size_t victim_bytes)
    {
        fs::path dry = tmp / "dry";
        fs::copy_file(pristine, dry);
        {
            Mounted m(dry);
            ASSERT_TRUE(m.ok()) << describe(m.error());
            first_steps(*m);
            ext2::Ino v = EXT2_OK(m->create(ext2::root_ino, "victim", 0644));
            std::string data = pattern(victim_bytes, 9);
            EXT2_OK(m->write(v, 0, data.data(), data.size()));
            EXT2_OK(m->unmount());
        }
        victim_blocks = blocks_of(dry, "/victim");
        ASSERT_FALSE(victim_blocks.empty());
        ASSERT_EQ(*victim_blocks.rbegin() - *victim_blocks.begin() + 1, victim_blocks.size()) << "not one run";
    }

    void first_steps(ext2::Filesystem& f)
    {
        ext2::Ino k = EXT2_OK(f.create(ext2::root_ino, "keep1", 0644));
        std::string data = pattern(20000, 3);
        EXT2_OK(f.write(k, 0, data.data(), data.size()));
        EXT2_OK(f.sync());
    }

    void fail_victim_blocks(FileDevice& device)
    {
        device.fail_first = uint64_t(*victim_blocks.begin()) * sectors_per_block;
        device.fail_count = victim_blocks.size() * sectors_per_block;
    }

    // After the unmount: marked as having errors, repaired by e2fsck -fy, then clean, and
    // every file outside the failed range intact.
    void check_repaired_and_intact()
    {
        EXPECT_TRUE(state_on_disk(image) & ext2::layout::state_error) << "the error mark did not stay";
        Command repair = run(tool("e2fsck") + " -fy " + quote(image.string()));
        EXPECT_LE(repair.status, 1) << repair.output;
        Command check = fsck(image);
        EXPECT_EQ(check.status, 0) << check.output;
        EXPECT_FALSE(state_on_disk(image) & ext2::layout::state_error) << "e2fsck -fy left the error mark";
        EXPECT_EQ(dumped(image, "/keep1"), pattern(20000, 3));
        EXPECT_EQ(dumped(image, "/keep2"), pattern(70000, 4));
        EXPECT_EQ(dumped(image, "/old/a"), pattern(30000, 1));
        EXPECT_EQ(dumped(image, "/old/b"), pattern(5000, 2));
    }

    // Later work is served as before: a new file written and synced, old ones read.
    void later_work(ext2::Filesystem& f)
    {
        ext2::Ino k = EXT2_OK(f.create(ext2::root_ino, "keep2", 0644));
        std::string data = pattern(70000, 4);
        EXPECT_EQ(EXT2_OK(f.write(k, 0, data.data(), data.size())), data.size());
        EXPECT_EQ(read_all(f, EXT2_OK(resolve(f, "/keep1"))), pattern(20000, 3));
        EXPECT_EQ(read_all(f, EXT2_OK(resolve(f, "/old/a"))), pattern(30000, 1));
    }

    TempDir tmp;
    fs::path image = tmp / "img";
    fs::path pristine = tmp / "pristine";
    std::set<uint32_t> victim_blocks;
};

TEST_F(WriteError, DirectWriteFailsThatWriteAndMarksTheFilesystem)
{
    constexpr size_t victim_bytes = 10 * block_size; // whole blocks: written straight to the device
    learn_victim_blocks(victim_bytes);
    Mounted m(image);
    ASSERT_TRUE(m.ok()) << describe(m.error());
    first_steps(*m);
    EXPECT_FALSE(m->has_errors());
    fail_victim_blocks(m.device);

    ext2::Ino v = EXT2_OK(m->create(ext2::root_ino, "victim", 0644));
    std::string data = pattern(victim_bytes, 9);
    EXPECT_EQ(error_of(m->write(v, 0, data.data(), data.size())), device_error);
    EXPECT_GT(m.device.failed_writes, 0u);
    EXPECT_TRUE(m->has_errors());
    EXPECT_TRUE(state_on_disk(image) & ext2::layout::state_error) << "not written out at once";
    EXPECT_NE(
        std::string(m->last_write_failure().data(), m->last_write_failure().size()).find("failed"), std::string::npos);

    later_work(*m);
    EXPECT_EQ(error_of(m->sync()), device_error) << "the next sync reports the failure";
    EXT2_OK(m->sync()); // once
    EXT2_OK(m->unmount());
    check_repaired_and_intact();
}

TEST_F(WriteError, CachedWriteFailsTheNextSyncOnce)
{
    // One block written in two parts: through the cache, so the failure comes at the sync.
    constexpr size_t victim_bytes = block_size;
    learn_victim_blocks(victim_bytes);
    Mounted m(image);
    ASSERT_TRUE(m.ok()) << describe(m.error());
    first_steps(*m);
    fail_victim_blocks(m.device);

    ext2::Ino v = EXT2_OK(m->create(ext2::root_ino, "victim", 0644));
    std::string data = pattern(victim_bytes, 9);
    EXPECT_EQ(EXT2_OK(m->write(v, 0, data.data(), 3000)), 3000u);
    EXPECT_EQ(EXT2_OK(m->write(v, 3000, data.data() + 3000, data.size() - 3000)), data.size() - 3000);
    EXPECT_FALSE(m->has_errors()) << "nothing was written yet";
    later_work(*m);
    uint64_t flushes = m.device.flushes;
    EXPECT_EQ(error_of(m->sync()), device_error);
    EXPECT_GT(m.device.flushes, flushes) << "what could be written was flushed all the same";
    EXPECT_TRUE(m->has_errors());
    EXPECT_TRUE(state_on_disk(image) & ext2::layout::state_error);
    // Everything else went out in that sync: keep2 is on the disk before the unmount.
    EXPECT_EQ(dumped(image, "/keep2"), pattern(70000, 4));
    // The block is not retried, and its contents stay in memory: a read of the whole block,
    // which goes to the device, gets them too.
    uint64_t failed = m.device.failed_writes;
    EXT2_OK(m->sync());
    EXPECT_EQ(m.device.failed_writes, failed);
    EXPECT_EQ(read_all(*m, v), data);
    EXT2_OK(m->unmount());
    check_repaired_and_intact();
}

TEST_F(WriteError, FailedEvictionDoesNotFailTheRequestThatNeededTheSlot)
{
    constexpr size_t victim_bytes = 3000;
    learn_victim_blocks(victim_bytes);
    ext2::MountOptions tiny;
    tiny.cache_bytes = 16 * block_size; // the smallest cache: every request evicts
    Mounted m(image, tiny);
    ASSERT_TRUE(m.ok()) << describe(m.error());
    first_steps(*m);
    fail_victim_blocks(m.device);

    ext2::Ino v = EXT2_OK(m->create(ext2::root_ino, "victim", 0644));
    std::string data = pattern(victim_bytes, 9);
    EXT2_OK(m->write(v, 0, data.data(), data.size()));
    // Enough other blocks to push the victim's block out of the cache, each call succeeding.
    ext2::Ino dir = EXT2_OK(m->mkdir(ext2::root_ino, "many", 0755));
    for (int i = 0; i < 40; ++i) {
        std::string name = "f" + std::to_string(i);
        ext2::Ino f = EXT2_OK(m->create(dir, name.c_str(), 0644));
        std::string small = pattern(100 + i, 100 + i);
        EXPECT_EQ(EXT2_OK(m->write(f, 0, small.data(), small.size())), small.size());
    }
    EXPECT_GT(m.device.failed_writes, 0u) << "the victim's block was never evicted";
    EXPECT_TRUE(m->has_errors());
    later_work(*m);
    EXPECT_EQ(error_of(m->sync()), device_error);
    EXT2_OK(m->sync());
    EXT2_OK(m->unmount());
    check_repaired_and_intact();
    for (int i = 0; i < 40; ++i)
        EXPECT_EQ(dumped(image, "/many/f" + std::to_string(i)), pattern(100 + i, 100 + i)) << i;
}

TEST_F(WriteError, AFilesystemThatHadErrorsKeepsTheMarkThroughAMount)
{
    constexpr size_t victim_bytes = 10 * block_size;
    learn_victim_blocks(victim_bytes);
    {
        Mounted m(image);
        ASSERT_TRUE(m.ok());
        first_steps(*m);
        fail_victim_blocks(m.device);
        ext2::Ino v = EXT2_OK(m->create(ext2::root_ino, "victim", 0644));
        std::string data = pattern(victim_bytes, 9);
        EXPECT_TRUE(m->write(v, 0, data.data(), data.size()).is_error());
        EXPECT_TRUE(m->sync().is_error());
        EXT2_OK(m->unmount());
    }
    // Mounted again without running e2fsck: Linux mounts it with a warning, and so does the
    // library; the mark stays until e2fsck clears it.
    Mounted again(image);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->has_errors());
    std::string note(again->mount_note().data(), again->mount_note().size());
    EXPECT_NE(note.find("errors"), std::string::npos) << note;
    EXT2_OK(again->sync());
    EXT2_OK(again->unmount());
    EXPECT_TRUE(state_on_disk(image) & ext2::layout::state_error);
}

} // namespace
