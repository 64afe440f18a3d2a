// The runtime of the programs exec starts from the root filesystem (init, sh, ...), on top of
// the module runtime: it asks exec for the program's start-up ports (exec_startup_get_info),
// offers them (root and current directory, console, exec, the privileged ports if given), the
// standard descriptors as streams (the console device or a file node, exec_types.h:
// EXEC_DESC_*), the environment, and an exit that reports the status to exec.
//
// A program defines program_main(argc, argv) instead of module_main; its return value is its
// exit status.
#pragma once

#include <stddef.h>

#include "base/format.h"
#include "base/result.h"
#include "base/string_view.h"
#include "exec_types.h"
#include "fsclient/client.h"
#include "runtime/mach.h"
#include "runtime/rights.h"

namespace program {

// What a descriptor speaks (EXEC_DESC_*).
enum class StreamKind { Closed, Device, File };

// Output on a descriptor, buffered: a console stream is written at each newline, a file
// stream when its buffer is full; flush() writes the rest. The port is borrowed.
class Output final : public base::Sink {
public:
    void attach(StreamKind kind, mach_port_t port);
    void write(const char* data, size_t size) override;
    base::Result<void> flush();
    StreamKind kind() const { return m_kind; }
    mach_port_t port() const { return m_port; }
    // The first error a write met since attach (then the output is dropped).
    bool failed() const { return m_failed; }
    base::Error error() const { return m_error; }

private:
    base::Result<void> emit(const char* data, size_t size);
    StreamKind m_kind = StreamKind::Closed;
    mach_port_t m_port = MACH_PORT_NULL;
    char m_buffer[1024];
    size_t m_size = 0;
    bool m_failed = false;
    base::Error m_error { 0 };
};

// Input from a descriptor. The port is borrowed.
class Input {
public:
    void attach(StreamKind kind, mach_port_t port);
    // Reads at most size bytes: a console read waits (without the RPC bound) until someone
    // types; a file read returns 0 at the end.
    base::Result<size_t> read(char* buffer, size_t size);
    StreamKind kind() const { return m_kind; }
    mach_port_t port() const { return m_port; }

private:
    StreamKind m_kind = StreamKind::Closed;
    mach_port_t m_port = MACH_PORT_NULL;
};

// A status a shell's `poweroff N` ends with: N with this bit. init (and a shell that ran the
// shell that said it) passes it on, so that init ends with N and exec powers off.
constexpr int poweroff_request = 0x100;
// The status a shell's `reboot` ends with, passed on likewise: init ends with exactly this
// status, and exec resets the machine instead of powering it off (chain/shutdown.h).
constexpr int reboot_request = 0x200; // chain::Shutdown::reboot_request, as exec reads it

class Process {
public:
    // The program's start: asks exec, sets up the streams. Called before program_main.
    base::Result<void> start(int argc, char** argv);

    int argc() const { return m_argc; }
    char** argv() const { return m_argv; }
    // NAME=VALUE strings, null-terminated (never null itself).
    char** envp() const { return m_envp; }
    // The value of an environment variable; found is false when it is not set.
    base::StringView env(base::StringView name, bool* found = nullptr) const;

    const fsclient::Node& root() const { return m_root; }
    const fsclient::Node& cwd() const { return m_cwd; }
    // Replaces the current directory (a shell's cd).
    void set_cwd(fsclient::Node node) { m_cwd = static_cast<fsclient::Node&&>(node); }
    mach_port_t console() const { return m_console.name(); }
    mach_port_t exec_server() const { return m_exec.name(); }
    mach_port_t device_master() const { return m_device_master.name(); }
    mach_port_t host_priv() const { return m_host_priv.name(); }

    Output& out() { return m_out; }
    Output& err() { return m_err; }
    Input& in() { return m_in; }

private:
    int m_argc = 0;
    char** m_argv = nullptr;
    char** m_envp = nullptr;
    fsclient::Node m_root;
    fsclient::Node m_cwd;
    runtime::SendRight m_console;
    runtime::SendRight m_exec;
    runtime::SendRight m_device_master;
    runtime::SendRight m_host_priv;
    runtime::SendRight m_descriptors[3];
    Output m_out;
    Output m_err;
    Input m_in;
};

Process& self();
inline Output& out()
{
    return self().out();
}
inline Output& err()
{
    return self().err();
}

// Prints a formatted line on the standard output.
template<typename... Args> void println(base::StringView fmt, const Args&... args)
{
    base::format(out(), fmt, args...);
    out().put('\n');
}

// Prints "PROGRAM: " and a formatted line on the standard error: every diagnostic's form.
template<typename... Args> void complain(base::StringView fmt, const Args&... args)
{
    base::format(err(), "{}: ", self().argc() > 0 ? self().argv()[0] : "program");
    base::format(err(), fmt, args...);
    err().put('\n');
    (void)err().flush();
}

// Flushes the streams, tells exec the status (exec_startup_exit) and ends the task.
[[noreturn]] void exit(int status);

// The sentence for a code of the file protocol, exec, lib/elf or Mach ("no such file or
// directory", "not an ELF file ..."), or its name when there is no sentence.
struct ErrorText {
    int code;
};

} // namespace program

template<> struct base::Formatter<program::ErrorText> {
    static void format(Sink& s, const FormatSpec& spec, program::ErrorText e);
};

// Every program defines this; its return value is the exit status.
int program_main(int argc, char** argv);
