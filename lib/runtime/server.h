// A server loop that receives on a port set and hands each request to the MIG demux
// functions registered with it, in order, then sends the reply. Handlers are plain functions
// that the generated demux calls; the loop owns the receive, the reply and the clean-up of a
// request that failed (its rights and out-of-line memory are released).
#pragma once

#include "base/result.h"
#include "runtime/mach.h"
#include "runtime/rights.h"

namespace mach {

using Demux = boolean_t (*)(mach_msg_header_t* request, mach_msg_header_t* reply);

class Server {
public:
    static constexpr size_t max_demuxers = 8;
    static constexpr size_t message_bytes = 8192;

    base::Result<void> init();
    // Moves a receive right into the set; the server serves it from now on.
    base::Result<void> add_port(mach_port_t receive);
    base::Result<void> remove_port(mach_port_t receive);
    void add_demux(Demux);

    // Serves one request; waits at most timeout_ms (0: forever). MACH_RCV_TIMED_OUT when idle.
    base::Result<void> serve_one(unsigned timeout_ms = 0);
    // Serves until stop() is called by a handler.
    void run();
    void stop() { m_stopping = true; }
    mach_port_t port_set() const { return m_set; }

private:
    mach_port_t m_set = MACH_PORT_NULL;
    Demux m_demux[max_demuxers] = {};
    size_t m_demux_count = 0;
    bool m_stopping = false;
    alignas(16) char m_request[message_bytes];
    alignas(16) char m_reply[message_bytes];
};

// Releases every right and every out-of-line region a received message carries (its header
// ports included); a bounded walk that stops at the first malformed descriptor.
void destroy_message(mach_msg_header_t* message);

} // namespace mach
