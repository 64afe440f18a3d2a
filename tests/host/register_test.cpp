// base/register.h against a fake register space: offsets and widths, fields taken apart and put
// together, read-modify-write, the bounded poll and its timeout, and the misuses that must not
// compile (checked with requires-expressions, so that the test fails if they start compiling).
#include <gtest/gtest.h>

#include <cstring>

#include "base/register.h"

namespace {

// A 64-byte register block in memory, little-endian like the hardware the drivers drive; it
// counts accesses so that tests see what a space reads and writes.
struct FakeBlock {
    uint8_t bytes[64] = {};
    unsigned reads = 0;
    unsigned writes = 0;
    // Called before each read: lets a test change the hardware's state while it is polled.
    void (*on_read)(FakeBlock&) = nullptr;
};

struct FakeAccess {
    FakeBlock* block;
    template<typename Word> Word read(size_t offset) const
    {
        ++block->reads;
        if (block->on_read)
            block->on_read(*block);
        Word w;
        std::memcpy(&w, block->bytes + offset, sizeof w);
        return w;
    }
    template<typename Word> void write(size_t offset, Word w) const
    {
        ++block->writes;
        std::memcpy(block->bytes + offset, &w, sizeof w);
    }
};

struct Host { };
struct Port { };

struct Control : base::Register<Host, Control, 0x04, 32> {
    using Reset = Field<0, 1>;
    using Enable = Field<31, 1>;
    using Slots = Field<8, 5>;
};
struct Status : base::Register<Host, Status, 0x08, 8> {
    using Busy = Field<7, 1>;
    using Ready = Field<3, 1>;
    using Low = Field<0, 4>;
};
struct Count : base::Register<Host, Count, 0x0a, 16> { };
// The same offset in another space: a different register altogether.
struct PortCommand : base::Register<Port, PortCommand, 0x04, 32> {
    using Start = Field<0, 1>;
};

using HostSpace = base::RegisterSpace<Host, FakeAccess>;
using PortSpace = base::RegisterSpace<Port, FakeAccess>;

// A bound of a number of pauses, counting them.
struct CountedBound {
    unsigned left;
    unsigned pauses = 0;
    bool expired() const { return left == 0; }
    void pause()
    {
        --left;
        ++pauses;
    }
};

uint32_t word32(const FakeBlock& b, size_t offset)
{
    uint32_t w;
    std::memcpy(&w, b.bytes + offset, 4);
    return w;
}

} // namespace

TEST(Register, FieldMasksAndPlacement)
{
    static_assert(Control::Reset::mask == 0x1u);
    static_assert(Control::Enable::mask == 0x80000000u);
    static_assert(Control::Slots::mask == 0x1f00u);
    static_assert(Control::Slots::bits(0x1f) == 0x1f00u);
    static_assert(Control::Slots::bits(0x25) == 0x0500u); // too wide a value is cut to the field
    static_assert(Status::Busy::mask == 0x80);
    static_assert(sizeof(Status::Word) == 1 && sizeof(Count::Word) == 2 && sizeof(Control::Word) == 4);
    // A field as wide as its register.
    using Whole = Control::Field<0, 32>;
    static_assert(Whole::mask == 0xffffffffu);
    SUCCEED();
}

TEST(Register, ReadsWholeRegistersAtTheirOffsetAndWidth)
{
    FakeBlock b;
    uint32_t control = 0x80001f01;
    std::memcpy(b.bytes + 0x04, &control, 4);
    b.bytes[0x08] = 0x88;
    b.bytes[0x0a] = 0x34;
    b.bytes[0x0b] = 0x12;
    HostSpace space(FakeAccess { &b });
    EXPECT_EQ(space.read<Control>().word(), 0x80001f01u);
    EXPECT_EQ(space.read<Status>().word(), 0x88);
    EXPECT_EQ(space.read<Count>().word(), 0x1234);
}

TEST(Register, ReadsFields)
{
    FakeBlock b;
    uint32_t control = 0x80001501;
    std::memcpy(b.bytes + 0x04, &control, 4);
    HostSpace space(FakeAccess { &b });
    EXPECT_EQ(space.read<Control::Reset>(), 1u);
    EXPECT_EQ(space.read<Control::Enable>(), 1u);
    EXPECT_EQ(space.read<Control::Slots>(), 0x15u);
    auto value = space.read<Control>();
    EXPECT_TRUE(value.has<Control::Reset>());
    EXPECT_EQ(value.get<Control::Slots>(), 0x15u);
}

TEST(Register, WritingAFieldKeepsTheRestOfItsRegister)
{
    FakeBlock b;
    uint32_t control = 0x00001f01;
    std::memcpy(b.bytes + 0x04, &control, 4);
    b.bytes[0x03] = 0xaa; // the byte before and the one after the register stay as they are
    b.bytes[0x08] = 0xbb;
    HostSpace space(FakeAccess { &b });
    space.write<Control::Enable>(1);
    EXPECT_EQ(word32(b, 0x04), 0x80001f01u);
    space.write<Control::Slots>(0x02);
    EXPECT_EQ(word32(b, 0x04), 0x80000201u);
    space.write<Control::Reset>(0);
    EXPECT_EQ(word32(b, 0x04), 0x80000200u);
    EXPECT_EQ(b.bytes[0x03], 0xaa);
    EXPECT_EQ(b.bytes[0x08], 0xbb);
    // A read-modify-write is one read and one write.
    b.reads = b.writes = 0;
    space.write<Status::Low>(0x5);
    EXPECT_EQ(b.reads, 1u);
    EXPECT_EQ(b.writes, 1u);
    EXPECT_EQ(b.bytes[0x08], 0xb5);
}

TEST(Register, WritesWholeRegistersWithoutReading)
{
    FakeBlock b;
    HostSpace space(FakeAccess { &b });
    space.write<Control>(0xffffffffu);
    space.write<Count>(base::RegisterValue<Count>().set<Count::Field<4, 8>>(0xab));
    EXPECT_EQ(b.reads, 0u);
    EXPECT_EQ(word32(b, 0x04), 0xffffffffu);
    EXPECT_EQ(b.bytes[0x0a], 0xb0);
    EXPECT_EQ(b.bytes[0x0b], 0x0a);
}

TEST(Register, SpacesOfTheSameOffsetsAreApart)
{
    FakeBlock host, port;
    HostSpace h(FakeAccess { &host });
    PortSpace p(FakeAccess { &port });
    p.write<PortCommand::Start>(1);
    EXPECT_EQ(word32(port, 0x04), 1u);
    EXPECT_EQ(word32(host, 0x04), 0u);
}

TEST(RegisterPoll, EndsAtOnceWhenTheFieldHoldsTheValue)
{
    FakeBlock b;
    HostSpace space(FakeAccess { &b });
    CountedBound bound { 5 };
    EXPECT_FALSE(space.wait_for<Status::Busy>(0, bound).is_error());
    EXPECT_EQ(bound.pauses, 0u);
}

TEST(RegisterPoll, WaitsUntilTheFieldChanges)
{
    FakeBlock b;
    b.bytes[0x08] = 0x80;
    // The device leaves busy on the fourth read.
    b.on_read = [](FakeBlock& f) {
        if (f.reads == 4)
            f.bytes[0x08] = 0x08;
    };
    HostSpace space(FakeAccess { &b });
    CountedBound bound { 10 };
    auto r = space.wait_for<Status::Busy>(0, bound);
    EXPECT_FALSE(r.is_error());
    EXPECT_EQ(b.reads, 4u);
    EXPECT_EQ(bound.pauses, 3u);
}

TEST(RegisterPoll, TimesOutWithATypedErrorAfterItsBound)
{
    FakeBlock b;
    b.bytes[0x08] = 0x80;
    HostSpace space(FakeAccess { &b });
    CountedBound bound { 3 };
    auto r = space.wait_for<Status::Busy>(0, bound, "the device stays busy");
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(base::is_timeout(r.error()));
    EXPECT_STREQ(r.error().context(), "the device stays busy");
    EXPECT_EQ(bound.pauses, 3u);
    // The bound's last read counts: three pauses, four reads.
    EXPECT_EQ(b.reads, 4u);
    EXPECT_FALSE(base::is_timeout(base::Error(2500)));
}

TEST(RegisterPoll, ALastReadAfterTheBoundStillSucceeds)
{
    FakeBlock b;
    b.bytes[0x08] = 0x80;
    b.on_read = [](FakeBlock& f) {
        if (f.reads == 3)
            f.bytes[0x08] = 0;
    };
    HostSpace space(FakeAccess { &b });
    CountedBound bound { 2 };
    EXPECT_FALSE(space.wait_for<Status::Busy>(0, bound).is_error());
    EXPECT_EQ(bound.pauses, 2u);
}

TEST(RegisterPoll, SeveralFieldsOfOneRegisterAtOnce)
{
    FakeBlock b;
    b.bytes[0x08] = 0x08; // not busy, but ready is set
    HostSpace space(FakeAccess { &b });
    auto r = space.wait_for<Status::Busy, Status::Ready>(0, CountedBound { 2 });
    EXPECT_TRUE(r.is_error());
    b.bytes[0x08] = 0x01;
    EXPECT_FALSE((space.wait_for<Status::Busy, Status::Ready>(0, CountedBound { 2 }).is_error()));
    // A multi-bit field compares the whole value.
    EXPECT_FALSE(space.wait_for<Status::Low>(1, CountedBound { 0 }).is_error());
    EXPECT_TRUE(space.wait_for<Status::Low>(3, CountedBound { 0 }).is_error());
}

TEST(RegisterPoll, WaitUntilReturnsTheValueThatEndedTheWait)
{
    FakeBlock b;
    b.bytes[0x08] = 0x80;
    b.on_read = [](FakeBlock& f) {
        if (f.reads == 3)
            f.bytes[0x08] = 0x09; // ready, with the low bit set
    };
    HostSpace space(FakeAccess { &b });
    // Not busy and either of two bits: a condition no single value of the fields states.
    auto ready = [](base::RegisterValue<Status> s) { return !s.has<Status::Busy>() && (s.word() & 0x09) != 0; };
    auto r = space.wait_until<Status>(ready, CountedBound { 5 });
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r.value().word(), 0x09);
    EXPECT_EQ(b.reads, 3u);

    b.bytes[0x08] = 0x80;
    b.on_read = nullptr;
    auto late = space.wait_until<Status>(ready, CountedBound { 2 }, "never ready");
    ASSERT_TRUE(late.is_error());
    EXPECT_TRUE(base::is_timeout(late.error()));
}

// ---- What must not compile ------------------------------------------------------------------------

template<typename Space, typename R>
concept CanRead = requires(const Space& s)
{
    s.template read<R>();
};
template<typename Space, typename F>
concept CanWriteField = requires(const Space& s)
{
    s.template write<F>(uint64_t(1));
};
template<typename Space, typename F>
concept CanWait = requires(const Space& s)
{
    s.template wait_for<F>(0, CountedBound { 1 });
};
template<typename Space, typename F, typename G>
concept CanWaitBoth = requires(const Space& s)
{
    s.template wait_for<F, G>(0, CountedBound { 1 });
};
template<typename R, typename F>
concept CanGet = requires(base::RegisterValue<R> v)
{
    v.template get<F>();
};
template<typename R, typename F>
concept CanSet = requires(base::RegisterValue<R> v)
{
    v.template set<F>(1);
};

TEST(RegisterMisuse, AFieldOfOneRegisterDoesNotApplyToAnother)
{
    // The right uses compile...
    static_assert(CanGet<Control, Control::Slots>);
    static_assert(CanSet<Status, Status::Busy>);
    static_assert(CanWaitBoth<HostSpace, Status::Busy, Status::Ready>);
    // ...a field taken to another register's value does not,
    static_assert(!CanGet<Status, Control::Slots>);
    static_assert(!CanSet<Control, Status::Busy>);
    // nor does a poll on fields of two registers at once,
    static_assert(!CanWaitBoth<HostSpace, Status::Busy, Control::Reset>);
    // nor a field of a register of the same offset and width in another space.
    static_assert(!CanGet<Control, PortCommand::Start>);
    SUCCEED();
}

TEST(RegisterMisuse, ARegisterBelongsToItsSpace)
{
    static_assert(CanRead<HostSpace, Control>);
    static_assert(CanRead<HostSpace, Control::Reset>);
    static_assert(CanWait<HostSpace, Status::Busy>);
    static_assert(!CanRead<PortSpace, Control>);
    static_assert(!CanRead<HostSpace, PortCommand>);
    static_assert(!CanWriteField<HostSpace, PortCommand::Start>);
    static_assert(!CanWait<PortSpace, Status::Busy>);
    // Not a register at all.
    static_assert(!CanRead<HostSpace, int>);
    SUCCEED();
}

template<typename R, unsigned Shift, unsigned Width>
concept HasField = requires
{
    typename R::template Field<Shift, Width>;
};

TEST(RegisterMisuse, AFieldMustFitItsRegister)
{
    static_assert(HasField<Control, 28, 4>);
    static_assert(!HasField<Control, 30, 4>);
    static_assert(!HasField<Control, 0, 0>);
    static_assert(HasField<Status, 0, 8>);
    static_assert(!HasField<Status, 0, 9>);
    SUCCEED();
}
