// Parsing of --name=value options for modules and host tools.
#include "base/options.h"
#include "base/status.h"

namespace base {

using base::status::invalid_argument;

void OptionParser::add_flag(StringView name, bool& out, StringView help)
{
    if (m_option_count < max_options)
        m_options[m_option_count++] = Option { name, false, {}, OptionKind::Flag, &out, help, false, {} };
}

void OptionParser::add_text(StringView name, StringView& out, StringView help)
{
    if (m_option_count < max_options)
        m_options[m_option_count++] = Option { name, false, {}, OptionKind::Text, &out, help, false, {} };
}

void OptionParser::add_number(StringView name, unsigned long long& out, StringView help)
{
    if (m_option_count < max_options)
        m_options[m_option_count++] = Option { name, false, {}, OptionKind::Number, &out, help, false, {} };
}

void OptionParser::add_alias(StringView alias, StringView name)
{
    if (m_option_count < max_options)
        m_options[m_option_count++] = Option { alias, false, name, OptionKind::Flag, nullptr, {}, false, {} };
}

void OptionParser::add_short(char letter, StringView name)
{
    // The letter's text must outlive the parser: it points into a table of all letters.
    static constexpr char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; letters[i]; ++i) {
        if (letters[i] == letter && m_option_count < max_options) {
            m_options[m_option_count++]
                = Option { StringView(&letters[i], 1), true, name, OptionKind::Flag, nullptr, {}, false, {} };
            return;
        }
    }
}

OptionParser::Option* OptionParser::find(StringView name, bool is_short)
{
    for (size_t i = 0; i < m_option_count; ++i)
        if (m_options[i].name == name && m_options[i].is_short == is_short)
            return &m_options[i];
    return nullptr;
}

const OptionParser::Option* OptionParser::find(StringView name) const
{
    return const_cast<OptionParser*>(this)->find(name);
}

OptionParser::Option* OptionParser::resolve(Option* o)
{
    // Aliases point at one real option; follow at most a few steps so a cycle cannot loop.
    for (int i = 0; o && !o->alias_of.empty() && i < 4; ++i)
        o = find(o->alias_of);
    return o && o->alias_of.empty() ? o : nullptr;
}

Result<void> OptionParser::fail(StringView why, StringView name, StringView value)
{
    BufferSink<160> s;
    if (value.empty())
        format(s, "option '--{}' {}", name, why);
    else
        format(s, "option '--{}': '{}' {}", name, value, why);
    m_error.assign(s.view());
    return Error(invalid_argument, "bad option");
}

Result<void> OptionParser::parse(int argc, const char* const* argv)
{
    for (int i = 1; i < argc; ++i) {
        StringView arg(argv[i]);
        bool is_long = arg.starts_with("--") && arg.size() > 2;
        // "-T VALUE" or "-TVALUE" when T is a registered letter; any other word is positional.
        Option* short_option = !is_long && arg.size() >= 2 && arg[0] == '-' ? find(arg.substr(1, 1), true) : nullptr;
        if (short_option) {
            StringView rest = arg.substr(2);
            TRY(take(short_option, arg.substr(0, 2), rest, !rest.empty(), i, argc, argv));
            continue;
        }
        if (!is_long) {
            if (m_positional_count == max_positionals) {
                BufferSink<160> s;
                format(s, "too many arguments (at most {}): '{}'", max_positionals, arg);
                m_error.assign(s.view());
                return Error(invalid_argument, "bad option");
            }
            m_positionals[m_positional_count++] = arg;
            continue;
        }
        StringView body = arg.substr(2);
        size_t eq = body.find('=');
        StringView name = body.substr(0, eq);
        bool has_value = eq < body.size();
        StringView value = has_value ? body.substr(eq + 1) : StringView();
        Option* written = find(name);
        if (!written) {
            BufferSink<160> s;
            format(s, "unknown option '--{}'", name);
            m_error.assign(s.view());
            return Error(invalid_argument, "bad option");
        }
        TRY(take(written, name, value, has_value, i, argc, argv));
    }
    return {};
}

// Gives the option (written under one of its names) its value, from the word itself or the next
// word (i then moves past it).
Result<void> OptionParser::take(
    Option* written, StringView name, StringView value, bool has_value, int& i, int argc, const char* const* argv)
{
    Option* o = resolve(written);
    if (!o) {
        BufferSink<160> s;
        format(s, "unknown option '--{}'", name);
        m_error.assign(s.view());
        return Error(invalid_argument, "bad option");
    }
    // Messages name a long option as it was written, a short one by its long name.
    StringView shown = written->is_short ? o->name : name;
    if (o->seen)
        return fail("is given twice", shown);
    o->seen = true;
    o->spelled = written->is_short ? o->name : written->name;
    if (o->kind == OptionKind::Flag) {
        if (has_value)
            return fail("takes no value", shown);
        *static_cast<bool*>(o->out) = true;
        return {};
    }
    if (!has_value && i + 1 < argc && argv[i + 1][0] != '-') {
        value = StringView(argv[++i]);
        has_value = true;
    }
    if (!has_value || value.empty())
        return fail("needs a value", shown);
    if (o->kind == OptionKind::Text) {
        *static_cast<StringView*>(o->out) = value;
    } else {
        unsigned long long n;
        if (!parse_unsigned(value, n))
            return fail("is not a number", shown, value);
        *static_cast<unsigned long long*>(o->out) = n;
    }
    return {};
}

bool OptionParser::seen(StringView name) const
{
    const Option* o = const_cast<OptionParser*>(this)->resolve(const_cast<OptionParser*>(this)->find(name));
    return o && o->seen;
}

StringView OptionParser::spelling(StringView name) const
{
    const Option* o = const_cast<OptionParser*>(this)->resolve(const_cast<OptionParser*>(this)->find(name));
    return o && o->seen ? o->spelled : name;
}

void OptionParser::print_help(Sink& s) const
{
    format(s, "usage: {} [options]\n", m_program);
    for (size_t i = 0; i < m_option_count; ++i) {
        const Option& o = m_options[i];
        if (o.is_short) {
            format(s, "  -{:<27} same as --{}\n", o.name, o.alias_of);
            continue;
        }
        if (!o.alias_of.empty()) {
            format(s, "  --{:<26} same as --{}\n", o.name, o.alias_of);
            continue;
        }
        BufferSink<64> left;
        format(left, "{}{}", o.name, o.kind == OptionKind::Flag ? "" : "=VALUE");
        format(s, "  --{:<26} {}\n", left.view(), o.help);
    }
}

} // namespace base
