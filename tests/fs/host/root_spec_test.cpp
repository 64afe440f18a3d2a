// ext2fs's root specs: the Hurd's spellings, and a sentence for every bad one.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "root_spec.h"

namespace {

std::string name_of(const char* spec)
{
    auto r = ext2fs::parse_root_spec(spec);
    if (r.is_error())
        return std::string("error: ") + r.error().context();
    return std::string(r.value().name.c_str());
}

TEST(RootSpec, TypedPartitionBecomesRumpdisksPartitionName)
{
    EXPECT_EQ(name_of("part:1:device:wd0"), "wd0s1");
    EXPECT_EQ(name_of("part:2:device:wd1"), "wd1s2");
    EXPECT_EQ(name_of("part:255:device:wd0"), "wd0s255");
}

TEST(RootSpec, DeviceAndPlainNames)
{
    EXPECT_EQ(name_of("device:wd0s1"), "wd0s1");
    EXPECT_EQ(name_of("wd0s1"), "wd0s1");
    EXPECT_EQ(name_of("wd0"), "wd0");
}

TEST(RootSpec, BadSpecsSaySo)
{
    for (const char* spec : { "part:0:device:wd0", "part:256:device:wd0", "part:x:device:wd0", "part:01:device:wd0",
             "part::device:wd0", "part:1" })
        EXPECT_EQ(name_of(spec).rfind("error: the partition number", 0), 0u) << spec << ": " << name_of(spec);
    EXPECT_EQ(name_of("part:1:wd0"), "error: a part: spec must name a device (part:N:device:NAME)");
    EXPECT_EQ(name_of("part:1:device:"), "error: the device name of a part:N:device:NAME spec is not a device name");
    EXPECT_EQ(name_of("part:1:device:wd 0").rfind("error: ", 0), 0u);
    EXPECT_EQ(name_of("device:"), "error: the name of a device:NAME spec is not a device name");
    EXPECT_EQ(name_of("file:/dev/wd0").rfind("error: not a root spec", 0), 0u);
    EXPECT_EQ(name_of("").rfind("error: not a root spec", 0), 0u);
    EXPECT_EQ(name_of("/dev/wd0s1").rfind("error: not a root spec", 0), 0u);
    std::string long_name = "part:1:device:" + std::string(63, 'w');
    EXPECT_EQ(name_of(long_name.c_str()).rfind("error: ", 0), 0u);
}

std::string trimmed(const std::string& s)
{
    size_t from = s.find_first_not_of(' ');
    size_t to = s.find_last_not_of(' ');
    return from == std::string::npos ? std::string() : s.substr(from, to - from + 1);
}

// The table `bootchain check` is held to as well (tools/bootchain/rootspec.py).
TEST(RootSpec, SharedTableOfCases)
{
    std::ifstream table(ROOT_SPEC_CASES);
    ASSERT_TRUE(table.good()) << ROOT_SPEC_CASES;
    std::string line;
    int cases = 0;
    while (std::getline(table, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        size_t bar1 = line.find('|'), bar2 = line.find('|', bar1 + 1);
        ASSERT_NE(bar2, std::string::npos) << line;
        std::string type = trimmed(line.substr(0, bar1));
        std::string spec = trimmed(line.substr(bar1 + 1, bar2 - bar1 - 1));
        std::string expected = trimmed(line.substr(bar2 + 1));
        auto r = ext2fs::parse_root_spec(base::StringView(spec.data(), spec.size()),
            type == "-" ? base::StringView() : base::StringView(type.c_str()));
        std::string got
            = r.is_error() ? std::string("error: ") + r.error().context() : std::string(r.value().name.c_str());
        EXPECT_EQ(got, expected) << "-T " << type << " " << spec;
        ++cases;
    }
    EXPECT_GE(cases, 20);
}

TEST(RootSpec, RootWordOfTheKernelCommandLine)
{
    using ext2fs::root_from_command_line;
    EXPECT_TRUE(
        root_from_command_line("console=com0 root=part:1:device:wd0 -s") == base::StringView("part:1:device:wd0"));
    EXPECT_TRUE(root_from_command_line("root=wd0s1") == base::StringView("wd0s1"));
    EXPECT_TRUE(root_from_command_line("console=com0 rootx=1 noroot=2").empty());
    EXPECT_TRUE(root_from_command_line("").empty());
    EXPECT_TRUE(root_from_command_line("root=a root=b") == base::StringView("a"));
}

} // namespace
