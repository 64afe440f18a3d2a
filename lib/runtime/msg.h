// Message-level helpers: the bound on RPC replies and waiting with a timeout.
#pragma once

#include "runtime/mach.h"

namespace mach {

// The bound mach_msg puts on every RPC reply wait (0: none). Default 60 s.
void set_rpc_timeout(unsigned milliseconds);
unsigned rpc_timeout();

// Sleeps for the given time, using a receive with a timeout on a port nobody sends to.
void sleep_ms(unsigned milliseconds);

} // namespace mach
