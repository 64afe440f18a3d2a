// Parsing of --name=value options for modules and host tools.
#include "base/options.h"
#include "base/status.h"

namespace base {

using base::status::invalid_argument;

void OptionParser::add_flag(StringView name, bool& out, StringView help)
{
    if (m_option_count < max_options)
        m_options[m_option_count++] = Option { name, {}, OptionKind::Flag, &out, help, false, {} };
}

void OptionParser::add_text(StringView name, StringView& out, StringView help)
{
    if (m_option_count < max_options)
        m_options[m_option_count++] = Option { name, {}, OptionKind::Text, &out, help, false, {} };
}

void OptionParser::add_number(StringView name, unsigned long long& out, StringView help)
{
    if (m_option_count < max_options)
        m_options[m_option_count++] = Option { name, {}, OptionKind::Number, &out, help, false, {} };
}

void OptionParser::add_alias(StringView alias, StringView name)
{
    if (m_option_count < max_options)
        m_options[m_option_count++] = Option { alias, name, OptionKind::Flag, nullptr, {}, false, {} };
}

OptionParser::Option* OptionParser::find(StringView name)
{
    for (size_t i = 0; i < m_option_count; ++i)
        if (m_options[i].name == name)
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
        if (!arg.starts_with("--") || arg.size() == 2) {
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
        Option* o = resolve(written);
        if (!o) {
            BufferSink<160> s;
            format(s, "unknown option '--{}'", name);
            m_error.assign(s.view());
            return Error(invalid_argument, "bad option");
        }
        if (o->seen)
            return fail("is given twice", name);
        o->seen = true;
        o->spelled = written->name;
        if (o->kind == OptionKind::Flag) {
            if (has_value)
                return fail("takes no value", name);
            *static_cast<bool*>(o->out) = true;
            continue;
        }
        if (!has_value && i + 1 < argc && argv[i + 1][0] != '-') {
            value = StringView(argv[++i]);
            has_value = true;
        }
        if (!has_value || value.empty())
            return fail("needs a value", name);
        if (o->kind == OptionKind::Text) {
            *static_cast<StringView*>(o->out) = value;
        } else {
            unsigned long long n;
            if (!parse_unsigned(value, n))
                return fail("is not a number", name, value);
            *static_cast<unsigned long long*>(o->out) = n;
        }
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
