// Hand-built Mach messages: building, a bounded call, draining (raw_message.h).
#include "raw_message.h"

#include "runtime/server.h"

namespace raw {

namespace {

constexpr size_t align8(size_t n)
{
    return (n + 7) & ~size_t(7);
}

enum class Placement { Inline, OutOfLine };

mach_msg_type_t type_of(unsigned type_name, unsigned bits, uint32_t number, Placement placement,
    Release release = Release::Keep, Form form = Form::Short)
{
    mach_msg_type_t t {};
    t.msgt_name = type_name;
    t.msgt_size = bits;
    t.msgt_number = number;
    t.msgt_inline = placement == Placement::Inline;
    t.msgt_longform = form == Form::Long;
    t.msgt_deallocate = release == Release::Deallocate;
    t.msgt_unused = 0;
    return t;
}

// The receive buffer of replies (one call at a time: the programs are single-threaded).
alignas(16) char g_reply[Message::capacity];

} // namespace

void Message::begin(mach_msg_id_t id)
{
    __builtin_memset(m_bytes, 0, sizeof(mach_msg_header_t));
    header()->msgh_id = id;
    m_size = sizeof(mach_msg_header_t);
    m_overflow = false;
}

void Message::put_inline(unsigned type_name, unsigned bits, uint32_t number, const void* data, Form form)
{
    size_t bytes = (static_cast<size_t>(number) * bits + 7) / 8;
    if (m_size + sizeof(mach_msg_type_t) + align8(bytes) > capacity) {
        m_overflow = true;
        return;
    }
    mach_msg_type_t t = type_of(type_name, bits, number, Placement::Inline, Release::Keep, form);
    __builtin_memcpy(m_bytes + m_size, &t, sizeof t);
    m_size += sizeof t;
    __builtin_memset(m_bytes + m_size, 0, align8(bytes));
    if (data)
        __builtin_memcpy(m_bytes + m_size, data, bytes);
    m_size += align8(bytes);
}

void Message::put_string(base::StringView text)
{
    size_t n = text.size();
    if (m_size + sizeof(mach_msg_type_t) + align8(n + 1) > capacity) {
        m_overflow = true;
        return;
    }
    mach_msg_type_t t = type_of(MACH_MSG_TYPE_STRING_C, 8, static_cast<uint32_t>(n + 1), Placement::Inline);
    __builtin_memcpy(m_bytes + m_size, &t, sizeof t);
    m_size += sizeof t;
    __builtin_memset(m_bytes + m_size, 0, align8(n + 1));
    __builtin_memcpy(m_bytes + m_size, text.data(), n);
    m_size += align8(n + 1);
}

void Message::put_port(mach_port_t name, unsigned disposition)
{
    uint64_t slot = name; // mach_port_name_inlined_t: the name in the low half
    put_inline(disposition, 64, 1, &slot);
    header()->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
}

void Message::put_out_of_line(
    unsigned type_name, unsigned bits, uint32_t number, const void* address, Release release, Form form)
{
    if (m_size + sizeof(mach_msg_type_t) + sizeof(void*) > capacity) {
        m_overflow = true;
        return;
    }
    mach_msg_type_t t = type_of(type_name, bits, number, Placement::OutOfLine, release, form);
    __builtin_memcpy(m_bytes + m_size, &t, sizeof t);
    m_size += sizeof t;
    __builtin_memcpy(m_bytes + m_size, &address, sizeof address);
    m_size += sizeof address;
    header()->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
}

void Message::copy_from(const Message& other)
{
    __builtin_memcpy(m_bytes, other.m_bytes, other.m_size);
    m_size = other.m_size;
    m_overflow = other.m_overflow;
}

Outcome call(Message& message, mach_port_t destination, unsigned dest_disposition, const ReplyTo& reply,
    unsigned send_ms, Message* reply_out)
{
    Outcome out;
    bool has_reply = MACH_PORT_VALID(reply.port) && reply.disposition != 0;
    if (MACH_PORT_VALID(reply.port))
        drain(reply.port);
    mach_msg_header_t* h = message.header();
    h->msgh_bits
        = (h->msgh_bits & MACH_MSGH_BITS_COMPLEX) | MACH_MSGH_BITS(dest_disposition, has_reply ? reply.disposition : 0);
    h->msgh_remote_port = destination;
    h->msgh_local_port = has_reply ? reply.port : MACH_PORT_NULL;
    h->msgh_seqno = 0;
    h->msgh_size = static_cast<mach_msg_size_t>(message.size());
    out.send = mach_msg(h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, static_cast<mach_msg_size_t>(message.size()), 0,
        MACH_PORT_NULL, send_ms, MACH_PORT_NULL);
    if (out.send != MACH_MSG_SUCCESS || !MACH_PORT_VALID(reply.port) || reply.wait_ms == 0)
        return out;
    auto* r = reinterpret_cast<mach_msg_header_t*>(g_reply);
    out.receive
        = mach_msg(r, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof g_reply, reply.port, reply.wait_ms, MACH_PORT_NULL);
    if (out.receive != MACH_MSG_SUCCESS)
        return out;
    out.reply_id = r->msgh_id;
    if (r->msgh_size >= sizeof(mig_reply_header_t)) {
        auto* m = reinterpret_cast<mig_reply_header_t*>(r);
        if (m->RetCodeType.msgt_name == MACH_MSG_TYPE_INTEGER_32 && m->RetCodeType.msgt_size == 32) {
            out.ret_code = m->RetCode;
            out.has_ret_code = true;
        }
    }
    if (reply_out) {
        size_t n = r->msgh_size < Message::capacity ? r->msgh_size : Message::capacity;
        __builtin_memcpy(reply_out->bytes(), g_reply, n);
        reply_out->set_size(n);
    }
    runtime::destroy_message(r, runtime::MessageDirection::Received);
    return out;
}

size_t drain(mach_port_t port, unsigned wait_ms)
{
    size_t count = 0;
    auto* r = reinterpret_cast<mach_msg_header_t*>(g_reply);
    for (;;) {
        mach_msg_return_t got
            = mach_msg(r, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof g_reply, port, wait_ms, MACH_PORT_NULL);
        if (got == MACH_RCV_TOO_LARGE) {
            ++count; // the kernel dropped it
            continue;
        }
        if (got != MACH_MSG_SUCCESS)
            return count;
        runtime::destroy_message(r, runtime::MessageDirection::Received);
        ++count;
        wait_ms = 0;
    }
}

mach_port_t new_receive_right()
{
    mach_port_t port = MACH_PORT_NULL;
    if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port) != KERN_SUCCESS)
        return MACH_PORT_NULL;
    return port;
}

void destroy_receive_right(mach_port_t port)
{
    if (MACH_PORT_VALID(port))
        mach_port_mod_refs(mach_task_self(), port, MACH_PORT_RIGHT_RECEIVE, -1);
}

} // namespace raw
