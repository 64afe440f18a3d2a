// Command-line options of the form --name=value (or --name value), --flag, and positional
// words, as the kernel's boot script passes them. Several names may share one option
// (--disk-server-task and --next-task). Errors are sentences naming the option.
#pragma once

#include <stddef.h>

#include "base/result.h"
#include "base/string_view.h"

namespace base {

enum class OptionKind { Flag, Text, Number };

class OptionParser {
public:
    static constexpr size_t max_options = 24;
    static constexpr size_t max_positionals = 8;

    explicit OptionParser(StringView program)
        : m_program(program)
    {
    }

    // Each registration names the option, where its value goes and a line of help.
    void add_flag(StringView name, bool& out, StringView help);
    void add_text(StringView name, StringView& out, StringView help);
    void add_number(StringView name, unsigned long long& out, StringView help);
    // A second spelling of an option registered before.
    void add_alias(StringView alias, StringView name);
    // A one-letter spelling of an option registered before: "-T VALUE" or "-TVALUE" for
    // "--store-type=VALUE" (libstore's -T), "-r" for a flag.
    void add_short(char letter, StringView name);

    // Parses argv[1..argc). On error, error_message() tells what was wrong (without the
    // program's name, which the caller prefixes as it prints).
    Result<void> parse(int argc, const char* const* argv);

    // Whether the option (by any of its names) appeared.
    bool seen(StringView name) const;
    size_t positional_count() const { return m_positional_count; }
    StringView positional(size_t i) const { return m_positionals[i]; }
    StringView error_message() const { return m_error.view(); }
    // Which spelling the user wrote for an option, for messages ("--next-task").
    StringView spelling(StringView name) const;

    void print_help(Sink&) const;

private:
    struct Option {
        StringView name; // a short option's is its one letter
        bool is_short = false;
        StringView alias_of;
        OptionKind kind = OptionKind::Flag;
        void* out = nullptr;
        StringView help;
        bool seen = false;
        StringView spelled;
    };
    Option* find(StringView name, bool is_short = false);
    const Option* find(StringView name) const;
    Result<void> take(
        Option* written, StringView name, StringView value, bool has_value, int& i, int argc, const char* const* argv);
    Option* resolve(Option*);
    Result<void> fail(StringView why, StringView name, StringView value = {});

    StringView m_program;
    Option m_options[max_options];
    size_t m_option_count = 0;
    StringView m_positionals[max_positionals];
    size_t m_positional_count = 0;
    BoundedString<160> m_error;
};

} // namespace base
