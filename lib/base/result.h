// Errors are values: Result<T> holds a T or an Error (base/error.h: a code, its domain and a
// short static note of what failed). Reading the value of an error, or the error of a value,
// traps (a bug, not a state to handle).
#pragma once

#include <new>
#include <utility>

#include "base/error.h"

namespace base {

template<typename T> class [[nodiscard]] Result {
public:
    Result(T value)
        : m_ok(true)
    {
        new (&m_value) T(std::move(value));
    }
    Result(Error error)
        : m_ok(false)
    {
        new (&m_error) Error(error);
    }
    Result(Result&& o)
        : m_ok(o.m_ok)
    {
        if (m_ok)
            new (&m_value) T(std::move(o.m_value));
        else
            new (&m_error) Error(o.m_error);
    }
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;
    ~Result()
    {
        if (m_ok)
            m_value.~T();
    }

    // Each traps when the Result is not in the state it asks for: reading a value that is not
    // there, or an error that is not, is a bug, caught where it happens.
    bool is_error() const { return !m_ok; }
    Error error() const
    {
        expect(!m_ok);
        return m_error;
    }
    T& value()
    {
        expect(m_ok);
        return m_value;
    }
    const T& value() const
    {
        expect(m_ok);
        return m_value;
    }
    T release_value()
    {
        expect(m_ok);
        return std::move(m_value);
    }

private:
    static void expect(bool state)
    {
        if (!state)
            __builtin_trap();
    }
    bool m_ok;
    union {
        T m_value;
        Error m_error;
    };
};

template<> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error)
        : m_ok(false)
        , m_error(error)
    {
    }
    bool is_error() const { return !m_ok; }
    Error error() const
    {
        if (m_ok)
            __builtin_trap(); // asking a success for its error is a bug
        return m_error;
    }
    void release_value() { }

private:
    bool m_ok = true;
    Error m_error { 0 };
};

} // namespace base

// Evaluates a Result; on error returns the error from the enclosing function, else yields the value.
#define TRY(expression)                                                                                                \
    ({                                                                                                                 \
        auto _try_result = (expression);                                                                               \
        if (_try_result.is_error())                                                                                    \
            return _try_result.error();                                                                                \
        _try_result.release_value();                                                                                   \
    })

// Evaluates a Result whose failure would be a bug (a call that cannot fail where it is made):
// traps on an error, else yields the value.
#define MUST(expression)                                                                                               \
    ({                                                                                                                 \
        auto _must_result = (expression);                                                                              \
        if (_must_result.is_error())                                                                                   \
            __builtin_trap();                                                                                          \
        _must_result.release_value();                                                                                  \
    })

// Turns a kern_return_t into a Result<void> with a note of what was being done.
#define MACH_TRY(call, what)                                                                                           \
    ({                                                                                                                 \
        int _mach_code = (call);                                                                                       \
        if (_mach_code != 0)                                                                                           \
            return ::base::Error(_mach_code, what);                                                                    \
    })
