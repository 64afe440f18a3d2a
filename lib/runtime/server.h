// A server loop that receives on a port set and hands each request to the MIG demux
// functions registered with it, in order, then sends the reply. Handlers are plain functions
// that the generated demux calls; the loop owns the receive, the reply and the clean-up.
//
// The ownership rule, for every handler of every server (MIG's own convention):
//   - A handler that returns KERN_SUCCESS (or MIG_NO_REPLY) owns every right and every
//     out-of-line region the request carried, the reply right included when it answers
//     MIG_NO_REPLY: it keeps them or releases them itself.
//   - A handler that returns anything else owns none of them and must not release any: the
//     loop releases exactly what the message carried, once, and sends the error reply.
//   - A request no demux knows (an unknown id) is treated as an error reply (MIG_BAD_ID).
//   - The destination right is never the receiver's to release: receiving a message does not
//     give a reference to the port it was sent to.
// Notifications (ids 64-72) are accepted only from the kernel: the kernel sends them through
// the send-once right it was given by mach_port_request_notification, a right nobody else can
// hold because only the holder of a receive right can make send-once rights to it, and no
// server gives them away. A message with a notification id that did not come through a
// send-once right, or that carries a reply port, was forged by a client: it is refused as an
// unknown id, so a forged no-senders or dead-name message changes nothing. A simple message
// (no complex bit) whose body claims out-of-line memory or port rights is refused with
// MIG_BAD_ARGUMENTS: the kernel carried those words as plain bytes, and MIG's stubs would take
// an address in the server's own memory for the client's data. So is a request with an in-line
// C string (a name, a path) that holds no zero within its own bytes: MIG checks the string's
// size against the message, not its end, and every handler would read past it.
#pragma once

#include "base/result.h"
#include "runtime/mach.h"
#include "runtime/rights.h"

namespace runtime {

using Demux = boolean_t (*)(mach_msg_header_t* request, mach_msg_header_t* reply);

class Server {
public:
    static constexpr size_t max_demuxers = 12;
    static constexpr size_t message_bytes = 8192;

    base::Result<void> init();
    // Moves a receive right into the set; the server serves it from now on.
    base::Result<void> add_port(mach_port_t receive);
    base::Result<void> remove_port(mach_port_t receive);
    void add_demux(Demux);

    // Serves until stop() is called by a handler.
    void run();
    void stop() { m_stopping = true; }
    mach_port_t port_set() const { return m_set; }

    // Serves with threads of their own (runtime/threads.h), from run() on: `threads` serve from
    // the start, and one more starts, up to max_threads, whenever a handler is about to wait on
    // a client's port while no other thread waits for requests. So a client that never answers
    // holds one thread, and the others go on serving. The module's first thread no longer
    // serves (its stack is small). Only one server of a module does this.
    base::Result<void> serve_with_threads(unsigned threads, unsigned max_threads);

private:
    // A loop's two message buffers. The request lands in one and the reply is made in the
    // other; the reply then waits there and goes out with the next receive (one kernel entry
    // for both), which lands the next request in the same buffer: the two swap roles.
    struct Buffers {
        alignas(16) char message[2][message_bytes];
        unsigned request = 0; // the buffer the next request lands in (and a waiting reply is in)
        bool reply_waiting = false;
        mach_msg_header_t* at(unsigned i) { return reinterpret_cast<mach_msg_header_t*>(message[i]); }
    };
    base::Result<void> serve_one(Buffers&);
    // Sends a reply that waits, on its own (a loop that stops).
    void send_waiting_reply(Buffers&);
    base::Result<void> start_thread();
    static void thread_main(void* server);
    static void before_client_wait();

    mach_port_t m_set = MACH_PORT_NULL;
    Demux m_demux[max_demuxers] = {};
    size_t m_demux_count = 0;
    bool m_stopping = false;
    unsigned m_threads = 1; // serving (with threads: the serving threads, not the first one)
    unsigned m_max_threads = 1;
    unsigned m_receiving = 0; // threads waiting for a request
    Buffers m_buffers; // the main thread's
};

// Releases every right and every out-of-line region a message carries: the reply right and the
// body of a received message (never its destination, which the receiver holds no reference
// for), or the destination and body of a message that could not be sent. A bounded walk that
// stops at the first malformed descriptor.
enum class MessageDirection { Received, Unsent };
void destroy_message(mach_msg_header_t* message, MessageDirection);

// Whether a simple message's body has descriptors of out-of-line data or port rights.
bool claims_rights_or_memory_without_complex_bit(const mach_msg_header_t* message);

// Whether every in-line C string of a message has its zero within its own bytes.
bool strings_terminated(const mach_msg_header_t* message);

// Whether a received message is a notification that only the kernel could have sent.
bool is_kernel_notification(const mach_msg_header_t* message);

} // namespace runtime
