// The shell's parser: words and quoting, substitutions, redirections, connectors, comments,
// line numbers, and each syntax error with the text that causes it.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sh/syntax.h"

namespace {

using shell::Connector;
using shell::SyntaxError;

struct Vars final : shell::Expander {
    std::map<std::string, std::string> values;
    std::vector<std::string> asked;
    void expand(base::StringView name, base::Sink& out) override
    {
        std::string n(name.data(), name.size());
        asked.push_back(n);
        auto it = values.find(n);
        if (it != values.end())
            out.write(it->second.data(), it->second.size());
    }
};

struct Parsed {
    std::vector<std::vector<std::string>> words;
    std::vector<Connector> connectors;
    std::vector<std::vector<std::string>> redirects; // "fd mode target"
    std::vector<unsigned> lines;
    SyntaxError error = SyntaxError::None;
    unsigned error_line = 0;
};

Parsed parse(const std::string& text, shell::Expander* vars = nullptr)
{
    auto cmd = std::make_unique<shell::Command>();
    shell::Parser parser(base::StringView(text.data(), text.size()), vars);
    Parsed p;
    while (parser.next(*cmd)) {
        std::vector<std::string> words;
        for (size_t i = 0; i < cmd->word_count; ++i)
            words.emplace_back(cmd->words[i]);
        EXPECT_EQ(cmd->words[cmd->word_count], nullptr);
        p.words.push_back(words);
        p.connectors.push_back(cmd->connector);
        std::vector<std::string> redirects;
        for (size_t i = 0; i < cmd->redirect_count; ++i)
            redirects.push_back(std::to_string(cmd->redirects[i].fd)
                + (cmd->redirects[i].mode == shell::RedirectMode::Append ? " >> " : " > ") + cmd->redirects[i].target);
        p.redirects.push_back(redirects);
        p.lines.push_back(cmd->line);
    }
    p.error = parser.error();
    p.error_line = parser.error_line();
    return p;
}

using Words = std::vector<std::vector<std::string>>;

TEST(ShellSyntax, WordsAndBlanks)
{
    auto p = parse("  echo   a\tb  c  ");
    EXPECT_EQ(p.error, SyntaxError::None);
    EXPECT_EQ(p.words, (Words { { "echo", "a", "b", "c" } }));
    EXPECT_EQ(p.connectors, (std::vector<Connector> { Connector::End }));
}

TEST(ShellSyntax, Quoting)
{
    auto p = parse(R"(echo 'a  b' "c  d" e\ f 'it''s' "x'y" 'x"y' "a\"b\\c\d" '' "")");
    EXPECT_EQ(p.error, SyntaxError::None);
    EXPECT_EQ(p.words, (Words { { "echo", "a  b", "c  d", "e f", "its", "x'y", "x\"y", "a\"b\\c\\d", "", "" } }));
}

TEST(ShellSyntax, OperatorsInsideQuotesAreText)
{
    auto p = parse(R"(echo "a;b" 'c && d' "e > f" g\;h 'x|y' "#no")");
    EXPECT_EQ(p.words, (Words { { "echo", "a;b", "c && d", "e > f", "g;h", "x|y", "#no" } }));
}

TEST(ShellSyntax, Substitutions)
{
    Vars vars;
    vars.values = { { "?", "3" }, { "HOME", "/home/x" }, { "1", "first" }, { "#", "2" } };
    auto p = parse(R"(echo $? "$HOME/a" '$HOME' \$HOME ${HOME}b $HOMEb $1$# $ a$ "$")", &vars);
    EXPECT_EQ(p.error, SyntaxError::None);
    EXPECT_EQ(
        p.words, (Words { { "echo", "3", "/home/x/a", "$HOME", "$HOME", "/home/xb", "", "first2", "$", "a$", "$" } }));
}

TEST(ShellSyntax, ASubstitutionIsOneWord)
{
    Vars vars;
    vars.values = { { "X", "a b  c" } };
    auto p = parse("echo $X", &vars);
    EXPECT_EQ(p.words, (Words { { "echo", "a b  c" } }));
}

TEST(ShellSyntax, Connectors)
{
    auto p = parse("a; b && c || d\ne");
    EXPECT_EQ(p.error, SyntaxError::None);
    EXPECT_EQ(p.words, (Words { { "a" }, { "b" }, { "c" }, { "d" }, { "e" } }));
    EXPECT_EQ(p.connectors,
        (std::vector<Connector> {
            Connector::Sequence, Connector::And, Connector::Or, Connector::Sequence, Connector::End }));
    EXPECT_EQ(p.lines, (std::vector<unsigned> { 1, 1, 1, 1, 2 }));
}

TEST(ShellSyntax, NewlinesMayFollowAndOr)
{
    auto p = parse("a &&\n\n  b ||\n c");
    EXPECT_EQ(p.error, SyntaxError::None);
    EXPECT_EQ(p.words, (Words { { "a" }, { "b" }, { "c" } }));
}

TEST(ShellSyntax, CommentsAndBlankLines)
{
    auto p = parse("# a comment\n\n  echo a # the rest\necho b#c '#d'\n   # last\n");
    EXPECT_EQ(p.error, SyntaxError::None);
    EXPECT_EQ(p.words, (Words { { "echo", "a" }, { "echo", "b#c", "#d" } }));
    EXPECT_EQ(p.lines, (std::vector<unsigned> { 3, 4 }));
}

TEST(ShellSyntax, LineContinuation)
{
    auto p = parse("echo a \\\n b\nc");
    EXPECT_EQ(p.words, (Words { { "echo", "a", "b" }, { "c" } }));
    EXPECT_EQ(p.lines, (std::vector<unsigned> { 1, 3 }));
}

TEST(ShellSyntax, Redirections)
{
    auto p = parse("echo a > out b >>app 2> err 2>>err2; >empty");
    EXPECT_EQ(p.error, SyntaxError::None);
    EXPECT_EQ(p.words, (Words { { "echo", "a", "b" }, {} }));
    EXPECT_EQ(p.redirects, (Words { { "1 > out", "1 >> app", "2 > err", "2 >> err2" }, { "1 > empty" } }));
}

TEST(ShellSyntax, RedirectionTargetsAreWords)
{
    Vars vars;
    vars.values = { { "D", "/tmp" } };
    auto p = parse("echo x >\"$D/a b\" 3>x", &vars);
    EXPECT_EQ(p.words, (Words { { "echo", "x", "3" } }));
    EXPECT_EQ(p.redirects, (Words { { "1 > /tmp/a b", "1 > x" } }));
}

TEST(ShellSyntax, ATrailingSemicolonIsFine)
{
    auto p = parse("echo a;");
    EXPECT_EQ(p.error, SyntaxError::None);
    EXPECT_EQ(p.words, (Words { { "echo", "a" } }));
}

struct Bad {
    const char* text;
    SyntaxError error;
    unsigned line;
};

TEST(ShellSyntax, Errors)
{
    const Bad cases[] = {
        { "echo 'abc", SyntaxError::UnterminatedSingleQuote, 1 },
        { "echo ok\necho \"abc\n", SyntaxError::UnterminatedDoubleQuote, 3 },
        { "echo ${HOME", SyntaxError::UnterminatedBrace, 1 },
        { "echo >", SyntaxError::MissingRedirectTarget, 1 },
        { "echo > ;", SyntaxError::MissingRedirectTarget, 1 },
        { "; echo", SyntaxError::MissingCommand, 1 },
        { "echo a;; echo b", SyntaxError::MissingCommand, 1 },
        { "echo a &&", SyntaxError::MissingCommand, 1 },
        { "echo a ||\n\n", SyntaxError::MissingCommand, 3 },
        { "&& echo", SyntaxError::MissingCommand, 1 },
        { "ls | wc", SyntaxError::Pipe, 1 },
        { "sleep 1 &", SyntaxError::Background, 1 },
        { "cat < x", SyntaxError::InputRedirect, 1 },
    };
    for (const auto& c : cases) {
        auto p = parse(c.text);
        EXPECT_EQ(p.error, c.error) << c.text;
        EXPECT_EQ(p.error_line, c.line) << c.text;
        EXPECT_STRNE(shell::syntax_error_text(p.error), "unknown error");
        unsigned line = 0;
        EXPECT_EQ(shell::check_syntax(c.text, line), c.error) << c.text;
    }
}

TEST(ShellSyntax, Bounds)
{
    std::string many = "echo";
    for (size_t i = 0; i < shell::Command::max_words; ++i)
        many += " w";
    EXPECT_EQ(parse(many).error, SyntaxError::TooManyWords);
    EXPECT_EQ(parse("echo " + std::string(shell::Command::arena_size, 'x')).error, SyntaxError::TooLong);
    EXPECT_EQ(parse("echo >a >b >c >d >e").error, SyntaxError::TooManyRedirects);
    EXPECT_EQ(parse("echo >a >b >c >d").error, SyntaxError::None);
}

TEST(ShellSyntax, SubstitutionsAreAskedWhenTheCommandIsParsed)
{
    // A shell parses one command, runs it, then parses the next: $? is the latest status.
    Vars vars;
    auto cmd = std::make_unique<shell::Command>();
    shell::Parser parser("false; echo $?", &vars);
    ASSERT_TRUE(parser.next(*cmd));
    EXPECT_TRUE(vars.asked.empty());
    vars.values["?"] = "1";
    ASSERT_TRUE(parser.next(*cmd));
    EXPECT_STREQ(cmd->words[1], "1");
    EXPECT_FALSE(parser.next(*cmd));
    EXPECT_EQ(parser.error(), SyntaxError::None);
}

} // namespace
