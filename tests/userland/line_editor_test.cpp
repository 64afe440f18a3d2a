// The line editor fed bytes as a terminal (or the test's Machine.send) sends them: what it
// echoes and the events it gives.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "program/line_editor.h"

namespace {

using Event = program::LineEditor::Event;

struct Echo final : base::Sink {
    std::string text;
    void write(const char* data, size_t size) override { text.append(data, size); }
};

struct Run {
    std::vector<std::string> lines;
    int cancelled = 0;
    int ends = 0;
    std::string echo;
};

Run feed(const std::string& input)
{
    program::LineEditor editor;
    Echo echo;
    Run run;
    for (char c : input) {
        switch (editor.feed(c, echo)) {
        case Event::Line:
            run.lines.emplace_back(editor.line().data(), editor.line().size());
            break;
        case Event::Cancelled:
            ++run.cancelled;
            break;
        case Event::EndOfInput:
            ++run.ends;
            break;
        case Event::None:
            break;
        }
    }
    run.echo = echo.text;
    return run;
}

TEST(LineEditor, LinesEndWithCrLfOrCrLf)
{
    auto r = feed("ls\rpwd\ncat x\r\necho\n");
    EXPECT_EQ(r.lines, (std::vector<std::string> { "ls", "pwd", "cat x", "echo" }));
    EXPECT_EQ(r.echo, "ls\npwd\ncat x\necho\n");
}

TEST(LineEditor, BackspaceAndDeleteErase)
{
    auto r = feed("abX\x7f"
                  "c\b\bd\n");
    EXPECT_EQ(r.lines, (std::vector<std::string> { "ad" }));
    EXPECT_EQ(r.echo, "abX\b \bc\b \b\b \bd\n");
}

TEST(LineEditor, BackspaceOnAnEmptyLineDoesNothing)
{
    auto r = feed("\x7f\x7f"
                  "a\n");
    EXPECT_EQ(r.lines, (std::vector<std::string> { "a" }));
    EXPECT_EQ(r.echo, "a\n");
}

TEST(LineEditor, CtrlCCancelsTheLine)
{
    auto r = feed("rm -r /\x03ls\n");
    EXPECT_EQ(r.cancelled, 1);
    EXPECT_EQ(r.lines, (std::vector<std::string> { "ls" }));
    EXPECT_EQ(r.echo, "rm -r /^C\nls\n");
}

TEST(LineEditor, CtrlDEndsOnlyAnEmptyLine)
{
    auto r = feed("ab\x04\n\x04");
    EXPECT_EQ(r.lines, (std::vector<std::string> { "ab" }));
    EXPECT_EQ(r.ends, 1);
}

TEST(LineEditor, CtrlUErasesTheLine)
{
    auto r = feed("abc\x15xy\n");
    EXPECT_EQ(r.lines, (std::vector<std::string> { "xy" }));
}

TEST(LineEditor, EscapeSequencesAreSwallowed)
{
    auto r = feed("a\x1b[A\x1b[1;5Cb\x1bOc\n");
    // ESC O is a two-byte escape; 'c' follows it as a character.
    EXPECT_EQ(r.lines, (std::vector<std::string> { "abc" }));
}

TEST(LineEditor, TheLineIsBounded)
{
    std::string longer(program::LineEditor::capacity + 10, 'x');
    auto r = feed(longer + "\n");
    ASSERT_EQ(r.lines.size(), 1u);
    EXPECT_EQ(r.lines[0].size(), program::LineEditor::capacity);
    EXPECT_NE(r.echo.find('\a'), std::string::npos);
}

} // namespace
