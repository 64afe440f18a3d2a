// The line editor's state machine.
#include "program/line_editor.h"

namespace program {

namespace {
constexpr char ctrl_c = 0x03, ctrl_d = 0x04, bell = 0x07, backspace = 0x08, ctrl_u = 0x15, escape = 0x1b, del = 0x7f;
}

LineEditor::Event LineEditor::feed(char c, base::Sink& echo)
{
    if (m_ended) {
        m_size = 0;
        m_ended = false;
    }
    bool after_cr = m_after_cr;
    m_after_cr = c == '\r';
    if (m_escape == Escape::Started) {
        // ESC [ ... is a CSI sequence ended by a byte in 0x40-0x7e; ESC and one byte otherwise.
        m_escape = c == '[' ? Escape::Bracket : Escape::None;
        return Event::None;
    }
    if (m_escape == Escape::Bracket) {
        if (c >= 0x40 && c <= 0x7e)
            m_escape = Escape::None;
        return Event::None;
    }
    switch (c) {
    case '\n':
        if (after_cr)
            return Event::None; // the LF of CR LF
        [[fallthrough]];
    case '\r':
        echo.put('\n');
        m_ended = true;
        return Event::Line;
    case ctrl_c:
        echo.put(base::StringView("^C\n"));
        m_size = 0;
        return Event::Cancelled;
    case ctrl_d:
        if (m_size == 0) {
            m_ended = true;
            return Event::EndOfInput;
        }
        return Event::None;
    case backspace:
    case del:
        if (m_size) {
            --m_size;
            echo.put(base::StringView("\b \b"));
        }
        return Event::None;
    case ctrl_u:
        while (m_size) {
            --m_size;
            echo.put(base::StringView("\b \b"));
        }
        return Event::None;
    case escape:
        m_escape = Escape::Started;
        return Event::None;
    case '\t':
        c = ' ';
        break;
    default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20)
        return Event::None; // other control bytes have no meaning here
    if (m_size == capacity) {
        echo.put(bell);
        return Event::None;
    }
    m_line[m_size++] = c;
    echo.put(c);
    return Event::None;
}

} // namespace program
