// The server loop and message clean-up.
#include "runtime/server.h"

#include "runtime/console.h"
#include "runtime/msg.h"
#include "runtime/runtime.h"
#include "runtime/threads.h"

extern "C" {
#include <mach/notify.h>
}

namespace runtime {

base::Result<void> Server::init()
{
    MACH_TRY(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &m_set), "allocating a port set");
    return {};
}

base::Result<void> Server::add_port(mach_port_t receive)
{
    MACH_TRY(mach_port_move_member(mach_task_self(), receive, m_set), "adding a port to the server");
    return {};
}

base::Result<void> Server::remove_port(mach_port_t receive)
{
    MACH_TRY(mach_port_move_member(mach_task_self(), receive, MACH_PORT_NULL), "removing a port from the server");
    return {};
}

void Server::add_demux(Demux d)
{
    // A demux left out would make its whole interface answer MIG_BAD_ID: a bug to say at once.
    if (m_demux_count == max_demuxers) {
        report("server: more than {} interfaces on one server loop; raise Server::max_demuxers", max_demuxers);
        exit_task(1);
    }
    m_demux[m_demux_count++] = d;
}

static void release_right(mach_port_t name, unsigned type)
{
    if (!MACH_PORT_VALID(name))
        return;
    switch (type) {
    case MACH_MSG_TYPE_PORT_RECEIVE:
        mach_port_mod_refs(mach_task_self(), name, MACH_PORT_RIGHT_RECEIVE, -1);
        break;
    case MACH_MSG_TYPE_PORT_SEND:
    case MACH_MSG_TYPE_PORT_SEND_ONCE:
        mach_port_deallocate(mach_task_self(), name);
        break;
    default:
        break;
    }
}

static bool is_port_type(unsigned t)
{
    return t == MACH_MSG_TYPE_PORT_RECEIVE || t == MACH_MSG_TYPE_PORT_SEND || t == MACH_MSG_TYPE_PORT_SEND_ONCE;
}

bool is_kernel_notification(const mach_msg_header_t* m)
{
    return m->msgh_id >= MACH_NOTIFY_FIRST && m->msgh_id <= MACH_NOTIFY_LAST
        && MACH_MSGH_BITS_LOCAL(m->msgh_bits) == MACH_MSG_TYPE_PORT_SEND_ONCE && m->msgh_remote_port == MACH_PORT_NULL;
}

bool claims_rights_or_memory_without_complex_bit(const mach_msg_header_t* m)
{
    if (m->msgh_bits & MACH_MSGH_BITS_COMPLEX)
        return false;
    // The kernel carried the body as plain bytes: an "out-of-line" address or a "port name" in
    // it is whatever the sender wrote. MIG's stubs check the descriptors but not the bit.
    const char* p = reinterpret_cast<const char*>(m + 1);
    const char* end = reinterpret_cast<const char*>(m) + m->msgh_size;
    while (p + sizeof(mach_msg_type_t) <= end) {
        auto* t = reinterpret_cast<const mach_msg_type_long_t*>(p);
        if (!t->msgtl_inline || is_port_type(t->msgtl_name))
            return true;
        unsigned long bytes = (static_cast<unsigned long>(t->msgtl_number) * t->msgtl_size + 7) / 8;
        p += sizeof(mach_msg_type_long_t);
        if (bytes > static_cast<unsigned long>(end - p))
            return false; // malformed: MIG's own checks refuse it
        p += (bytes + 7) & ~7UL;
    }
    return false;
}

bool strings_terminated(const mach_msg_header_t* m)
{
    const char* p = reinterpret_cast<const char*>(m + 1);
    const char* end = reinterpret_cast<const char*>(m) + m->msgh_size;
    while (p + sizeof(mach_msg_type_long_t) <= end) {
        auto* t = reinterpret_cast<const mach_msg_type_long_t*>(p);
        unsigned long bytes = (static_cast<unsigned long>(t->msgtl_number) * t->msgtl_size + 7) / 8;
        p += sizeof(mach_msg_type_long_t);
        if (!t->msgtl_inline) {
            // No interface here sends a string out of line.
            if (t->msgtl_name == MACH_MSG_TYPE_STRING_C)
                return false;
            p += sizeof(void*);
            continue;
        }
        if (bytes > static_cast<unsigned long>(end - p))
            return true; // malformed: MIG's own size checks refuse it
        if (t->msgtl_name == MACH_MSG_TYPE_STRING_C) {
            bool zero = false;
            for (unsigned long i = 0; i < bytes && !zero; ++i)
                zero = p[i] == 0;
            if (!zero)
                return false;
        }
        p += (bytes + 7) & ~7UL;
    }
    return true;
}

void destroy_message(mach_msg_header_t* m, MessageDirection direction)
{
    // A received message's remote port is its reply right; an unsent one's is its destination.
    // A received message's local port is its destination (no reference of ours); an unsent
    // one's is the reply right it would have carried, made from a right we keep.
    release_right(m->msgh_remote_port, MACH_MSGH_BITS_REMOTE(m->msgh_bits));
    if (direction == MessageDirection::Unsent)
        release_right(m->msgh_local_port, MACH_MSGH_BITS_LOCAL(m->msgh_bits));
    if (!(m->msgh_bits & MACH_MSGH_BITS_COMPLEX))
        return;
    char* p = reinterpret_cast<char*>(m + 1);
    char* end = reinterpret_cast<char*>(m) + m->msgh_size;
    while (p + sizeof(mach_msg_type_t) <= end) {
        auto* t = reinterpret_cast<mach_msg_type_long_t*>(p);
        unsigned name = t->msgtl_name;
        unsigned bits = t->msgtl_size;
        unsigned long number = t->msgtl_number;
        bool inline_data = t->msgtl_inline;
        p += sizeof(mach_msg_type_long_t);
        unsigned long bytes = (number * bits + 7) / 8;
        if (inline_data) {
            if (bytes > static_cast<unsigned long>(end - p))
                return;
            if (is_port_type(name) && bits == 64)
                for (unsigned long i = 0; i < number; ++i)
                    release_right(*reinterpret_cast<mach_port_t*>(p + 8 * i), name);
            p += (bytes + 7) & ~7UL;
        } else {
            if (sizeof(void*) > static_cast<unsigned long>(end - p))
                return;
            void* data = *reinterpret_cast<void**>(p);
            p += sizeof(void*);
            if (!data)
                continue;
            if (is_port_type(name)) {
                auto* names = static_cast<mach_port_t*>(data);
                bytes = number * sizeof(mach_port_t);
                for (unsigned long i = 0; i < number; ++i)
                    release_right(names[i], name);
            }
            vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(data), bytes);
        }
    }
}

namespace {
// A reply that could not be sent: what it carries goes with it.
void drop_reply(mach_msg_header_t* reply, mach_msg_return_t r)
{
    if (r == MACH_SEND_INVALID_DEST || r == MACH_SEND_TIMED_OUT) // the client went, or its queue is full
        destroy_message(reply, MessageDirection::Unsent);
}
} // namespace

void Server::send_waiting_reply(Buffers& buffers)
{
    if (!buffers.reply_waiting)
        return;
    buffers.reply_waiting = false;
    mach_msg_header_t* reply = buffers.at(buffers.request);
    mach_msg_return_t r = mach_msg_trap(
        reply, MACH_SEND_MSG | MACH_SEND_TIMEOUT, reply->msgh_size, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
    if (r != MACH_MSG_SUCCESS)
        drop_reply(reply, r);
}

base::Result<void> Server::serve_one(Buffers& buffers)
{
    auto* request = buffers.at(buffers.request);
    ++m_receiving;
    mach_msg_return_t r = receive_in_order(request, message_bytes, m_set, buffers.reply_waiting);
    // MACH_SEND_*: the waiting reply was not sent, and nothing was received.
    bool send_failed = (r & 0xffffc000) == 0x10000000 && r != MACH_MSG_SUCCESS;
    if (buffers.reply_waiting && send_failed) {
        buffers.reply_waiting = false;
        drop_reply(request, r);
        r = receive_in_order(request, message_bytes, m_set);
    }
    buffers.reply_waiting = false;
    --m_receiving;
    if (r == MACH_RCV_TOO_LARGE) {
        report("a request larger than {} bytes was refused", message_bytes);
        return {};
    }
    if (r != MACH_MSG_SUCCESS)
        return base::Error(r, "receiving a request");
    auto* reply = reinterpret_cast<mig_reply_header_t*>(buffers.at(1 - buffers.request));

    // The reply header as MIG servers expect it.
    reply->Head.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(request->msgh_bits), 0);
    reply->Head.msgh_size = sizeof(mig_reply_header_t);
    reply->Head.msgh_remote_port = request->msgh_remote_port;
    reply->Head.msgh_local_port = MACH_PORT_NULL;
    reply->Head.msgh_seqno = 0;
    reply->Head.msgh_id = request->msgh_id + 100;

    // Refused before any handler sees them: a notification the kernel did not send (an unknown
    // id, as if it were none of ours), and a simple message whose body claims rights or memory.
    kern_return_t refusal = KERN_SUCCESS;
    if (request->msgh_id >= MACH_NOTIFY_FIRST && request->msgh_id <= MACH_NOTIFY_LAST
        && !is_kernel_notification(request))
        refusal = MIG_BAD_ID;
    else if (claims_rights_or_memory_without_complex_bit(request) || !strings_terminated(request))
        refusal = MIG_BAD_ARGUMENTS;
    bool handled = false;
    for (size_t i = 0; i < m_demux_count && !handled && refusal == KERN_SUCCESS; ++i)
        handled = m_demux[i](request, &reply->Head);
    if (!handled) {
        // Not ours (MIG_BAD_ID as every MIG server answers), or refused above.
        static const mach_msg_type_t ret_code_type = { MACH_MSG_TYPE_INTEGER_32, 32, 0, 1, 0, 0, 1 };
        reply->RetCodeType = ret_code_type;
        reply->RetCode = refusal != KERN_SUCCESS ? refusal : MIG_BAD_ID;
    }

    if (reply->RetCode == MIG_NO_REPLY)
        return {};
    if (reply->RetCode != KERN_SUCCESS) {
        // The handler did not take the request's resources: release them, but not the reply
        // right, which the error reply below uses.
        request->msgh_remote_port = MACH_PORT_NULL;
        destroy_message(request, MessageDirection::Received);
    }
    if (!MACH_PORT_VALID(reply->Head.msgh_remote_port)) {
        if (reply->Head.msgh_bits & MACH_MSGH_BITS_COMPLEX)
            destroy_message(&reply->Head, MessageDirection::Unsent);
        return {};
    }
    // The reply goes with the next receive; the next request lands where it is.
    buffers.request = 1 - buffers.request;
    buffers.reply_waiting = true;
    return {};
}

namespace {
Server* g_threaded_server = nullptr;
}

base::Result<void> Server::serve_with_threads(unsigned threads, unsigned max_threads)
{
    if (g_threaded_server && g_threaded_server != this)
        return base::Error(KERN_FAILURE, "a second server of this module asked for threads");
    g_threaded_server = this;
    m_max_threads = max_threads > threads ? max_threads : threads;
    set_client_wait_hook(&Server::before_client_wait);
    m_threads = 0; // the first thread does not serve (run())
    while (m_threads < threads)
        TRY(start_thread());
    return {};
}

base::Result<void> Server::start_thread()
{
    TRY(runtime::start_thread(&Server::thread_main, this));
    ++m_threads;
    return {};
}

void Server::thread_main(void* server)
{
    auto* self = static_cast<Server*>(server);
    // Its messages on its own stack (thread_stack_bytes is far more than the two buffers).
    Buffers buffers;
    for (;;) {
        auto r = self->serve_one(buffers);
        if (r.is_error())
            report("server loop: {}", r.error());
    }
}

void Server::before_client_wait()
{
    Server* s = g_threaded_server;
    if (!s || s->m_receiving > 0 || s->m_threads >= s->m_max_threads)
        return;
    auto started = s->start_thread();
    if (started.is_error())
        report("server loop: one more thread: {}", started.error());
}

void Server::run()
{
    m_stopping = false;
    if (g_threaded_server == this) {
        // Handlers run on the serving threads, whose stacks are thread_stack_bytes: the kernel
        // gives a boot module's first thread only 64 KiB (GNU Mach's kern/bootstrap.c), which a
        // deep handler can overrun. The first thread only waits.
        for (;;)
            sleep_ms(60 * 1000);
    }
    while (!m_stopping) {
        auto r = serve_one(m_buffers);
        if (r.is_error())
            report("server loop: {}", r.error());
    }
    send_waiting_reply(m_buffers);
}

} // namespace runtime
