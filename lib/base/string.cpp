// String helpers shared by the host tools and the modules.
#include "base/string_view.h"

namespace base {

size_t string_length(const char* s)
{
    size_t n = 0;
    while (s[n])
        ++n;
    return n;
}

int compare_memory(const void* a, const void* b, size_t n)
{
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (size_t i = 0; i < n; ++i)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

bool parse_unsigned(StringView s, unsigned long long& out)
{
    unsigned base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s = s.substr(2);
    }
    if (s.empty())
        return false;
    unsigned long long v = 0;
    for (char c : s) {
        unsigned d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        if (v > (~0ULL - d) / base)
            return false;
        v = v * base + d;
    }
    out = v;
    return true;
}

} // namespace base
