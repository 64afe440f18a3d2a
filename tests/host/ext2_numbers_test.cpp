// The library's distinct numbers (ext2/numbers.h): a block, a group and a file's logical block
// do not convert into one another nor from or to plain integers, so a mix-up does not compile;
// a number moves by a count, and two numbers of one kind differ by a count.
#include <gtest/gtest.h>

#include <stdint.h>

#include <type_traits>

#include "base/format.h"
#include "ext2/numbers.h"

using ext2::BlockNumber;
using ext2::GroupNumber;
using ext2::LogicalBlock;

namespace {

template<typename A, typename B>
concept Addable = requires(A a, B b)
{
    a + b;
};
template<typename A, typename B>
concept Comparable = requires(A a, B b)
{
    a == b;
};

// One kind never stands for another.
static_assert(!std::is_convertible_v<GroupNumber, BlockNumber>);
static_assert(!std::is_convertible_v<LogicalBlock, BlockNumber>);
static_assert(!std::is_convertible_v<BlockNumber, LogicalBlock>);
static_assert(!std::is_constructible_v<BlockNumber, GroupNumber>);
static_assert(!Comparable<BlockNumber, LogicalBlock>);
static_assert(!Comparable<BlockNumber, uint32_t>);
// A plain integer becomes a number only when asked to, and a number is never a plain integer.
static_assert(!std::is_convertible_v<uint32_t, BlockNumber>);
static_assert(std::is_constructible_v<BlockNumber, uint32_t>);
static_assert(!std::is_convertible_v<BlockNumber, uint32_t>);
// Positions, not quantities: a number plus a count, never two numbers added.
static_assert(Addable<BlockNumber, uint32_t>);
static_assert(!Addable<BlockNumber, BlockNumber>);
static_assert(!Addable<BlockNumber, GroupNumber>);
// Nothing more than the raw value.
static_assert(sizeof(BlockNumber) == sizeof(uint32_t));
static_assert(std::is_trivially_copyable_v<BlockNumber>);

TEST(Ext2Numbers, ANumberMovesByACountAndTwoNumbersDifferByOne)
{
    BlockNumber first(100);
    BlockNumber last = first + 7;
    EXPECT_EQ(last.value(), 107u);
    EXPECT_EQ(last - first, 7u);
    EXPECT_EQ((last - 7).value(), 100u);
    EXPECT_TRUE(first < last);
    EXPECT_TRUE(last >= first);
    EXPECT_FALSE(first == last);
    LogicalBlock l(0);
    ++l;
    EXPECT_EQ(l, LogicalBlock(1));
    EXPECT_EQ(BlockNumber(), BlockNumber(0));
}

TEST(Ext2Numbers, ANumberIsFormattedAsItsValue)
{
    base::BufferSink<64> s;
    base::format(s, "block {} of group {:#x}", BlockNumber(4097), GroupNumber(26));
    EXPECT_EQ(std::string(s.view().data(), s.view().size()), "block 4097 of group 0x1a");
}

} // namespace
