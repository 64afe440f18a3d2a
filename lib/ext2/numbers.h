// The numbers the library must not mix up, as distinct types: a block of the filesystem, a block
// group, and a block's index within a file. As SerenityOS's Ext2FS keeps BlockIndex, GroupIndex
// and InodeIndex apart, a group passed where a block is wanted, or a file's logical block where
// the disk's block is wanted, does not compile. On-disk structures (ext2_layout.h) keep their
// plain fields; the code makes a number of the right kind where it reads one.
#pragma once

#include <stdint.h>

#include "base/format.h"

namespace ext2 {

// A number of one kind: made from its raw value explicitly, given back by value(), never
// converted to another kind nor to a plain integer. Its arithmetic is that of positions in a
// sequence: a number plus or minus a count is a number of the same kind, two numbers differ by
// a count, and two numbers do not add.
template<typename Tag, typename T> class DistinctNumber {
public:
    constexpr DistinctNumber() = default;
    constexpr explicit DistinctNumber(T value)
        : m_value(value)
    {
    }
    constexpr T value() const { return m_value; }

    friend constexpr bool operator==(DistinctNumber a, DistinctNumber b) { return a.m_value == b.m_value; }
    friend constexpr bool operator<(DistinctNumber a, DistinctNumber b) { return a.m_value < b.m_value; }
    friend constexpr bool operator<=(DistinctNumber a, DistinctNumber b) { return a.m_value <= b.m_value; }
    friend constexpr bool operator>(DistinctNumber a, DistinctNumber b) { return a.m_value > b.m_value; }
    friend constexpr bool operator>=(DistinctNumber a, DistinctNumber b) { return a.m_value >= b.m_value; }

    friend constexpr DistinctNumber operator+(DistinctNumber a, T count) { return DistinctNumber(a.m_value + count); }
    friend constexpr DistinctNumber operator-(DistinctNumber a, T count) { return DistinctNumber(a.m_value - count); }
    friend constexpr T operator-(DistinctNumber a, DistinctNumber b) { return a.m_value - b.m_value; }
    constexpr DistinctNumber& operator++()
    {
        ++m_value;
        return *this;
    }

private:
    T m_value = 0;
};

// A block of the filesystem, counted from the start of the device in blocks of the filesystem's
// size. Block 0 holds the boot sector (and, with 1 KiB blocks, nothing else): a block map entry
// of 0 is a hole, and a 0 in a sentence means no block is known.
using BlockNumber = DistinctNumber<struct BlockNumberTag, uint32_t>;
// A block group, from 0.
using GroupNumber = DistinctNumber<struct GroupNumberTag, uint32_t>;
// A block of one file's contents, from 0 at the start of the file; its block map turns it into
// a BlockNumber.
using LogicalBlock = DistinctNumber<struct LogicalBlockTag, uint32_t>;

} // namespace ext2

namespace base {

template<typename Tag, typename T> struct Formatter<ext2::DistinctNumber<Tag, T>> {
    static void format(Sink& s, const FormatSpec& spec, ext2::DistinctNumber<Tag, T> n)
    {
        Formatter<T>::format(s, spec, n.value());
    }
};

} // namespace base
