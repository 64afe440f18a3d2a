// The guest's memcpy/memmove/memset/memcmp (runtime/bytes.h) against the C library, on every
// length and alignment around a word and on overlapping moves in both directions.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "runtime/bytes.h"

namespace {

std::vector<unsigned char> random_bytes(size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::vector<unsigned char> v(n);
    for (auto& b : v)
        b = static_cast<unsigned char>(rng());
    return v;
}

constexpr size_t room = 96;

TEST(RuntimeBytes, CopyEveryLengthAndAlignment)
{
    auto source = random_bytes(room, 1);
    for (size_t from = 0; from < 9; ++from)
        for (size_t to = 0; to < 9; ++to)
            for (size_t n = 0; n + from < room && n + to < room; ++n) {
                auto ours = random_bytes(room, 2), theirs = ours;
                runtime::bytes::copy(ours.data() + to, source.data() + from, n);
                std::memcpy(theirs.data() + to, source.data() + from, n);
                ASSERT_EQ(ours, theirs) << "from " << from << " to " << to << " n " << n;
            }
}

TEST(RuntimeBytes, MoveOverlappingBothWays)
{
    for (size_t from = 0; from < 24; ++from)
        for (size_t to = 0; to < 24; ++to)
            for (size_t n = 0; n + from < room && n + to < room; ++n) {
                auto ours = random_bytes(room, 3), theirs = ours;
                runtime::bytes::move(ours.data() + to, ours.data() + from, n);
                std::memmove(theirs.data() + to, theirs.data() + from, n);
                ASSERT_EQ(ours, theirs) << "from " << from << " to " << to << " n " << n;
            }
}

TEST(RuntimeBytes, FillEveryLengthAndAlignment)
{
    for (size_t at = 0; at < 9; ++at)
        for (size_t n = 0; n + at < room; ++n) {
            auto ours = random_bytes(room, 4), theirs = ours;
            runtime::bytes::fill(ours.data() + at, 0xa5, n);
            std::memset(theirs.data() + at, 0xa5, n);
            ASSERT_EQ(ours, theirs) << "at " << at << " n " << n;
        }
}

int sign(int v)
{
    return (v > 0) - (v < 0);
}

TEST(RuntimeBytes, CompareFindsTheFirstDifference)
{
    auto a = random_bytes(room, 5);
    for (size_t n = 0; n < room; ++n)
        for (size_t at = 0; at <= n; ++at) {
            auto b = a;
            if (at < n)
                b[at] = static_cast<unsigned char>(b[at] + 1 + at % 200);
            ASSERT_EQ(runtime::bytes::compare(a.data(), b.data(), n), sign(std::memcmp(a.data(), b.data(), n)))
                << "n " << n << " at " << at;
            ASSERT_EQ(runtime::bytes::compare(b.data(), a.data(), n), sign(std::memcmp(b.data(), a.data(), n)));
        }
}

} // namespace
