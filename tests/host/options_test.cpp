// Option parsing as the boot script hands options to modules.
#include <gtest/gtest.h>

#include "base/options.h"

namespace {

struct Fixture {
    base::OptionParser parser { "pci-arbiter" };
    unsigned long long next_task = 0;
    unsigned long long host = 0;
    base::StringView root;
    bool list = false;
    Fixture()
    {
        parser.add_number("disk-server-task", next_task, "the next task");
        parser.add_alias("next-task", "disk-server-task");
        parser.add_number("host-priv-port", host, "host port");
        parser.add_text("root", root, "root");
        parser.add_flag("list", list, "list");
    }
    base::Result<void> parse(std::initializer_list<const char*> args)
    {
        std::vector<const char*> argv { "pci-arbiter" };
        argv.insert(argv.end(), args);
        return parser.parse(static_cast<int>(argv.size()), argv.data());
    }
    std::string error() const { return std::string(parser.error_message().data(), parser.error_message().size()); }
};

} // namespace

TEST(Options, ValuesFlagsAndPositionals)
{
    Fixture f;
    ASSERT_FALSE(
        f.parse({ "--disk-server-task=3", "--host-priv-port=0x10", "--list", "--root", "wd0s1", "part:1:device:wd0" })
            .is_error());
    EXPECT_EQ(f.next_task, 3u);
    EXPECT_EQ(f.host, 16u);
    EXPECT_TRUE(f.list);
    EXPECT_TRUE(f.root == "wd0s1");
    ASSERT_EQ(f.parser.positional_count(), 1u);
    EXPECT_TRUE(f.parser.positional(0) == "part:1:device:wd0");
    EXPECT_TRUE(f.parser.seen("next-task"));
    EXPECT_TRUE(f.parser.spelling("disk-server-task") == "disk-server-task");
}

TEST(Options, AliasSetsTheSameOption)
{
    Fixture f;
    ASSERT_FALSE(f.parse({ "--next-task=5" }).is_error());
    EXPECT_EQ(f.next_task, 5u);
    EXPECT_TRUE(f.parser.seen("disk-server-task"));
    EXPECT_TRUE(f.parser.spelling("disk-server-task") == "next-task");
}

TEST(Options, ErrorsNameTheOption)
{
    {
        Fixture f;
        EXPECT_TRUE(f.parse({ "--disk-server-task=" }).is_error());
        EXPECT_EQ(f.error(), "option '--disk-server-task' needs a value");
    }
    {
        Fixture f;
        EXPECT_TRUE(f.parse({ "--disk-server-task=abc" }).is_error());
        EXPECT_EQ(f.error(), "option '--disk-server-task': 'abc' is not a number");
    }
    {
        Fixture f;
        EXPECT_TRUE(f.parse({ "--frobnicate=1" }).is_error());
        EXPECT_EQ(f.error(), "unknown option '--frobnicate'");
    }
    {
        Fixture f;
        EXPECT_TRUE(f.parse({ "--next-task=1", "--disk-server-task=2" }).is_error());
        EXPECT_EQ(f.error(), "option '--disk-server-task' is given twice");
    }
    {
        Fixture f;
        EXPECT_TRUE(f.parse({ "--list=yes" }).is_error());
        EXPECT_EQ(f.error(), "option '--list' takes no value");
    }
    {
        Fixture f;
        EXPECT_TRUE(f.parse({ "--host-priv-port=99999999999999999999999" }).is_error());
    }
}

TEST(Options, NumbersParseStrictly)
{
    unsigned long long v = 0;
    EXPECT_TRUE(base::parse_unsigned("0", v));
    EXPECT_EQ(v, 0u);
    EXPECT_TRUE(base::parse_unsigned("0x1F", v));
    EXPECT_EQ(v, 31u);
    EXPECT_FALSE(base::parse_unsigned("", v));
    EXPECT_FALSE(base::parse_unsigned("0x", v));
    EXPECT_FALSE(base::parse_unsigned("12a", v));
    EXPECT_FALSE(base::parse_unsigned("-1", v));
    EXPECT_FALSE(base::parse_unsigned("18446744073709551616", v));
    EXPECT_TRUE(base::parse_unsigned("18446744073709551615", v));
}

TEST(Options, ShortOptionTakesTheNextWordOrTheRestOfItsOwn)
{
    base::OptionParser parser { "ext2fs" };
    base::StringView type;
    bool readonly = false;
    parser.add_text("store-type", type, "libstore's store type");
    parser.add_short('T', "store-type");
    parser.add_flag("readonly", readonly, "read-only");
    parser.add_short('r', "readonly");
    const char* hurd[] = { "ext2fs", "-T", "typed", "part:2:device:wd0", "-r" };
    ASSERT_FALSE(parser.parse(5, hurd).is_error()) << parser.error_message().data();
    EXPECT_TRUE(type == "typed");
    EXPECT_TRUE(readonly);
    ASSERT_EQ(parser.positional_count(), 1u);
    EXPECT_TRUE(parser.positional(0) == "part:2:device:wd0");

    base::OptionParser glued { "ext2fs" };
    glued.add_text("store-type", type, "libstore's store type");
    glued.add_short('T', "store-type");
    const char* joined[] = { "ext2fs", "-Tdevice", "wd0" };
    ASSERT_FALSE(glued.parse(3, joined).is_error());
    EXPECT_TRUE(type == "device");
    EXPECT_TRUE(glued.positional(0) == "wd0");

    // A letter nobody registered stays a positional word; a missing value is an error naming
    // the long option.
    base::OptionParser other { "ext2fs" };
    other.add_text("store-type", type, "libstore's store type");
    other.add_short('T', "store-type");
    const char* unknown[] = { "ext2fs", "-x" };
    ASSERT_FALSE(other.parse(2, unknown).is_error());
    EXPECT_TRUE(other.positional(0) == "-x");
    const char* bare[] = { "ext2fs", "-T" };
    base::OptionParser last { "ext2fs" };
    last.add_text("store-type", type, "libstore's store type");
    last.add_short('T', "store-type");
    ASSERT_TRUE(last.parse(2, bare).is_error());
    EXPECT_EQ(
        std::string(last.error_message().data(), last.error_message().size()), "option '--store-type' needs a value");
}
