// The file data cache (lib/ext2/file_cache.h) through the library: a warm read reads no device
// sector, a read after a write, a truncation or an unlink (and a new file on the same inode)
// reads what the file holds now, the budget holds while files larger than it are read, and
// the chunks come from and go back to the ChunkMemory the mount was given.
#include <set>

#include "ext2_support.h"

using namespace ext2_test;

namespace {

constexpr size_t mib = 1024 * 1024;

// Chunks from the host's heap, counted: how many are out, and the most that ever were.
class CountingMemory final : public ext2::ChunkMemory {
public:
    uint8_t* allocate() override
    {
        if (refuse)
            return nullptr;
        // Page-aligned, as the server's chunks are (pages of its address space).
        auto* p = static_cast<uint8_t*>(::aligned_alloc(4096, chunk_bytes));
        out.insert(p);
        if (out.size() > most)
            most = out.size();
        return p;
    }
    void free(uint8_t* p) override
    {
        EXPECT_EQ(out.erase(p), 1u) << "a chunk freed that was not given";
        ::free(p);
    }
    std::set<uint8_t*> out;
    size_t most = 0;
    bool refuse = false;
};

std::string read_range(ext2::Filesystem& f, ext2::Ino ino, uint64_t offset, size_t len)
{
    std::string s(len, 0);
    auto n = f.read(ino, offset, s.data(), len);
    if (n.is_error())
        return "<read failed: " + describe(n.error()) + ">";
    s.resize(n.value());
    return s;
}

class FileCacheTest : public ::testing::TestWithParam<uint32_t> {
protected:
    void SetUp() override
    {
        REQUIRE_E2FSPROGS();
        big = pattern(5 * mib + 1234, 7);
        small = pattern(3000, 8);
        write_file(dir / "tree/big.bin", big);
        write_file(dir / "tree/small.txt", small);
        image = dir / "fs.img";
        auto made = make_image(image, GetParam(), 32 * 1024, "", dir / "tree");
        ASSERT_EQ(made.status, 0) << made.output;
    }

    ext2::MountOptions options(size_t budget)
    {
        ext2::MountOptions o;
        o.data_cache_bytes = budget;
        o.chunk_memory = &memory;
        return o;
    }

    TempDir dir;
    fs::path image;
    std::string big, small;
    CountingMemory memory;
};

TEST_P(FileCacheTest, AWarmReadReadsNothingFromTheDevice)
{
    Mounted m(image, options(16 * mib));
    ASSERT_TRUE(m.ok()) << describe(m.error());
    ext2::Ino ino = EXT2_OK(resolve(*m, "/big.bin"));
    EXPECT_TRUE(read_all(*m, ino) == big);
    uint64_t cold_sectors = m.device.sectors_read;
    EXPECT_GT(m->memory_use().data_cache_bytes, big.size() - 4096);
    EXPECT_TRUE(read_all(*m, ino) == big);
    EXPECT_EQ(m.device.sectors_read, cold_sectors) << "the warm read went to the device";
    EXPECT_GT(m->file_cache_stats().hits, 0u);

    // A view never crosses a chunk and says how big the file is.
    auto v = EXT2_OK(m->read_view(ino, mib - 100, 1000));
    ASSERT_NE(v.data, nullptr);
    EXPECT_EQ(v.size, 100u);
    EXPECT_EQ(v.file_size, big.size());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.data), v.size), big.substr(mib - 100, 100));
    auto end = EXT2_OK(m->read_view(ino, big.size(), 10));
    EXPECT_EQ(end.size, 0u);
    // A whole cached chunk starts on a page: the server sends such a view copy-on-write.
    auto whole = EXT2_OK(m->read_view(ino, 2 * mib, mib));
    EXPECT_EQ(whole.size, mib);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(whole.data) % 4096, 0u);
    EXPECT_FALSE(m->unmount().is_error());
    EXPECT_TRUE(memory.out.empty()) << "the unmount kept chunks";
}

TEST_P(FileCacheTest, AReadAfterAWriteReadsTheWrite)
{
    Mounted m(image, options(16 * mib));
    ASSERT_TRUE(m.ok());
    ext2::Ino ino = EXT2_OK(resolve(*m, "/big.bin"));
    std::string model = big;
    EXPECT_TRUE(read_all(*m, ino) == model);
    // Partial blocks (through the block cache), whole blocks (straight to the device), across
    // a chunk, and past the end with a gap.
    struct Write {
        uint64_t at;
        size_t len;
    } writes[]
        = { { 10, 5 }, { 4096, 8192 }, { mib - 3000, 6000 }, { 3 * mib + 1, 70000 }, { big.size() + 5000, 100 } };
    uint32_t seed = 100;
    for (auto w : writes) {
        std::string data = pattern(w.len, seed++);
        EXPECT_EQ(EXT2_OK(m->write(ino, w.at, data.data(), data.size())), data.size());
        if (model.size() < w.at + w.len)
            model.resize(w.at + w.len, 0);
        model.replace(w.at, w.len, data);
        EXPECT_TRUE(read_range(*m, ino, w.at > 8 ? w.at - 8 : 0, w.len + 16)
            == model.substr(w.at > 8 ? w.at - 8 : 0, w.len + 16))
            << "after a write of " << w.len << " bytes at " << w.at;
    }
    EXPECT_TRUE(read_all(*m, ino) == model);
    EXPECT_FALSE(m->sync().is_error());
    EXPECT_TRUE(read_all(*m, ino) == model);
    EXPECT_FALSE(m->unmount().is_error());
    auto dumped = debugfs(image, "dump /big.bin " + (dir / "out").string());
    EXPECT_TRUE(read_host_file(dir / "out") == model) << dumped.output;
    EXPECT_EQ(fsck(image).status, 0);
}

TEST_P(FileCacheTest, TruncationShrinksAndExtendsWithZeros)
{
    Mounted m(image, options(16 * mib));
    ASSERT_TRUE(m.ok());
    ext2::Ino ino = EXT2_OK(resolve(*m, "/big.bin"));
    EXPECT_TRUE(read_all(*m, ino) == big);
    EXPECT_FALSE(m->truncate(ino, 2 * mib + 77).is_error());
    EXPECT_TRUE(read_all(*m, ino) == big.substr(0, 2 * mib + 77));
    // Extended again: the old bytes past the cut read as zeros, even in the cut's own page.
    EXPECT_FALSE(m->truncate(ino, 3 * mib).is_error());
    std::string expect = big.substr(0, 2 * mib + 77) + std::string(3 * mib - (2 * mib + 77), 0);
    EXPECT_TRUE(read_all(*m, ino) == expect);
    EXPECT_FALSE(m->truncate(ino, 0).is_error());
    EXPECT_EQ(read_all(*m, ino), "");
    EXPECT_FALSE(m->unmount().is_error());
    EXPECT_EQ(fsck(image).status, 0);
}

TEST_P(FileCacheTest, AnUnlinkedFilesInodeAndBlocksServeTheNextFile)
{
    Mounted m(image, options(16 * mib));
    ASSERT_TRUE(m.ok());
    ext2::Ino ino = EXT2_OK(resolve(*m, "/small.txt"));
    EXPECT_TRUE(read_all(*m, ino) == small);
    size_t chunks = m->memory_use().data_cache_chunks;
    EXPECT_FALSE(m->unlink(ext2::root_ino, "small.txt").is_error());
    EXPECT_LT(m->memory_use().data_cache_chunks, chunks) << "the freed file's chunk stayed";
    // The next file takes the freed inode (the lowest free one in the group) and its block.
    ext2::Ino again = EXT2_OK(m->create(ext2::root_ino, "new.txt", 0644));
    EXPECT_EQ(again, ino);
    std::string fresh = pattern(100, 9);
    EXPECT_EQ(EXT2_OK(m->write(again, 0, fresh.data(), fresh.size())), fresh.size());
    EXPECT_TRUE(read_all(*m, again) == fresh);
    EXPECT_FALSE(m->unmount().is_error());
    EXPECT_EQ(fsck(image).status, 0);
}

TEST_P(FileCacheTest, AnOpenUnlinkedFileStillReads)
{
    Mounted m(image, options(16 * mib));
    ASSERT_TRUE(m.ok());
    ext2::Ino ino = EXT2_OK(resolve(*m, "/big.bin"));
    EXPECT_FALSE(m->hold(ino).is_error());
    EXPECT_TRUE(read_all(*m, ino) == big);
    EXPECT_FALSE(m->unlink(ext2::root_ino, "big.bin").is_error());
    EXPECT_TRUE(read_all(*m, ino) == big);
    EXPECT_FALSE(m->release(ino).is_error());
    EXPECT_EQ(error_of(m->read(ino, 0, nullptr, 0)), code(ext2::Errc::NotFound));
    EXPECT_FALSE(m->unmount().is_error());
    EXPECT_EQ(fsck(image).status, 0);
}

TEST_P(FileCacheTest, TheBudgetHoldsAndEvictedChunksReadBack)
{
    // Two chunks' worth for a file of six: every read goes on, the oldest chunks go.
    Mounted m(image, options(2 * mib));
    ASSERT_TRUE(m.ok());
    ext2::Ino ino = EXT2_OK(resolve(*m, "/big.bin"));
    for (int round = 0; round < 2; ++round) {
        for (uint64_t at = 0; at < big.size(); at += 256 * 1024) {
            EXPECT_TRUE(read_range(*m, ino, at, 256 * 1024) == big.substr(at, 256 * 1024)) << at;
            EXPECT_LE(m->memory_use().data_cache_bytes, 2 * mib);
            EXPECT_LE(memory.out.size(), 2u + 1u);
        }
    }
    EXPECT_GT(m->file_cache_stats().evictions, 0u);
    EXPECT_TRUE(read_range(*m, ino, 17, 3 * mib) == big.substr(17, 3 * mib));
    EXPECT_FALSE(m->unmount().is_error());
    EXPECT_TRUE(memory.out.empty());
}

TEST_P(FileCacheTest, WithoutMemoryReadsGoUncached)
{
    memory.refuse = true;
    Mounted m(image, options(16 * mib));
    ASSERT_TRUE(m.ok());
    ext2::Ino ino = EXT2_OK(resolve(*m, "/big.bin"));
    EXPECT_TRUE(read_all(*m, ino) == big);
    auto v = EXT2_OK(m->read_view(ino, 0, 100));
    EXPECT_EQ(v.data, nullptr);
    EXPECT_EQ(v.file_size, big.size());
    EXPECT_EQ(m->memory_use().data_cache_chunks, 0u);
    EXPECT_FALSE(m->unmount().is_error());
}

TEST_P(FileCacheTest, ARemountReadsWhatWasSynced)
{
    std::string data = pattern(3 * mib, 11);
    {
        Mounted m(image, options(16 * mib));
        ASSERT_TRUE(m.ok());
        ext2::Ino ino = EXT2_OK(resolve(*m, "/big.bin"));
        EXPECT_TRUE(read_all(*m, ino) == big);
        EXPECT_EQ(EXT2_OK(m->write(ino, 100, data.data(), data.size())), data.size());
        EXPECT_FALSE(m->sync().is_error());
        EXPECT_FALSE(m->unmount().is_error());
    }
    Mounted again(image, options(16 * mib));
    ASSERT_TRUE(again.ok());
    ext2::Ino ino = EXT2_OK(resolve(*again, "/big.bin"));
    std::string model = big;
    model.replace(100, data.size(), data);
    EXPECT_TRUE(read_all(*again, ino) == model);
    EXPECT_FALSE(again->unmount().is_error());
}

INSTANTIATE_TEST_SUITE_P(BlockSizes, FileCacheTest, ::testing::Values(1024u, 4096u));

} // namespace
