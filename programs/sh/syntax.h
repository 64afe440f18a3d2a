// The shell's language, apart from running anything: a text is split into simple commands,
// each with its words (quotes removed, $ substitutions made), its redirections and what
// connects it to the next one. Portable: host tests parse scripts with it.
//
//   words        separated by blanks; 'single quotes' keep everything; "double quotes" keep
//                everything but $ substitutions and \ before $ " \ and a newline; a \ outside
//                quotes keeps the next character (a \ before a newline joins the lines)
//   $?  $#  $0..$9  $NAME  ${NAME}
//                substituted by the Expander; the value is one word (no field splitting)
//   > FILE, >> FILE, 2> FILE, 2>> FILE
//                redirections of the standard output (or error), anywhere in the command
//   ;  newline   run one after the other
//   &&  ||       run the next one only if the status is (not) 0; a newline may follow them
//   # ...        a comment, where a word could start
// Pipes, background jobs and input redirection are syntax errors that say so.
#pragma once

#include <stddef.h>

#include "base/format.h"
#include "base/string_view.h"

namespace shell {

// The values of $? and the like, asked for when a command is parsed: a shell parses one
// command, runs it, then parses the next, so $? is the previous command's status.
class Expander {
public:
    // Writes the value of $name (name: "?", "#", a digit, or an identifier) to out.
    virtual void expand(base::StringView name, base::Sink& out) = 0;

protected:
    ~Expander() = default;
};

enum class Connector {
    End, // the text ends after this command
    Sequence, // ; or a newline
    And, // &&
    Or, // ||
};

enum class RedirectMode { Truncate, Append };

struct Redirect {
    int fd; // 1 or 2
    RedirectMode mode;
    const char* target;
};

enum class SyntaxError {
    None,
    UnterminatedSingleQuote,
    UnterminatedDoubleQuote,
    UnterminatedBrace,
    MissingRedirectTarget,
    MissingCommand,
    Pipe,
    Background,
    InputRedirect,
    TooManyWords,
    TooManyRedirects,
    TooLong,
};

// A sentence for the error ("unterminated '...' quote").
const char* syntax_error_text(SyntaxError);

struct Command {
    static constexpr size_t max_words = 64;
    static constexpr size_t max_redirects = 4;
    static constexpr size_t arena_size = 8192;

    const char* words[max_words + 1]; // words[word_count] is null
    size_t word_count = 0;
    Redirect redirects[max_redirects];
    size_t redirect_count = 0;
    Connector connector = Connector::End;
    unsigned line = 1; // where the command starts, counting from 1

    char arena[arena_size]; // the words' and targets' characters
    size_t arena_used = 0;

    void clear()
    {
        word_count = 0;
        words[0] = nullptr;
        redirect_count = 0;
        connector = Connector::End;
        arena_used = 0;
    }
};

class Parser {
public:
    // expander may be null: substitutions are then empty (enough to check the syntax).
    explicit Parser(base::StringView text, Expander* expander = nullptr)
        : m_text(text)
        , m_expander(expander)
    {
    }
    // The next simple command into cmd: true if there was one; false at the end of the text or
    // on an error (error() is then not None, and error_line() says where).
    bool next(Command& cmd);
    SyntaxError error() const { return m_error; }
    unsigned error_line() const { return m_error_line; }

private:
    enum class WordEnd { Word, Nothing };
    bool fail(SyntaxError);
    void skip_blanks();
    bool at_operator() const;
    bool read_word(Command&, const char*& word);
    bool substitute(Command&, base::Sink& out);
    char peek(size_t ahead = 0) const { return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : 0; }
    bool at_end() const { return m_pos >= m_text.size(); }

    base::StringView m_text;
    Expander* m_expander;
    size_t m_pos = 0;
    unsigned m_line = 1;
    bool m_need_command = false; // after && or ||
    SyntaxError m_error = SyntaxError::None;
    unsigned m_error_line = 0;
};

// Parses the whole text without substituting: SyntaxError::None if it is well formed;
// line receives where the first error is.
SyntaxError check_syntax(base::StringView text, unsigned& line);

} // namespace shell
