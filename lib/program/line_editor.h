// The interactive prompt's line editor: bytes as a terminal sends them in, what to echo out,
// and a line, a cancelled line or the end of input. The console device does not echo, so the
// editor does. Portable (host tests feed it bytes and read the echo).
//
//   printable bytes   appended and echoed (beyond the capacity: a bell, nothing appended)
//   Backspace, DEL    the last character erased on the screen ("\b \b")
//   Ctrl-U            the whole line erased
//   Ctrl-C            the line cancelled: "^C" and a newline echoed, Event::Cancelled
//   Ctrl-D            on an empty line: Event::EndOfInput; otherwise ignored
//   CR, LF, CR LF     the line ended: a newline echoed, Event::Line
//   ESC sequences     (arrow keys and the like) swallowed
#pragma once

#include <stddef.h>

#include "base/format.h"
#include "base/string_view.h"

namespace program {

class LineEditor {
public:
    static constexpr size_t capacity = 1024;
    enum class Event { None, Line, Cancelled, EndOfInput };

    // Takes one byte; echo goes to `echo`. After Event::Line, line() is the line (until the
    // next feed).
    Event feed(char c, base::Sink& echo);
    base::StringView line() const { return { m_line, m_size }; }

private:
    enum class Escape { None, Started, Bracket };
    char m_line[capacity];
    size_t m_size = 0;
    bool m_after_cr = false;
    bool m_ended = false; // the last event ended a line: the next byte starts a new one
    Escape m_escape = Escape::None;
};

} // namespace program
