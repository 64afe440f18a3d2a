// A minimal non-owning string view for code that runs both on the host and on Mach, where the
// C++ library's own string types are not available.
#pragma once

#include <stddef.h>

namespace base {

size_t string_length(const char* s);
int compare_memory(const void* a, const void* b, size_t n);

class StringView {
public:
    constexpr StringView() = default;
    constexpr StringView(const char* s, size_t n)
        : m_data(s)
        , m_size(n)
    {
    }
    StringView(const char* s)
        : m_data(s)
        , m_size(s ? string_length(s) : 0)
    {
    }

    constexpr const char* data() const { return m_data; }
    constexpr size_t size() const { return m_size; }
    constexpr bool empty() const { return m_size == 0; }
    constexpr char operator[](size_t i) const { return m_data[i]; }
    constexpr const char* begin() const { return m_data; }
    constexpr const char* end() const { return m_data + m_size; }

    constexpr StringView substr(size_t from, size_t n = static_cast<size_t>(-1)) const
    {
        if (from > m_size)
            from = m_size;
        if (n > m_size - from)
            n = m_size - from;
        return { m_data + from, n };
    }
    bool starts_with(StringView p) const
    {
        return p.m_size <= m_size && compare_memory(m_data, p.m_data, p.m_size) == 0;
    }
    // Index of the first c, or size() when there is none.
    size_t find(char c) const
    {
        for (size_t i = 0; i < m_size; ++i)
            if (m_data[i] == c)
                return i;
        return m_size;
    }
    bool operator==(StringView o) const { return m_size == o.m_size && compare_memory(m_data, o.m_data, m_size) == 0; }

private:
    const char* m_data = "";
    size_t m_size = 0;
};

// Copies s into a fixed buffer of N bytes, always terminated; longer input is cut.
template<size_t N> class BoundedString {
public:
    BoundedString() { m_data[0] = 0; }
    BoundedString(StringView s) { assign(s); }
    void assign(StringView s)
    {
        size_t n = s.size() < N - 1 ? s.size() : N - 1;
        for (size_t i = 0; i < n; ++i)
            m_data[i] = s[i];
        m_data[n] = 0;
        m_size = n;
    }
    const char* c_str() const { return m_data; }
    StringView view() const { return { m_data, m_size }; }
    size_t size() const { return m_size; }
    static constexpr size_t capacity() { return N - 1; }

private:
    char m_data[N];
    size_t m_size = 0;
};

// Parses an unsigned number in decimal, or in hex with a 0x prefix. False on anything else,
// on an empty string and on overflow.
bool parse_unsigned(StringView s, unsigned long long& out);

} // namespace base
