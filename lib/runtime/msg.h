// Message-level helpers: the bound on RPC replies and waiting with a timeout.
#pragma once

#include "runtime/mach.h"

namespace runtime {

// The bound mach_msg puts on every RPC reply wait (0: none). Default 60 s.
void set_rpc_timeout(unsigned milliseconds);
unsigned rpc_timeout();

// Calls on a port a client handed us (a directory, a file, a reply port of its own) are
// bounded tighter than RPCs up the chain: while one of these lives, every RPC's send waits at
// most send_ms (or `milliseconds`, if less) for room in the destination's queue
// (MACH_SEND_TIMEOUT) and its reply at most `milliseconds`, so a client that stops answering,
// or hands us a port with a full queue, costs the server that long and no more. Scopes nest;
// the innermost bound applies.
class ClientCallBound {
public:
    static constexpr unsigned default_ms = 3000;
    static constexpr unsigned send_ms = 500;
    explicit ClientCallBound(unsigned milliseconds = default_ms);
    ~ClientCallBound();
    ClientCallBound(const ClientCallBound&) = delete;
    ClientCallBound& operator=(const ClientCallBound&) = delete;

private:
    unsigned m_previous;
};

// Sleeps for the given time, using a receive with a timeout on a port nobody sends to.
void sleep_ms(unsigned milliseconds);

} // namespace runtime
