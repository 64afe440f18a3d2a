// Threads of a module, and the one rule that keeps a module's data safe with them.
//
// A module's code runs on one thread at a time: the running thread holds the module's turn,
// and gives it up only while it waits for a message from outside (OutsideTurn) — a server
// loop waiting for requests, a call on a port a client handed over (runtime::ClientCallBound,
// msg.h), or a sleep. Everything else a thread does, an RPC up the chain included, it does holding the
// turn. So the module's tables, its heap and its console need no locks of their own, and a
// client that never answers keeps only its own thread waiting.
//
// The rule for code that calls a client's port: across that call, other requests run. What
// the caller found before it (a table entry, a pointer into one, a shared buffer) may have
// changed when it returns: look it up again, and keep request data on the thread's own stack.
//
// A module that never starts a thread pays nothing: OutsideTurn is then a no-op.
#pragma once

#include <stddef.h>

#include "base/result.h"
#include "runtime/mach.h"

namespace runtime {

// What the runtime keeps per thread across a wait.
struct ThreadState {
    mach_port_t reply_port = MACH_PORT_NULL; // MIG's reply port (mig_get_reply_port)
    unsigned client_call_ms = 0; // the innermost ClientCallBound in force (0: none)
};

// The state of the thread that holds the turn.
ThreadState& this_thread();

// Whether a second thread was started (the turn is then taken and given up).
bool has_threads();

enum class Wait {
    Client, // a call on a port a client handed over
    Sleep, // runtime::sleep_ms
};

// While one lives, the calling thread does not hold the turn: other threads run. Taken back
// when it goes. A Client wait first calls the hook (set_client_wait_hook), so that a server
// can make sure some thread still waits for requests.
class OutsideTurn {
public:
    explicit OutsideTurn(Wait);
    ~OutsideTurn();
    OutsideTurn(const OutsideTurn&) = delete;
    OutsideTurn& operator=(const OutsideTurn&) = delete;

private:
    ThreadState* m_self = nullptr;
};

void set_client_wait_hook(void (*hook)());

// A server loop's receive, outside the turn, that keeps the order of the messages: one thread
// at a time waits on the port (or port set), and it has the turn back before the next may
// receive, so handlers start in the order their messages came (a program's exit before the
// notification of its task's death). Without threads, the plain receive. With send_reply,
// message holds a reply, sent in the same call without blocking (through a send-once right,
// which never waits, or else with MACH_SEND_TIMEOUT 0), and the request lands in its place: one
// kernel entry for the answer and the next request, and GNU Mach hands the processor straight
// to the client that waits for the answer. A failed send
// returns its status (MACH_SEND_*), and nothing is received.
mach_msg_return_t receive_in_order(
    mach_msg_header_t* message, mach_msg_size_t size, mach_port_t port, bool send_reply = false);

// Starts a thread of this task running entry(argument) with a stack of stack_bytes (a guard
// page below it). It runs once the caller gives up the turn.
static constexpr size_t thread_stack_bytes = 256 * 1024;
base::Result<void> start_thread(void (*entry)(void*), void* argument, size_t stack_bytes = thread_stack_bytes);

} // namespace runtime
