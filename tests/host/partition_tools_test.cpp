// Partition tables written by the real tools (sfdisk, sgdisk, fdisk) into sparse image files,
// read through a SectorReader and compared with what the tools themselves list. The tools are
// required: scripts/setup installs them (packages fdisk and gdisk); without them these tests fail.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "partition/partition.h"

namespace {

std::string find_tool(const char* name)
{
    std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
    dirs += ":/usr/sbin:/sbin:/usr/bin:/bin";
    std::stringstream ss(dirs);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
        if (dir.empty())
            continue;
        std::string path = dir + "/" + name;
        if (access(path.c_str(), X_OK) == 0)
            return path;
    }
    return "";
}

std::string tool(const char* name, const char* package)
{
    std::string path = find_tool(name);
    if (path.empty())
        ADD_FAILURE() << name << " not found (Debian package " << package << "): run scripts/setup";
    return path;
}

std::string temp_dir()
{
    const char* t = std::getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

std::string slurp(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Output {
    int status;
    std::string out;
    std::string err;
};

// Runs a shell command line with input on its stdin.
Output run(const std::string& command, const std::string& input = "")
{
    std::string base = temp_dir() + "/partition-tools-XXXXXX";
    std::vector<char> name(base.begin(), base.end());
    name.push_back(0);
    int fd = mkstemp(name.data());
    if (fd < 0)
        return { -1, "", std::string("mkstemp: ") + std::strerror(errno) };
    close(fd);
    std::string in = name.data(), out = in + ".out", err = in + ".err";
    std::ofstream(in) << input;
    int status = std::system((command + " < '" + in + "' > '" + out + "' 2> '" + err + "'").c_str());
    Output o { WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err) };
    unlink(in.c_str());
    unlink(out.c_str());
    unlink(err.c_str());
    return o;
}

// A sparse image file, removed at the end of the test.
class Image {
public:
    explicit Image(uint64_t bytes)
    {
        std::string base = temp_dir() + "/partition-XXXXXX.img";
        std::vector<char> name(base.begin(), base.end());
        name.push_back(0);
        m_fd = mkstemps(name.data(), 4);
        if (m_fd < 0) {
            ADD_FAILURE() << "mkstemps: " << std::strerror(errno);
            return;
        }
        m_path = name.data();
        if (ftruncate(m_fd, off_t(bytes)) != 0)
            ADD_FAILURE() << "ftruncate: " << std::strerror(errno);
        m_bytes = bytes;
    }
    ~Image()
    {
        if (m_fd >= 0) {
            close(m_fd);
            unlink(m_path.c_str());
        }
    }
    const std::string& path() const { return m_path; }
    int fd() const { return m_fd; }
    uint64_t bytes() const { return m_bytes; }

private:
    int m_fd = -1;
    std::string m_path;
    uint64_t m_bytes = 0;
};

class FileReader final : public partition::SectorReader {
public:
    FileReader(const Image& image, uint32_t sector_size)
        : m_image(image)
        , m_sector_size(sector_size)
    {
    }

    base::Result<void> read(uint64_t lba, void* buffer) override
    {
        ++reads;
        off_t at = off_t(lba * m_sector_size);
        if (pread(m_image.fd(), buffer, m_sector_size, at) != ssize_t(m_sector_size))
            return base::Error(base::status::device_io_error, "pread failed");
        return {};
    }

    base::Result<partition::Table> table()
    {
        return partition::read_table(*this, m_sector_size, m_image.bytes() / m_sector_size);
    }

    unsigned reads = 0;

private:
    const Image& m_image;
    uint32_t m_sector_size;
};

// A partition as a tool lists it; type is the MBR type in hex ("83") or the GPT type GUID.
struct Listed {
    unsigned number;
    uint64_t start;
    uint64_t size;
    std::string type;
};

// The partition number at the end of a node name: IMAGE5, or IMAGEp5 when IMAGE ends in a digit.
unsigned node_number(const std::string& node, const std::string& image)
{
    EXPECT_EQ(node.compare(0, image.size(), image), 0) << node;
    std::string rest = node.substr(image.size());
    if (!rest.empty() && rest[0] == 'p')
        rest = rest.substr(1);
    return unsigned(std::stoul(rest));
}

// Parses the "partitions" array of `sfdisk --json`; only what this test compares.
std::vector<Listed> sfdisk_json(const std::string& sfdisk, const Image& image, std::string* label = nullptr)
{
    Output o = run("'" + sfdisk + "' --json '" + image.path() + "'");
    EXPECT_EQ(o.status, 0) << o.err;
    std::smatch m;
    if (label && std::regex_search(o.out, m, std::regex("\"label\":\\s*\"([^\"]*)\"")))
        *label = m[1];
    EXPECT_TRUE(std::regex_search(o.out, m, std::regex("\"sectorsize\":\\s*512\\b"))) << o.out;
    std::vector<Listed> list;
    size_t at = o.out.find("\"partitions\"");
    EXPECT_NE(at, std::string::npos) << o.out;
    if (at == std::string::npos)
        return list;
    std::string rest = o.out.substr(at);
    std::regex object("\\{([^{}]*)\\}");
    for (auto it = std::sregex_iterator(rest.begin(), rest.end(), object); it != std::sregex_iterator(); ++it) {
        std::string body = (*it)[1];
        std::smatch node, start, size, type;
        bool ok = std::regex_search(body, node, std::regex("\"node\":\\s*\"([^\"]*)\""))
            && std::regex_search(body, start, std::regex("\"start\":\\s*([0-9]+)"))
            && std::regex_search(body, size, std::regex("\"size\":\\s*([0-9]+)"))
            && std::regex_search(body, type, std::regex("\"type\":\\s*\"([^\"]*)\""));
        EXPECT_TRUE(ok) << body;
        if (ok)
            list.push_back(
                { node_number(node[1], image.path()), std::stoull(start[1]), std::stoull(size[1]), type[1] });
    }
    return list;
}

// Parses `fdisk -b SIZE -l -o Device,Start,Sectors,<type column>`.
std::vector<Listed> fdisk_list(
    const std::string& fdisk, const Image& image, uint32_t sector_size, const char* type_column)
{
    Output o = run("'" + fdisk + "' -b " + std::to_string(sector_size) + " -l -o Device,Start,Sectors," + type_column
        + " '" + image.path() + "'");
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_NE(
        o.out.find("Sector size (logical/physical): " + std::to_string(sector_size) + " bytes"), std::string::npos)
        << o.out;
    std::vector<Listed> list;
    std::stringstream lines(o.out);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.compare(0, image.path().size(), image.path()) != 0)
            continue;
        std::stringstream fields(line);
        std::string node, type;
        uint64_t start, size;
        fields >> node >> start >> size >> type;
        EXPECT_FALSE(fields.fail()) << line;
        list.push_back({ node_number(node, image.path()), start, size, type });
    }
    return list;
}

bool is_extended(const std::string& mbr_type)
{
    unsigned long t = std::stoul(mbr_type, nullptr, 16);
    return t == 0x05 || t == 0x0f || t == 0x85;
}

std::string hex(unsigned v)
{
    std::stringstream s;
    s << std::hex << v;
    return s.str();
}

std::string lower(std::string s)
{
    for (char& c : s)
        c = char(std::tolower(c));
    return s;
}

// The table must hold exactly the listed partitions (extended partitions aside), in order.
void expect_same(const partition::Table& t, const std::vector<Listed>& listed, partition::Scheme scheme)
{
    EXPECT_EQ(t.scheme, scheme);
    std::vector<Listed> expected;
    for (const Listed& l : listed)
        if (scheme != partition::Scheme::Mbr || !is_extended(l.type))
            expected.push_back(l);
    ASSERT_EQ(t.count, expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        const partition::Partition& p = t.partitions[i];
        const Listed& l = expected[i];
        EXPECT_EQ(p.number, l.number) << "entry " << i;
        EXPECT_EQ(p.first_sector, l.start) << "partition " << l.number;
        EXPECT_EQ(p.sector_count, l.size) << "partition " << l.number;
        if (scheme == partition::Scheme::Mbr)
            EXPECT_EQ(hex(p.mbr_type), lower(l.type)) << "partition " << l.number;
        else
            EXPECT_EQ(std::string(base::formatted<64>("{}", p.type).c_str()), l.type) << "partition " << l.number;
    }
    for (size_t i = 0; i < t.warning_count; ++i)
        ADD_FAILURE() << "unexpected warning: " << base::formatted<200>("{}", t.warnings[i]).c_str();
}

std::vector<unsigned> numbers(const std::vector<Listed>& listed)
{
    std::vector<unsigned> n;
    for (const Listed& l : listed)
        n.push_back(l.number);
    return n;
}

constexpr uint64_t image_size = 64ull << 20;

TEST(PartitionTools, SfdiskMbrWithLogicalPartitions)
{
    std::string sfdisk = tool("sfdisk", "fdisk");
    ASSERT_FALSE(sfdisk.empty());
    Image image(image_size);
    std::string script = "label: dos\n"
                         "unit: sectors\n\n"
                         "start=2048, size=20480, type=83, bootable\n"
                         "start=22528, size=10240, type=82\n"
                         "start=32768, size=65536, type=5\n"
                         "start=34816, size=8192, type=83\n"
                         "start=45056, size=8192, type=7\n";
    Output o = run("'" + sfdisk + "' --no-reread --no-tell-kernel -q '" + image.path() + "'", script);
    ASSERT_EQ(o.status, 0) << o.err;

    std::string label;
    auto listed = sfdisk_json(sfdisk, image, &label);
    EXPECT_EQ(label, "dos");
    // Two primaries, the extended partition, two logical partitions: all five were listed.
    ASSERT_EQ(numbers(listed), (std::vector<unsigned> { 1, 2, 3, 5, 6 }));
    FileReader reader(image, 512);
    auto t = reader.table();
    ASSERT_FALSE(t.is_error()) << base::formatted<200>("{}", t.error()).c_str();
    expect_same(t.value(), listed, partition::Scheme::Mbr);
    EXPECT_EQ(reader.reads, 3u); // the MBR and two EBRs
}

TEST(PartitionTools, SfdiskMbrWithAnEmptySlotAndThreeLogicalPartitions)
{
    std::string sfdisk = tool("sfdisk", "fdisk");
    ASSERT_FALSE(sfdisk.empty());
    Image image(image_size);
    const std::string& p = image.path();
    std::string script = "label: dos\nunit: sectors\n\n" + p + "1 : start=2048, size=8192, type=c\n" + p
        + "3 : start=10240, size=8192, type=83\n" + p + "4 : start=20480, size=40960, type=85\n" + p
        + "5 : start=22528, size=4096, type=83\n" + p + "6 : start=28672, size=4096, type=82\n" + p
        + "7 : start=34816, size=4096, type=7\n";
    Output o = run("'" + sfdisk + "' --no-reread --no-tell-kernel -q '" + p + "'", script);
    ASSERT_EQ(o.status, 0) << o.err;
    auto listed = sfdisk_json(sfdisk, image);
    ASSERT_EQ(numbers(listed), (std::vector<unsigned> { 1, 3, 4, 5, 6, 7 }));
    FileReader reader(image, 512);
    auto t = reader.table();
    ASSERT_FALSE(t.is_error()) << base::formatted<200>("{}", t.error()).c_str();
    expect_same(t.value(), listed, partition::Scheme::Mbr);
}

TEST(PartitionTools, SfdiskGpt)
{
    std::string sfdisk = tool("sfdisk", "fdisk");
    ASSERT_FALSE(sfdisk.empty());
    Image image(image_size);
    std::string script = "label: gpt\n"
                         "unit: sectors\n\n"
                         "start=2048, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"EFI system\"\n"
                         "size=8192, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F\n"
                         "size=40960, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root\n"
                         "type=933AC7E1-2EB4-4F13-B844-0E14E2AEF915\n";
    Output o = run("'" + sfdisk + "' --no-reread --no-tell-kernel -q '" + image.path() + "'", script);
    ASSERT_EQ(o.status, 0) << o.err;
    std::string label;
    auto listed = sfdisk_json(sfdisk, image, &label);
    EXPECT_EQ(label, "gpt");
    ASSERT_EQ(numbers(listed), (std::vector<unsigned> { 1, 2, 3, 4 }));
    FileReader reader(image, 512);
    auto t = reader.table();
    ASSERT_FALSE(t.is_error()) << base::formatted<200>("{}", t.error()).c_str();
    expect_same(t.value(), listed, partition::Scheme::Gpt);
    // The MBR, the header and the 32 sectors of the entry array, one at a time; not the backup.
    EXPECT_EQ(reader.reads, 34u);
}

// sgdisk with a 200-entry table and numbers with gaps; sfdisk reads it back independently.
void make_sgdisk_image(const Image& image)
{
    std::string sgdisk = tool("sgdisk", "gdisk");
    ASSERT_FALSE(sgdisk.empty());
    Output o = run("'" + sgdisk + "' -o -S 200 -n 1:2048:+4M -t 1:ef00 -c 1:boot -n 3:0:+8M -t 3:8300 "
        + "-n 150:0:+1M -t 150:8200 -n 200:0:+2M -t 200:8302 '" + image.path() + "'");
    ASSERT_EQ(o.status, 0) << o.out << o.err;
}

TEST(PartitionTools, SgdiskGptWithLargeTableAndGaps)
{
    std::string sfdisk = tool("sfdisk", "fdisk");
    ASSERT_FALSE(sfdisk.empty());
    Image image(image_size);
    ASSERT_NO_FATAL_FAILURE(make_sgdisk_image(image));
    auto listed = sfdisk_json(sfdisk, image);
    ASSERT_EQ(numbers(listed), (std::vector<unsigned> { 1, 3, 150, 200 }));
    FileReader reader(image, 512);
    auto t = reader.table();
    ASSERT_FALSE(t.is_error()) << base::formatted<200>("{}", t.error()).c_str();
    expect_same(t.value(), listed, partition::Scheme::Gpt);
    EXPECT_EQ(reader.reads, 2u + 200 * 128 / 512);
}

TEST(PartitionTools, SgdiskGptWithItsPrimaryHeaderDestroyed)
{
    std::string sfdisk = tool("sfdisk", "fdisk");
    ASSERT_FALSE(sfdisk.empty());
    Image image(image_size);
    ASSERT_NO_FATAL_FAILURE(make_sgdisk_image(image));
    auto listed = sfdisk_json(sfdisk, image);
    ASSERT_EQ(listed.size(), 4u);

    char zeros[512] = {};
    ASSERT_EQ(pwrite(image.fd(), zeros, sizeof zeros, 512), ssize_t(sizeof zeros));
    FileReader reader(image, 512);
    auto t = reader.table();
    ASSERT_FALSE(t.is_error()) << base::formatted<200>("{}", t.error()).c_str();
    ASSERT_EQ(t.value().warning_count, 1u);
    EXPECT_STREQ(base::formatted<200>("{}", t.value().warnings[0]).c_str(),
        "GPT primary header has no EFI PART signature; backup used");
    t.value().warning_count = 0;
    expect_same(t.value(), listed, partition::Scheme::Gpt);

    // Both headers gone: an error, not a guess.
    ASSERT_EQ(pwrite(image.fd(), zeros, sizeof zeros, off_t(image.bytes() - 512)), ssize_t(sizeof zeros));
    auto broken = reader.table();
    ASSERT_TRUE(broken.is_error());
    EXPECT_STREQ(broken.error().context(), "GPT header has no EFI PART signature and no valid backup");
}

// fdisk -b 4096 writes 4096-byte-sector tables into a file (sfdisk and sgdisk cannot).
TEST(PartitionTools, FdiskMbrWith4096ByteSectors)
{
    std::string fdisk = tool("fdisk", "fdisk");
    ASSERT_FALSE(fdisk.empty());
    Image image(image_size);
    // o: new DOS label; n p 1 (+8M); n e 2 (+32M); two logical partitions of +4M; t 5 type 7.
    Output o = run("'" + fdisk + "' -b 4096 '" + image.path() + "'",
        "o\nn\np\n1\n\n+8M\nn\ne\n2\n\n+32M\nn\nl\n\n+4M\nn\nl\n\n+4M\nt\n5\n7\nw\n");
    ASSERT_EQ(o.status, 0) << o.out << o.err;
    auto listed = fdisk_list(fdisk, image, 4096, "Id");
    ASSERT_EQ(numbers(listed), (std::vector<unsigned> { 1, 2, 5, 6 }));
    FileReader reader(image, 4096);
    auto t = reader.table();
    ASSERT_FALSE(t.is_error()) << base::formatted<200>("{}", t.error()).c_str();
    expect_same(t.value(), listed, partition::Scheme::Mbr);
}

TEST(PartitionTools, FdiskGptWith4096ByteSectors)
{
    std::string fdisk = tool("fdisk", "fdisk");
    ASSERT_FALSE(fdisk.empty());
    Image image(image_size);
    // g: new GPT; partitions 1 (+16M), 3 (+8M, type 1: EFI System), 4 (the rest).
    Output o
        = run("'" + fdisk + "' -b 4096 '" + image.path() + "'", "g\nn\n1\n\n+16M\nn\n3\n\n+8M\nt\n3\n1\nn\n4\n\n\nw\n");
    ASSERT_EQ(o.status, 0) << o.out << o.err;
    auto listed = fdisk_list(fdisk, image, 4096, "Type-UUID");
    ASSERT_EQ(numbers(listed), (std::vector<unsigned> { 1, 3, 4 }));
    FileReader reader(image, 4096);
    auto t = reader.table();
    ASSERT_FALSE(t.is_error()) << base::formatted<200>("{}", t.error()).c_str();
    expect_same(t.value(), listed, partition::Scheme::Gpt);
    // The MBR, the header and the 16 KiB entry array in four 4096-byte sectors.
    EXPECT_EQ(reader.reads, 6u);
}

} // namespace
