// The formatting engine behind base::format.
#include "base/format.h"

namespace base {

static void pad(Sink& s, char c, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        s.put(c);
}

void format_unsigned(Sink& s, const FormatSpec& spec, unsigned long long value, bool negative)
{
    char digits[32];
    size_t n = 0;
    unsigned base = (spec.type == 'x' || spec.type == 'X') ? 16 : 10;
    const char* alphabet = spec.type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[n++] = alphabet[value % base];
        value /= base;
    } while (value);
    size_t prefix = (negative ? 1 : 0) + (spec.alternate && base == 16 ? 2 : 0);
    size_t total = prefix + n;
    size_t fill = spec.width > total ? spec.width - total : 0;
    if (!spec.left_align && !spec.zero_pad)
        pad(s, ' ', fill);
    if (negative)
        s.put('-');
    if (spec.alternate && base == 16)
        s.put(StringView("0x"));
    if (!spec.left_align && spec.zero_pad)
        pad(s, '0', fill);
    while (n)
        s.put(digits[--n]);
    if (spec.left_align)
        pad(s, ' ', fill);
}

void format_signed(Sink& s, const FormatSpec& spec, long long value)
{
    if (value < 0 && spec.type != 'x' && spec.type != 'X')
        format_unsigned(s, spec, 0ULL - static_cast<unsigned long long>(value), true);
    else
        format_unsigned(s, spec, static_cast<unsigned long long>(value));
}

void format_string(Sink& s, const FormatSpec& spec, StringView value)
{
    size_t fill = spec.width > value.size() ? spec.width - value.size() : 0;
    if (!spec.left_align)
        pad(s, ' ', fill);
    s.put(value);
    if (spec.left_align)
        pad(s, ' ', fill);
}

// Parses the inside of a placeholder, after the braces are removed.
static FormatSpec parse_spec(StringView text)
{
    FormatSpec spec;
    size_t i = 0;
    if (i < text.size() && text[i] == ':')
        ++i;
    if (i < text.size() && text[i] == '<') {
        spec.left_align = true;
        ++i;
    }
    if (i < text.size() && text[i] == '#') {
        spec.alternate = true;
        ++i;
    }
    if (i < text.size() && text[i] == '0') {
        spec.zero_pad = true;
        ++i;
    }
    while (i < text.size() && text[i] >= '0' && text[i] <= '9')
        spec.width = spec.width * 10 + (text[i++] - '0');
    if (i < text.size())
        spec.type = text[i];
    return spec;
}

void format_arguments(Sink& s, StringView fmt, const FormatArgument* args, size_t count)
{
    size_t next = 0;
    size_t i = 0;
    while (i < fmt.size()) {
        char c = fmt[i];
        if (c == '{' && i + 1 < fmt.size() && fmt[i + 1] == '{') {
            s.put('{');
            i += 2;
            continue;
        }
        if (c == '}' && i + 1 < fmt.size() && fmt[i + 1] == '}') {
            s.put('}');
            i += 2;
            continue;
        }
        if (c == '{') {
            size_t close = i + 1;
            while (close < fmt.size() && fmt[close] != '}')
                ++close;
            FormatSpec spec = parse_spec(fmt.substr(i + 1, close - i - 1));
            if (next < count) {
                args[next].print(s, spec, args[next].value);
                ++next;
            } else {
                s.put(StringView("{?}"));
            }
            i = close + 1;
            continue;
        }
        s.put(c);
        ++i;
    }
}

} // namespace base
