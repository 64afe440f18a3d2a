// The shell's parser: one simple command at a time, straight from the text.
#include "sh/syntax.h"

namespace shell {

namespace {

bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

bool is_identifier_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_identifier_char(char c)
{
    return is_identifier_start(c) || (c >= '0' && c <= '9');
}

// Appends to a command's arena; remembers when it did not fit.
class ArenaSink final : public base::Sink {
public:
    explicit ArenaSink(Command& cmd)
        : m_cmd(cmd)
    {
    }
    void write(const char* data, size_t size) override
    {
        for (size_t i = 0; i < size; ++i) {
            if (m_cmd.arena_used + 1 >= Command::arena_size) {
                m_overflow = true;
                return;
            }
            m_cmd.arena[m_cmd.arena_used++] = data[i];
        }
    }
    bool overflow() const { return m_overflow; }

private:
    Command& m_cmd;
    bool m_overflow = false;
};

} // namespace

const char* syntax_error_text(SyntaxError e)
{
    switch (e) {
    case SyntaxError::None:
        return "no error";
    case SyntaxError::UnterminatedSingleQuote:
        return "a ' quote is not closed";
    case SyntaxError::UnterminatedDoubleQuote:
        return "a \" quote is not closed";
    case SyntaxError::UnterminatedBrace:
        return "a ${ is not closed";
    case SyntaxError::MissingRedirectTarget:
        return "a redirection needs a file name";
    case SyntaxError::MissingCommand:
        return "a command is missing before ;, && or ||, or after && or ||";
    case SyntaxError::Pipe:
        return "pipes (|) are not supported";
    case SyntaxError::Background:
        return "background jobs (&) are not supported";
    case SyntaxError::InputRedirect:
        return "input redirection (<) is not supported";
    case SyntaxError::TooManyWords:
        return "too many words in one command";
    case SyntaxError::TooManyRedirects:
        return "too many redirections in one command";
    case SyntaxError::TooLong:
        return "the command is too long";
    }
    return "unknown error";
}

bool Parser::fail(SyntaxError e)
{
    m_error = e;
    m_error_line = m_line;
    m_pos = m_text.size();
    return false;
}

void Parser::skip_blanks()
{
    for (;;) {
        char c = peek();
        if (is_blank(c)) {
            ++m_pos;
        } else if (c == '\\' && peek(1) == '\n') {
            m_pos += 2;
            ++m_line;
        } else {
            return;
        }
    }
}

bool Parser::at_operator() const
{
    char c = peek();
    return at_end() || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>';
}

// A $ substitution at m_pos (on the '$'); writes the value. A '$' that starts none is itself.
bool Parser::substitute(Command&, base::Sink& out)
{
    ++m_pos; // '$'
    char c = peek();
    base::StringView name;
    if (c == '?' || c == '#' || (c >= '0' && c <= '9')) {
        name = m_text.substr(m_pos, 1);
        ++m_pos;
    } else if (c == '{') {
        size_t start = ++m_pos;
        while (!at_end() && peek() != '}' && peek() != '\n')
            ++m_pos;
        if (peek() != '}')
            return fail(SyntaxError::UnterminatedBrace);
        name = m_text.substr(start, m_pos - start);
        ++m_pos;
    } else if (is_identifier_start(c)) {
        size_t start = m_pos;
        while (is_identifier_char(peek()))
            ++m_pos;
        name = m_text.substr(start, m_pos - start);
    } else {
        out.put('$');
        return true;
    }
    if (m_expander)
        m_expander->expand(name, out);
    return true;
}

// One word at m_pos (not at an operator): its characters into the arena, zero-terminated.
bool Parser::read_word(Command& cmd, const char*& word)
{
    ArenaSink out(cmd);
    word = cmd.arena + cmd.arena_used;
    while (!at_end()) {
        char c = peek();
        if (is_blank(c) || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>')
            break;
        if (c == '\\') {
            if (peek(1) == '\n') {
                m_pos += 2;
                ++m_line;
                continue;
            }
            if (m_pos + 1 >= m_text.size()) {
                out.put('\\'); // a \ at the very end stands for itself
                ++m_pos;
            } else {
                out.put(m_text[m_pos + 1]);
                m_pos += 2;
            }
        } else if (c == '\'') {
            size_t start = ++m_pos;
            while (!at_end() && peek() != '\'') {
                if (peek() == '\n')
                    ++m_line;
                ++m_pos;
            }
            if (at_end())
                return fail(SyntaxError::UnterminatedSingleQuote);
            out.put(m_text.substr(start, m_pos - start));
            ++m_pos;
        } else if (c == '"') {
            ++m_pos;
            for (;;) {
                if (at_end())
                    return fail(SyntaxError::UnterminatedDoubleQuote);
                char d = peek();
                if (d == '"') {
                    ++m_pos;
                    break;
                }
                if (d == '\\') {
                    char e = peek(1);
                    if (e == '\n') {
                        m_pos += 2;
                        ++m_line;
                        continue;
                    }
                    if (e == '$' || e == '"' || e == '\\' || e == '`') {
                        out.put(e);
                        m_pos += 2;
                        continue;
                    }
                    out.put('\\');
                    ++m_pos;
                    continue;
                }
                if (d == '$') {
                    if (!substitute(cmd, out))
                        return false;
                    continue;
                }
                if (d == '\n')
                    ++m_line;
                out.put(d);
                ++m_pos;
            }
        } else if (c == '$') {
            if (!substitute(cmd, out))
                return false;
        } else {
            out.put(c);
            ++m_pos;
        }
    }
    out.put('\0');
    if (out.overflow())
        return fail(SyntaxError::TooLong);
    return true;
}

bool Parser::next(Command& cmd)
{
    cmd.clear();
    if (m_error != SyntaxError::None)
        return false;
    // Blank lines and comments before the command; a newline may follow && and ||.
    for (;;) {
        skip_blanks();
        char c = peek();
        if (c == '#') {
            while (!at_end() && peek() != '\n')
                ++m_pos;
            continue;
        }
        if (c == '\n') {
            ++m_pos;
            ++m_line;
            continue;
        }
        break;
    }
    cmd.line = m_line;
    if (at_end()) {
        if (m_need_command)
            return fail(SyntaxError::MissingCommand);
        return false;
    }
    for (;;) {
        skip_blanks();
        char c = peek();
        if (c == '#') {
            while (!at_end() && peek() != '\n')
                ++m_pos;
            continue;
        }
        // A redirection: [digit]> or [digit]>> then a word.
        int fd = -1;
        if (c == '>') {
            fd = 1;
        } else if ((c == '1' || c == '2') && peek(1) == '>') {
            fd = c - '0';
            ++m_pos;
        }
        if (fd > 0) {
            ++m_pos;
            RedirectMode mode = RedirectMode::Truncate;
            if (peek() == '>') {
                mode = RedirectMode::Append;
                ++m_pos;
            }
            skip_blanks();
            if (at_operator())
                return fail(SyntaxError::MissingRedirectTarget);
            if (cmd.redirect_count == Command::max_redirects)
                return fail(SyntaxError::TooManyRedirects);
            const char* target = nullptr;
            if (!read_word(cmd, target))
                return false;
            cmd.redirects[cmd.redirect_count++] = { fd, mode, target };
            continue;
        }
        if (c == '<')
            return fail(SyntaxError::InputRedirect);
        if (c == '|' && peek(1) != '|')
            return fail(SyntaxError::Pipe);
        if (c == '&' && peek(1) != '&')
            return fail(SyntaxError::Background);
        if (at_operator())
            break;
        if (cmd.word_count == Command::max_words)
            return fail(SyntaxError::TooManyWords);
        const char* word = nullptr;
        if (!read_word(cmd, word))
            return false;
        cmd.words[cmd.word_count++] = word;
        cmd.words[cmd.word_count] = nullptr;
    }
    // The operator after the command.
    bool empty = cmd.word_count == 0 && cmd.redirect_count == 0;
    char c = peek();
    m_need_command = false;
    if (at_end()) {
        cmd.connector = Connector::End;
    } else if (c == '\n') {
        ++m_pos;
        ++m_line;
        cmd.connector = Connector::Sequence;
    } else if (c == ';') {
        ++m_pos;
        cmd.connector = Connector::Sequence;
    } else if (c == '&') {
        m_pos += 2;
        cmd.connector = Connector::And;
        m_need_command = true;
    } else {
        m_pos += 2;
        cmd.connector = Connector::Or;
        m_need_command = true;
    }
    if (empty)
        return fail(SyntaxError::MissingCommand);
    return true;
}

SyntaxError check_syntax(base::StringView text, unsigned& line)
{
    static Command cmd; // large: not on the stack
    Parser parser(text);
    while (parser.next(cmd)) { }
    line = parser.error_line();
    return parser.error();
}

} // namespace shell
