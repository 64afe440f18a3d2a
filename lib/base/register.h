// Hardware registers declared once, as types: a register is an offset and a width in one register
// space, a field a shift and a width inside one register. A space reads and writes them through an
// access policy (memory-mapped, I/O ports, a fake in the host tests) and polls a field with a bound.
// The types keep a field to its own register and a register to its own space: using one on another
// does not compile.
//
//     struct PortSpace {};
//     template<typename Self, size_t Offset> using PortRegister = base::Register<PortSpace, Self, Offset, 32>;
//     struct Cmd : PortRegister<Cmd, 0x18> {
//         using Start = Field<0, 1>;
//     };
//     space.write<Cmd::Start>(1);
//     TRY(space.wait_for<Cmd::ListRunning>(0, bound));
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <type_traits>

#include "base/result.h"
#include "base/status.h"

namespace base {

template<unsigned Bits> struct RegisterWord;
template<> struct RegisterWord<8> {
    using Type = uint8_t;
};
template<> struct RegisterWord<16> {
    using Type = uint16_t;
};
template<> struct RegisterWord<32> {
    using Type = uint32_t;
};
template<> struct RegisterWord<64> {
    using Type = uint64_t;
};

// A register of `Space` at `Offset`, `Bits` wide. `Self` is the register's own type, so that each
// of its fields knows the one register it belongs to.
template<typename Space_, typename Self, size_t Offset, unsigned Bits> struct Register {
    using Space = Space_;
    using Word = typename RegisterWord<Bits>::Type;
    static constexpr size_t offset = Offset;
    static constexpr unsigned width = Bits;

    // `Width` bits from bit `Shift` of the register; a field that does not fit does not compile.
    template<unsigned Shift, unsigned Width>
    requires(Width > 0 && Shift + Width <= Bits) struct Field {
        using Owner = Self;
        using Word = typename RegisterWord<Bits>::Type;
        static constexpr unsigned shift = Shift;
        static constexpr unsigned width = Width;
        static constexpr Word mask
            = static_cast<Word>((Width == Bits ? ~uint64_t(0) : (uint64_t(1) << Width) - 1) << Shift);

        // The register word that holds `value` in this field and zeros elsewhere.
        static constexpr Word bits(uint64_t value) { return static_cast<Word>((value << Shift) & mask); }
    };
};

template<typename T>
concept FieldType = requires
{
    typename T::Owner;
    T::shift;
    T::mask;
};

template<typename T>
concept HasRegisterMembers = requires
{
    typename T::Space;
    typename T::Word;
    T::offset;
};

// A register; a field (whose Word it shares) never counts as one.
template<typename T>
concept RegisterType = HasRegisterMembers<T> && !FieldType<T>;

template<typename F, typename R>
concept FieldOf = FieldType<F> && RegisterType<R> && std::is_same_v<typename F::Owner, R>;

// A register of space S, a field of a register of space S.
template<typename R, typename S>
concept RegisterIn = RegisterType<R> && std::is_same_v<typename R::Space, S>;
template<typename F, typename S>
concept FieldIn = FieldType<F> && std::is_same_v<typename F::Owner::Space, S>;

// One value of register `R`, as read or to be written: its fields taken apart and put together.
template<RegisterType R> class RegisterValue {
public:
    using Word = typename R::Word;

    constexpr RegisterValue() = default;
    constexpr explicit RegisterValue(Word word)
        : m_word(word)
    {
    }

    constexpr Word word() const { return m_word; }

    template<FieldOf<R> F> constexpr Word get() const { return static_cast<Word>((m_word & F::mask) >> F::shift); }

    template<FieldOf<R> F> constexpr RegisterValue& set(uint64_t value)
    {
        m_word = static_cast<Word>((m_word & ~F::mask) | F::bits(value));
        return *this;
    }

    // Whether any bit of the field is set: for one-bit flags, whether the flag is.
    template<FieldOf<R> F> constexpr bool has() const { return (m_word & F::mask) != 0; }

private:
    Word m_word = 0;
};

// What ends a poll: `expired()` once the bound is used up, `pause()` between two reads.
template<typename T>
concept PollBound = requires(T& bound)
{
    static_cast<bool>(bound.expired());
    bound.pause();
};

// The status a poll that ran out of its bound returns (KERN_TIMEDOUT): a caller tells a timeout
// from a failure by it.
constexpr int poll_timed_out = status::timed_out;

inline bool is_timeout(const Error& e)
{
    return e.code() == poll_timed_out;
}

// The registers of one space, reached through `Access`, which provides
// `template<typename Word> Word read(size_t offset) const` and
// `template<typename Word> void write(size_t offset, Word) const`.
template<typename Space, typename Access> class RegisterSpace {
public:
    constexpr RegisterSpace() = default;
    constexpr explicit RegisterSpace(Access access)
        : m_access(access)
    {
    }

    const Access& access() const { return m_access; }

    template<RegisterIn<Space> R> RegisterValue<R> read() const
    {
        return RegisterValue<R>(m_access.template read<typename R::Word>(R::offset));
    }

    template<FieldIn<Space> F> typename F::Word read() const { return read<typename F::Owner>().template get<F>(); }

    template<RegisterIn<Space> R> void write(RegisterValue<R> value) const
    {
        m_access.template write<typename R::Word>(R::offset, value.word());
    }

    // A whole register, from a word: for registers whose bits mean "write one to clear".
    template<RegisterIn<Space> R> void write(typename R::Word word) const { write(RegisterValue<R>(word)); }

    // One field, the rest of its register unchanged (read, modify, write).
    template<FieldIn<Space> F> void write(uint64_t value) const
    {
        using R = typename F::Owner;
        write(read<R>().template set<F>(value));
    }

    // Reads until every one of `Fields` (all of one register) holds `value`, as long as `bound`
    // lasts; the register is read once more when the bound ran out, so that a wait that ends
    // just then is not a timeout. A timeout is the error poll_timed_out.
    template<FieldIn<Space> First, FieldOf<typename First::Owner>... Rest, PollBound Bound>
    Result<void> wait_for(uint64_t value, Bound&& bound, const char* what = "a register poll ran out of time") const
    {
        auto done = wait_until<typename First::Owner>(
            [value](RegisterValue<typename First::Owner> v) { return holds<First, Rest...>(v, value); }, bound, what);
        if (done.is_error())
            return done.error();
        return {};
    }

    // Reads register R until `ready(value)` holds, as long as `bound` lasts, and returns the value
    // that ended the wait: for conditions that are not one value of some fields.
    template<RegisterIn<Space> R, typename Ready, PollBound Bound>
    Result<RegisterValue<R>> wait_until(
        Ready ready, Bound&& bound, const char* what = "a register poll ran out of time") const
    {
        for (;;) {
            bool expired = bound.expired();
            auto v = read<R>();
            if (ready(v))
                return v;
            if (expired)
                return Error(poll_timed_out, what);
            bound.pause();
        }
    }

private:
    template<typename... Fields, typename R> static bool holds(RegisterValue<R> v, uint64_t value)
    {
        return ((v.template get<Fields>() == (value & (Fields::mask >> Fields::shift))) && ...);
    }

    Access m_access {};
};

} // namespace base
