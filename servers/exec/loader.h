// Loads a static ELF64 x86-64 program from the file protocol into a new task, as GNU Mach
// loads a boot module: lib/elf checks the file and plans the pages; here the pages are
// allocated in the task at their fixed addresses, written in bounded windows and protected,
// the initial stack is laid out at the top of user space, and the thread is made, ready to
// run at the entry point.
#pragma once

#include <stdint.h>

#include "base/result.h"
#include "base/string_view.h"
#include "fsclient/client.h"
#include "runtime/mach.h"
#include "runtime/msg.h"
#include "runtime/rights.h"

namespace exec {

// The stack a program gets: lib/elf's place for it (the top of user space), with more room
// than a boot module's 128 KiB (it costs nothing until touched) unless the program's
// PT_GNU_STACK asks for even more, up to max_stack_size.
constexpr uint64_t stack_size = 1024 * 1024;
constexpr uint64_t max_stack_size = 16 * 1024 * 1024;
// The largest program file exec loads.
constexpr uint64_t max_file_size = 256ull << 20;

// How long one request may keep exec waiting, in all, for ports its client handed over (a
// directory to look a path up in, a program file to stat and read, or a file found through
// such a directory). Each call on such a port is bounded by what is left of it
// (runtime::ClientCallBound: a send timeout, so a port with a full queue fails within it, and a
// reply timeout), and once it is spent the request fails with MACH_RCV_TIMED_OUT. The wait is
// the request's own thread's: other clients are served meanwhile (exec.h).
constexpr unsigned client_wait_ms = 5000;

class ClientDeadline {
public:
    // Starts now; ms of 0 is client_wait_ms.
    explicit ClientDeadline(unsigned ms = client_wait_ms);
    // The bound for the next call on the client's port: what is left of the deadline, at most
    // runtime::ClientCallBound::default_ms (3 s; that alone when the kernel tells no time), or
    // MACH_RCV_TIMED_OUT once it is spent.
    base::Result<unsigned> next_bound() const;

private:
    uint64_t m_end_ms = 0; // 0: the kernel tells no time
};

struct Loaded {
    runtime::SendRight thread; // suspended; resumed once the task's ports are set
    uint64_t entry = 0;
    uint64_t stack_base = 0;
    uint64_t stack_size = 0;
    uint64_t rsp = 0;
};

// Loads the program in `file` into `task` (new and empty), with argv and envp as packed blocks
// of zero-terminated strings. Errors: FS_E* from reading, lib/elf's for the file's contents,
// EXEC_E_NOT_REGULAR, EXEC_E_TOO_BIG, EXEC_E_STACK, EXEC_E_NO_MEMORY, EXEC_E_ARGS, or Mach's.
// On an error the task holds whatever was done so far: the caller destroys it. A file that
// is the client's (exec_exec's, or found through the client's directory) is read within
// `client` (nullptr: the file is exec's root filesystem's, read with the runtime's RPC bound).
base::Result<Loaded> load(mach_port_t task, const fsclient::Node& file, base::StringView argv, base::StringView envp,
    const ClientDeadline* client = nullptr);

// Runs call() (one RPC on a client's port, returning a Result) within what is left of client's
// deadline; without a deadline, as it is.
template<typename Call> auto within(const ClientDeadline* client, Call&& call) -> decltype(call())
{
    if (!client)
        return call();
    unsigned ms = TRY(client->next_bound());
    runtime::ClientCallBound bound(ms);
    return call();
}

} // namespace exec
