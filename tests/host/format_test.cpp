// The formatter every module prints with.
#include <gtest/gtest.h>

#include "base/format.h"
#include "base/result.h"

using base::BufferSink;
using base::format;

template<typename... Args> static std::string fmt(const char* f, const Args&... args)
{
    BufferSink<256> s;
    format(s, f, args...);
    return std::string(s.c_str());
}

TEST(Format, Integers)
{
    EXPECT_EQ(fmt("{} {} {}", 0, -42, 18446744073709551615ULL), "0 -42 18446744073709551615");
    EXPECT_EQ(fmt("{:x} {:X} {:#x}", 255, 255, 4096), "ff FF 0x1000");
    EXPECT_EQ(fmt("[{:04x}] [{:5}] [{:<5}]", 0x1f, 42, 42), "[001f] [   42] [42   ]");
    EXPECT_EQ(fmt("{:02x}:{:02x}.{}", 0, 0x1f, 2), "00:1f.2");
}

TEST(Format, StringsAndBraces)
{
    EXPECT_EQ(fmt("{} {}", "wd0", base::StringView("abc", 2)), "wd0 ab");
    EXPECT_EQ(fmt("{{}} {}", true), "{} true");
    EXPECT_EQ(fmt("{:<6}|{:6}|", "ab", "cd"), "ab    |    cd|");
    EXPECT_EQ(fmt("missing {}"), "missing {?}");
    const char* null = nullptr;
    EXPECT_EQ(fmt("{}", null), "(null)");
}

TEST(Format, StatusNames)
{
    EXPECT_EQ(fmt("{}", base::Status { 15 }), "KERN_INVALID_NAME");
    EXPECT_EQ(fmt("{}", base::Status { 0x10004003 }), "MACH_RCV_TIMED_OUT");
    EXPECT_EQ(fmt("{}", base::Status { 2502 }), "D_NO_SUCH_DEVICE");
    EXPECT_EQ(fmt("{}", base::Status { -308 }), "MIG_SERVER_DIED");
    EXPECT_EQ(fmt("{}", base::Status { 12345 }), "status 0x3039");
    EXPECT_EQ(fmt("{}", base::Error(4, "opening wd0")), "opening wd0: KERN_INVALID_ARGUMENT");
}

TEST(Format, TruncatesAtCapacity)
{
    BufferSink<8> s;
    format(s, "{}", "0123456789");
    EXPECT_STREQ(s.c_str(), "0123456");
    EXPECT_TRUE(s.truncated());
}

static base::Result<int> half(int v)
{
    if (v % 2)
        return base::Error(4, "odd");
    return v / 2;
}

static base::Result<int> quarter(int v)
{
    int h = TRY(half(v));
    return TRY(half(h));
}

TEST(Result, TryPassesErrorsUp)
{
    auto ok = quarter(8);
    ASSERT_FALSE(ok.is_error());
    EXPECT_EQ(ok.value(), 2);
    auto bad = quarter(6);
    ASSERT_TRUE(bad.is_error());
    EXPECT_EQ(bad.error().code(), 4);
    EXPECT_STREQ(bad.error().context(), "odd");
}
