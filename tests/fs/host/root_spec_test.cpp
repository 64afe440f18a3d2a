// ext2fs's root specs: the Hurd's spellings, and a sentence for every bad one.
#include <gtest/gtest.h>

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
