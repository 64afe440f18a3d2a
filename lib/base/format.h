// Type-safe text formatting with "{}" placeholders, for the console of every module and for the
// host tools. Spec: {[:][<][0][width][x|X|d|c]} and {:#x} for a 0x prefix. Extend a type with
// a Formatter<T> specialisation.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/string_view.h"

namespace base {

class Sink {
public:
    virtual void write(const char* data, size_t size) = 0;
    void put(char c) { write(&c, 1); }
    void put(StringView s) { write(s.data(), s.size()); }

protected:
    ~Sink() = default;
};

struct FormatSpec {
    char type = 0;
    bool alternate = false;
    bool zero_pad = false;
    bool left_align = false;
    unsigned width = 0;
};

void format_unsigned(Sink&, const FormatSpec&, unsigned long long value, bool negative = false);
void format_signed(Sink&, const FormatSpec&, long long value);
void format_string(Sink&, const FormatSpec&, StringView value);

template<typename T, typename = void> struct Formatter;

template<typename T> struct Formatter<T, decltype(void(static_cast<unsigned long long>(T {})), void())> {
    static void format(Sink& s, const FormatSpec& spec, const T& v)
    {
        if constexpr (static_cast<T>(-1) < static_cast<T>(0))
            format_signed(s, spec, static_cast<long long>(v));
        else
            format_unsigned(s, spec, static_cast<unsigned long long>(v));
    }
};

template<> struct Formatter<bool> {
    static void format(Sink& s, const FormatSpec& spec, bool v) { format_string(s, spec, v ? "true" : "false"); }
};

template<> struct Formatter<char> {
    static void format(Sink& s, const FormatSpec& spec, char v)
    {
        if (spec.type == 'x' || spec.type == 'X' || spec.type == 'd')
            format_unsigned(s, spec, static_cast<unsigned char>(v));
        else
            format_string(s, spec, StringView(&v, 1));
    }
};

template<> struct Formatter<StringView> {
    static void format(Sink& s, const FormatSpec& spec, StringView v) { format_string(s, spec, v); }
};

template<> struct Formatter<const char*> {
    static void format(Sink& s, const FormatSpec& spec, const char* v)
    {
        format_string(s, spec, v ? StringView(v) : StringView("(null)"));
    }
};
template<> struct Formatter<char*> : Formatter<const char*> {
};
template<size_t N> struct Formatter<char[N]> {
    static void format(Sink& s, const FormatSpec& spec, const char (&v)[N]) { format_string(s, spec, StringView(v)); }
};
template<size_t N> struct Formatter<BoundedString<N>> {
    static void format(Sink& s, const FormatSpec& spec, const BoundedString<N>& v) { format_string(s, spec, v.view()); }
};

template<typename T> struct Formatter<T*> {
    static void format(Sink& s, const FormatSpec&, T* v)
    {
        FormatSpec hex;
        hex.type = 'x';
        hex.alternate = true;
        format_unsigned(s, hex, reinterpret_cast<uintptr_t>(v));
    }
};

struct FormatArgument {
    const void* value;
    void (*print)(Sink&, const FormatSpec&, const void*);
};

template<typename T> FormatArgument make_argument(const T& v)
{
    return { &v, [](Sink& s, const FormatSpec& spec, const void* p) {
                Formatter<T>::format(s, spec, *static_cast<const T*>(p));
            } };
}

void format_arguments(Sink&, StringView fmt, const FormatArgument* args, size_t count);

template<typename... Args> void format(Sink& s, StringView fmt, const Args&... args)
{
    if constexpr (sizeof...(Args) == 0) {
        format_arguments(s, fmt, nullptr, 0);
    } else {
        const FormatArgument list[] = { make_argument(args)... };
        format_arguments(s, fmt, list, sizeof...(Args));
    }
}

// Formats into a fixed buffer; output beyond its capacity is dropped and remembered.
template<size_t N> class BufferSink final : public Sink {
public:
    void write(const char* data, size_t size) override
    {
        for (size_t i = 0; i < size; ++i) {
            if (m_size + 1 >= N) {
                m_truncated = true;
                break;
            }
            m_data[m_size++] = data[i];
        }
        m_data[m_size] = 0;
    }
    StringView view() const { return { m_data, m_size }; }
    const char* c_str() const { return m_data; }
    bool truncated() const { return m_truncated; }
    void clear()
    {
        m_size = 0;
        m_data[0] = 0;
    }

private:
    char m_data[N] = {};
    size_t m_size = 0;
    bool m_truncated = false;
};

template<size_t N = 256, typename... Args> BoundedString<N> formatted(StringView fmt, const Args&... args)
{
    BufferSink<N> sink;
    format(sink, fmt, args...);
    return BoundedString<N>(sink.view());
}

} // namespace base
