// The initial stack against layouts computed by hand from GNU Mach's build_args_and_stack, and
// read back the way lib/runtime/start.S and a C runtime read it.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "elf/error.h"
#include "elf/initial_stack.h"
#include "elf/loader.h"

namespace {

using Bytes = std::vector<uint8_t>;

void put_word(Bytes& b, uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void put_string(Bytes& b, const char* s)
{
    b.insert(b.end(), s, s + std::strlen(s) + 1);
}

std::string outcome(const base::Result<elf::StackImage>& r)
{
    if (!r.is_error())
        return "ok";
    return r.error().is(elf::domain) ? elf::error_name(elf::elf_error(r.error())) : "foreign";
}

TEST(ElfStack, ArgumentsAndEnvironmentByHand)
{
    const uint64_t top = 0x10000000;
    base::StringView argv[] = { "a", "bc" };
    base::StringView envp[] = { "X=1" };
    uint8_t out[256];
    auto r = elf::build_initial_stack(top, argv, 2, envp, 1, out, sizeof out);
    ASSERT_EQ(outcome(r), "ok");
    // 6 words (argc, 2 argv, 0, 1 envp, 0) = 48 bytes, 9 bytes of strings: 57, rounded to 64.
    EXPECT_EQ(r.value().size, 64u);
    const uint64_t rsp = top - 64;
    EXPECT_EQ(r.value().rsp, rsp);
    Bytes expected;
    put_word(expected, 2);
    put_word(expected, rsp + 48);
    put_word(expected, rsp + 50);
    put_word(expected, 0);
    put_word(expected, rsp + 53);
    put_word(expected, 0);
    put_string(expected, "a");
    put_string(expected, "bc");
    put_string(expected, "X=1");
    expected.resize(64, 0); // the padding is at the top, after the strings
    EXPECT_EQ(Bytes(out, out + 64), expected);
}

// What the kernel gives a boot module: no environment at all, so argv's 0 is followed at once by
// envp's 0.
TEST(ElfStack, ABootModuleLine)
{
    const uint64_t top = 0x7ffffffff000;
    base::StringView argv[] = { "exit-with", "--status=3" };
    uint8_t out[256];
    auto r = elf::build_initial_stack(top, argv, 2, nullptr, 0, out, sizeof out);
    ASSERT_EQ(outcome(r), "ok");
    // 5 words = 40 bytes, 10 + 11 bytes of strings: 61, rounded to 64.
    ASSERT_EQ(r.value().size, 64u);
    const uint64_t rsp = top - 64;
    Bytes expected;
    put_word(expected, 2);
    put_word(expected, rsp + 40);
    put_word(expected, rsp + 50);
    put_word(expected, 0);
    put_word(expected, 0);
    put_string(expected, "exit-with");
    put_string(expected, "--status=3");
    expected.resize(64, 0);
    EXPECT_EQ(Bytes(out, out + 64), expected);
}

TEST(ElfStack, NoArgumentsAtAll)
{
    uint8_t out[64];
    std::memset(out, 0xee, sizeof out);
    auto r = elf::build_initial_stack(0x10000000, nullptr, 0, nullptr, 0, out, sizeof out);
    ASSERT_EQ(outcome(r), "ok");
    EXPECT_EQ(r.value().size, 32u); // 3 words, rounded to 16
    EXPECT_EQ(r.value().rsp, 0x10000000u - 32);
    EXPECT_EQ(Bytes(out, out + 32), Bytes(32, 0));
    EXPECT_EQ(out[32], 0xee); // nothing written past the block
}

TEST(ElfStack, EmptyStringsAreStrings)
{
    base::StringView argv[] = { "", "" };
    uint8_t out[64];
    auto r = elf::build_initial_stack(0x10000000, argv, 2, nullptr, 0, out, sizeof out);
    ASSERT_EQ(outcome(r), "ok");
    // 5 words = 40, two NULs: 42, rounded to 48; both pointers name their own NUL.
    ASSERT_EQ(r.value().size, 48u);
    uint64_t p0, p1;
    std::memcpy(&p0, out + 8, 8);
    std::memcpy(&p1, out + 16, 8);
    EXPECT_EQ(p0, r.value().rsp + 40);
    EXPECT_EQ(p1, r.value().rsp + 41);
}

// Reads the block back as a program would, from rsp, with the pointers it holds.
struct ReadBack {
    std::vector<std::string> argv, envp;
};

ReadBack read_back(const uint8_t* out, const elf::StackImage& image, uint64_t top)
{
    ReadBack result;
    auto word = [&](uint64_t vaddr) {
        EXPECT_GE(vaddr, image.rsp);
        EXPECT_LE(vaddr + 8, top);
        uint64_t v;
        std::memcpy(&v, out + (vaddr - image.rsp), 8);
        return v;
    };
    auto string = [&](uint64_t vaddr) {
        EXPECT_GE(vaddr, image.rsp);
        EXPECT_LT(vaddr, top);
        return std::string(reinterpret_cast<const char*>(out + (vaddr - image.rsp)));
    };
    uint64_t at = image.rsp;
    uint64_t argc = word(at);
    at += 8;
    for (uint64_t i = 0; i < argc; ++i, at += 8)
        result.argv.push_back(string(word(at)));
    EXPECT_EQ(word(at), 0u);
    at += 8;
    for (uint64_t p; (p = word(at)) != 0; at += 8)
        result.envp.push_back(string(p));
    return result;
}

TEST(ElfStack, RandomArgumentsReadBack)
{
    std::mt19937 random(5);
    for (int round = 0; round < 200; ++round) {
        std::vector<std::string> argv(random() % 20), envp(random() % 20);
        for (auto* list : { &argv, &envp })
            for (auto& s : *list)
                for (size_t n = random() % 40; n > 0; --n)
                    s.push_back(static_cast<char>('!' + random() % 90));
        std::vector<base::StringView> a, e;
        for (auto& s : argv)
            a.push_back({ s.data(), s.size() });
        for (auto& s : envp)
            e.push_back({ s.data(), s.size() });
        const uint64_t top = 0x7ffffffff000 - 16 * (random() % 1000);
        std::vector<uint8_t> out(elf::max_argument_bytes);
        auto r = elf::build_initial_stack(top, a.data(), a.size(), e.data(), e.size(), out.data(), out.size());
        ASSERT_EQ(outcome(r), "ok");
        EXPECT_EQ(r.value().rsp % 16, 0u);
        EXPECT_EQ(r.value().rsp + r.value().size, top);
        ReadBack back = read_back(out.data(), r.value(), top);
        EXPECT_EQ(back.argv, argv);
        EXPECT_EQ(back.envp, envp);
    }
}

TEST(ElfStack, PackedBlocksGiveTheSameStack)
{
    const std::string argv_block("sh\0-c\0echo hi\0", 14);
    const std::string envp_block("HOME=/\0TERM=vt100", 17); // the last string without its NUL
    EXPECT_EQ(elf::packed_count({ argv_block.data(), argv_block.size() }), 3u);
    EXPECT_EQ(elf::packed_count({ envp_block.data(), envp_block.size() }), 2u);
    EXPECT_EQ(elf::packed_count({ "", 0 }), 0u);
    EXPECT_EQ(elf::packed_count({ "\0", 1 }), 1u);
    EXPECT_EQ(elf::packed_count({ "\0\0", 2 }), 2u);

    uint8_t packed[256], listed[256];
    auto p = elf::build_initial_stack_packed(0x20000000, { argv_block.data(), argv_block.size() },
        { envp_block.data(), envp_block.size() }, packed, sizeof packed);
    base::StringView argv[] = { "sh", "-c", "echo hi" };
    base::StringView envp[] = { "HOME=/", "TERM=vt100" };
    auto l = elf::build_initial_stack(0x20000000, argv, 3, envp, 2, listed, sizeof listed);
    ASSERT_EQ(outcome(p), "ok");
    ASSERT_EQ(outcome(l), "ok");
    ASSERT_EQ(p.value().size, l.value().size);
    EXPECT_EQ(p.value().rsp, l.value().rsp);
    EXPECT_EQ(std::memcmp(packed, listed, p.value().size), 0);
    ReadBack back = read_back(packed, p.value(), 0x20000000);
    EXPECT_EQ(back.argv, (std::vector<std::string> { "sh", "-c", "echo hi" }));
    EXPECT_EQ(back.envp, (std::vector<std::string> { "HOME=/", "TERM=vt100" }));
}

TEST(ElfStack, BadStackTop)
{
    base::StringView argv[] = { "x" };
    uint8_t out[64];
    // The block is 4 words and "x": 34 bytes, 48 rounded; it must stay above page 0.
    for (uint64_t top : { uint64_t(0x10000008), uint64_t(0x10000001), elf::user_space_end + 16, ~uint64_t(15),
             uint64_t(0), uint64_t(0x1000), uint64_t(0x1020) })
        EXPECT_EQ(outcome(elf::build_initial_stack(top, argv, 1, nullptr, 0, out, sizeof out)), "BadStackTop")
            << std::hex << top;
    // The very top of user space, and just enough room above page 0.
    EXPECT_EQ(outcome(elf::build_initial_stack(elf::user_space_end, argv, 1, nullptr, 0, out, sizeof out)), "ok");
    EXPECT_EQ(outcome(elf::build_initial_stack(0x1030, argv, 1, nullptr, 0, out, sizeof out)), "ok");
}

TEST(ElfStack, BufferTooSmall)
{
    base::StringView argv[] = { "a", "bc" };
    base::StringView envp[] = { "X=1" };
    uint8_t out[64];
    EXPECT_EQ(outcome(elf::build_initial_stack(0x10000000, argv, 2, envp, 1, out, 63)), "StackBufferTooSmall");
    EXPECT_EQ(outcome(elf::build_initial_stack(0x10000000, argv, 2, envp, 1, out, 64)), "ok");
    EXPECT_EQ(outcome(elf::build_initial_stack(0x10000000, argv, 2, envp, 1, nullptr, 0)), "StackBufferTooSmall");
}

TEST(ElfStack, ArgumentsTooLong)
{
    std::vector<uint8_t> out(2 * elf::max_argument_bytes);
    // One argument: 4 words (argc, argv[0], 0, 0: 32 bytes) and its NUL leave 65503 bytes for it.
    std::string longest(elf::max_argument_bytes - 33, 'x');
    base::StringView one[] = { { longest.data(), longest.size() } };
    auto r = elf::build_initial_stack(0x10000000, one, 1, nullptr, 0, out.data(), out.size());
    ASSERT_EQ(outcome(r), "ok");
    EXPECT_EQ(r.value().size, elf::max_argument_bytes);
    longest.push_back('x');
    one[0] = { longest.data(), longest.size() };
    EXPECT_EQ(
        outcome(elf::build_initial_stack(0x10000000, one, 1, nullptr, 0, out.data(), out.size())), "ArgumentsTooLong");
    // Many short ones: 8 bytes of pointer and 2 of string each.
    std::vector<base::StringView> many(elf::max_argument_bytes / 10, "y");
    EXPECT_EQ(outcome(elf::build_initial_stack(
                  0x10000000, many.data(), many.size(), many.data(), many.size(), out.data(), out.size())),
        "ArgumentsTooLong");
    // So many empty ones that their pointers alone are too many.
    std::vector<base::StringView> countless(elf::max_argument_bytes, "");
    EXPECT_EQ(outcome(elf::build_initial_stack(
                  0x10000000, countless.data(), countless.size(), nullptr, 0, out.data(), out.size())),
        "ArgumentsTooLong");
    // The environment counts as much as the arguments.
    std::string env(elf::max_argument_bytes, 'e');
    base::StringView envp[] = { { env.data(), env.size() } };
    EXPECT_EQ(
        outcome(elf::build_initial_stack(0x10000000, nullptr, 0, envp, 1, out.data(), out.size())), "ArgumentsTooLong");
}

} // namespace

namespace {

TEST(ElfStack, TheKernelsStackPlace)
{
    EXPECT_EQ(elf::default_stack_top, elf::user_space_end);
    EXPECT_EQ(elf::default_stack_size, 0x20000u);
    EXPECT_GE(elf::default_stack_size, elf::max_argument_bytes); // the arguments always fit in it
}

} // namespace
