// What the exec tests' programs share: their start-up information from exec and a line
// output to their descriptor 1 (the console device, or a file of the file protocol), until the
// project's program runtime offers these.
#pragma once

#include "base/format.h"
#include "base/result.h"
#include "execclient/client.h"

namespace test_program {

class Output final : public base::Sink {
public:
    // Writes to the port with the protocol of its kind (EXEC_DESC_*).
    void attach(mach_port_t port, int kind)
    {
        m_port = port;
        m_kind = kind;
    }
    void write(const char* data, size_t size) override;
    void flush();

private:
    mach_port_t m_port = MACH_PORT_NULL;
    int m_kind = EXEC_DESC_NONE;
    char m_line[256];
    size_t m_size = 0;
};

// The program's start-up information (asked once) and its output on descriptor 1.
execclient::Startup& startup();
Output& out();
// Asks exec for the start-up information and attaches the output; false when it failed (the
// program then has no way to say anything).
bool begin(base::StringView name);
base::StringView name();

// "NAME: " then the formatted line.
template<typename... Args> void say(base::StringView fmt, const Args&... args)
{
    base::format(out(), "{}: ", name());
    base::format(out(), fmt, args...);
    out().put('\n');
}

} // namespace test_program
