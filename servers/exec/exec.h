// The exec server's state and its handlers: the root directory and console it hands to
// programs, its server port, and the table of programs it started (exec_types.h describes the
// protocols). The MIG entry points (handlers.cpp) call these.
//
// What no client can do to exec:
// - stall it: exec serves with several threads (runtime/threads.h), and a request that waits on
//   a port a client handed over (a directory, a program file, what a client's directory
//   answered, a forged exception's thread port) waits on its own thread while the others go
//   on serving; one more thread starts whenever the last one free is about to wait so, up to
//   serving_threads_max. Each client has at most client_requests_max such requests in
//   progress (a further one is refused with EXEC_E_BUSY), and each wait is bounded,
//   client_wait_ms (loader.h) in all for one request; replies to clients (exec_wait_reply
//   too) are sent with MACH_SEND_TIMEOUT. Across a client wait other requests change exec's
//   tables: a handler finds its program again afterwards.
// - fill its table: each client has its share (exec_types.h), and an entry goes once its
//   program ended and its process port has no senders, a lost reply included.
// - make it release what it does not own: handlers follow the ownership rule of
//   runtime/server.h (an error releases nothing of the request); notifications come only from
//   the kernel, and dead_name() releases only the reference the kernel gave for its own task.
// - keep it busy with a program file: lib/elf refuses a hostile ELF (127 TiB segments,
//   overlaps, the kernel's half) from its headers, and the loader's work is bounded by the
//   file's bytes, never by a segment's memory size.
#pragma once

#include <stddef.h>

#include "base/result.h"
#include "base/string_view.h"
#include "exec_types.h"
#include "fsclient/client.h"
#include "loader.h"
#include "programs.h"
#include "runtime/mach.h"
#include "runtime/rights.h"

namespace exec {

// What exec_exec and exec_exec_path ask for, with the request's rights borrowed: start() takes
// them (they become the program's) only when it succeeds, so that a failed request's rights
// are released once, by the server loop.
struct StartRequest {
    mach_port_t directory = MACH_PORT_NULL; // the current directory by default (exec_exec_path)
    base::StringView argv; // packed blocks
    base::StringView envp;
    const mach_port_t* descriptors = nullptr;
    size_t descriptor_count = 0;
    const int* kinds = nullptr;
    size_t kind_count = 0;
    const mach_port_t* ports = nullptr;
    size_t port_count = 0;
    base::StringView name; // for messages: argv[0], else the path
    bool is_init = false;
    // Who asked (Program::number of the program whose exec port the request came on; 0 for
    // exec's own port and for init), charged with the new program against its share.
    unsigned requester = 0;
    // The file is the client's (exec_exec's port, or found through the client's directory):
    // every call on it is bounded by this deadline. nullptr: the file is exec's root's.
    const ClientDeadline* client = nullptr;
};

// The threads exec serves with: at the start, and at most.
constexpr unsigned serving_threads = 3;
constexpr unsigned serving_threads_max = 16;
// The requests one client may have in progress at once (each may wait on its ports).
constexpr unsigned client_requests_max = 2;

class Exec final : public runtime::PortObject {
public:
    // Takes the root directory and the console device; serves the server port.
    base::Result<void> init(runtime::SendRight root, runtime::SendRight console);
    mach_port_t server_port() const { return m_port.name(); }
    const fsclient::Node& root() const { return m_root; }

    // Starts the program in file. On success the request's descriptors and ports are the
    // program's, and it runs.
    base::Result<Program*> start(const fsclient::Node& file, const StartRequest&);
    // The file at path: relative from directory, else (an absolute path, or no directory) from
    // the root of the program that asks: its own root if the request gives one, else exec's
    // root with the starter's identity (default_root); exec's own root for init (no starter).
    // A lookup on a client's port is bounded by client (and *from_client says that the file
    // came from it). So a program can never start a file it could not read itself.
    base::Result<fsclient::Node> open_program(mach_port_t directory, base::StringView path,
        const ClientDeadline* client = nullptr, bool* from_client = nullptr, const StartRequest* starter = nullptr);
    // The exec a request on an exec port came to (exec's own, or a program's), and who the
    // request is charged to (StartRequest::requester); nullptr for any other port.
    static Exec* of_exec_port(mach_port_t port, unsigned* requester);
    // The exec a message on any of its ports came to; nullptr for a port not exec's.
    static Exec* of_port(mach_port_t port);

    // A request of a client in progress, counted against client_requests_max while it lives;
    // admitted() is false when the client already has that many.
    class InProgress {
    public:
        InProgress(Exec&, unsigned requester);
        ~InProgress();
        InProgress(const InProgress&) = delete;
        InProgress& operator=(const InProgress&) = delete;
        bool admitted() const { return m_slot != nullptr; }

    private:
        unsigned* m_slot = nullptr;
    };

    // Starts the first program at path once exec serves: a port with no senders that asks for
    // its no-senders notification gets it at once, so the notification waits in exec's queue
    // as its first request. If init cannot start, exec says why and powers off with status 1.
    // kernel_command_line, if not empty, reaches init's environment as
    // MULTIBOOT_CMDLINE=... (as GNU Mach gives it to a single boot module): init reads
    // bootchain.interactive=1 there.
    base::Result<void> start_init_when_ready(base::StringView path, base::StringView kernel_command_line = {});

    // The handlers (handlers.cpp has the MIG signatures), on the program whose port the
    // request came to.
    kern_return_t wait(Program&, mach_port_t reply, int* how, int* status);
    kern_return_t startup_exit(Program&, int status);
    kern_return_t dead_name(Program&, mach_port_t name);
    void process_released(Program&);
    kern_return_t exception(
        mach_port_t startup, mach_port_t thread, mach_port_t task, int exception, int code, long subcode);

    // The port that starts init: served for it, its no-senders notification queued at once.
    struct InitTrigger final : runtime::PortObject {
        Exec* exec = nullptr;
        runtime::ServedPort port;
        void no_senders(mach_port_mscount_t) override;
    };

private:
    base::Result<runtime::SendRight> default_port(size_t index, const StartRequest&);
    void ended(Program&, int how, int status);
    void release_if_done(Program&);
    [[noreturn]] void init_ended(Program&);
    base::Result<void> start_init();

    runtime::ServedPort m_port;
    InitTrigger m_init_trigger;
    base::BoundedString<EXEC_PATH_MAX + 1> m_init_path;
    base::BoundedString<1024> m_init_environment; // "MULTIBOOT_CMDLINE=..." or empty
    fsclient::Node m_root;
    runtime::SendRight m_console;
    Programs m_programs;
    // The requester (+ 1) of each request in progress; 0: free. A request in progress holds a
    // thread, so there are never more than the threads.
    unsigned m_in_progress[serving_threads_max] = {};
};

// The kind of exec's own server port.
inline constexpr runtime::PortKind<Exec> exec_port { "exec's server port" };
inline constexpr runtime::PortKind<Exec::InitTrigger> init_trigger_port { "exec's start of init" };

// Whether a port name is one exec receives on (a client may send exec a right to its own port).
bool is_own_port(mach_port_t name);

// A code's name and sentence for the console ("FS_ENOENT: no such file or directory").
struct ExecError {
    base::Error error;
};

} // namespace exec

template<> struct base::Formatter<exec::ExecError> {
    static void format(Sink& s, const FormatSpec& spec, const exec::ExecError& e);
};
