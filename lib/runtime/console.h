// Console output for modules, through the kernel's (or the chain's) "console" device.
// Lines are written whole; output made before the console is open is kept (up to 4 KiB) and
// written when it opens, so early messages are not lost.
#pragma once

#include "base/format.h"
#include "base/result.h"
#include "runtime/mach.h"

namespace runtime {

class Console final : public base::Sink {
public:
    void write(const char* data, size_t size) override;
    void flush();
    // Opens "console" on the given device master; pending output is written at once.
    base::Result<void> open(mach_port_t device_master);
    bool is_open() const { return MACH_PORT_VALID(m_device); }

private:
    void emit(const char* data, size_t size);
    mach_port_t m_device = MACH_PORT_NULL;
    char m_line[256];
    size_t m_line_size = 0;
    char m_pending[4096];
    size_t m_pending_size = 0;
};

Console& console();

// Prints a formatted line (a newline is added) on the console.
template<typename... Args> void println(base::StringView fmt, const Args&... args)
{
    base::format(console(), fmt, args...);
    console().put('\n');
}

// Prints "NAME: " then a formatted line: the form of every diagnostic a module prints.
template<typename... Args> void report(base::StringView fmt, const Args&... args);

} // namespace runtime

#include "runtime/runtime.h"

namespace runtime {
template<typename... Args> void report(base::StringView fmt, const Args&... args)
{
    base::format(console(), "{}: ", program_name());
    base::format(console(), fmt, args...);
    console().put('\n');
}
} // namespace runtime
