// Hand-built Mach messages for the security tests (the attack program and the message fuzzer):
// what MIG stubs cannot express (a forged notification, an unknown id, an in-band array over its
// bound, a reply port of the caller's choice), in GNU Mach's x86_64 typed-IPC format: the
// header, then per item an 8-byte mach_msg_type_t and its data padded to 8 bytes (a port name
// in-line takes 8 bytes, an out-of-line item an 8-byte address).
//
// Every send has a send timeout and every receive a timeout: no server can hang the caller.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/string_view.h"
#include "runtime/mach.h"

namespace raw {

// How MIG describes an item: the long form marks an unbounded array (array[] of ...), in-line
// or not; everything else has the short form.
enum class Form { Short, Long };
// Whether the kernel takes out-of-line memory away from the sender (msgt_deallocate).
enum class Release { Keep, Deallocate };

class Message {
public:
    static constexpr size_t capacity = 8192;

    // An empty message with this id (no rights, no body).
    void begin(mach_msg_id_t id);

    // One in-line item: number elements of bits each (data: (number * bits + 7) / 8 bytes).
    void put_inline(unsigned type_name, unsigned bits, uint32_t number, const void* data, Form form = Form::Short);
    void put_int32(int32_t value) { put_inline(MACH_MSG_TYPE_INTEGER_32, 32, 1, &value); }
    void put_int64(int64_t value) { put_inline(MACH_MSG_TYPE_INTEGER_64, 64, 1, &value); }
    void put_int16(int16_t value) { put_inline(MACH_MSG_TYPE_INTEGER_16, 16, 1, &value); }
    // A MIG c_string: the bytes and a terminating zero, as MACH_MSG_TYPE_STRING_C.
    void put_string(base::StringView text);
    // A MIG variable array of chars, in-line.
    void put_bytes(const void* data, uint32_t count, Form form = Form::Short)
    {
        put_inline(MACH_MSG_TYPE_CHAR, 8, count, data, form);
    }
    // A port right in-line (disposition MACH_MSG_TYPE_COPY_SEND, MAKE_SEND ...); makes the
    // message complex.
    void put_port(mach_port_t name, unsigned disposition);
    // An out-of-line item: the type descriptor claims number elements of bits each at address
    // (the memory need not be that large); makes the message complex.
    void put_out_of_line(unsigned type_name, unsigned bits, uint32_t number, const void* address, Release release,
        Form form = Form::Short);

    mach_msg_header_t* header() { return reinterpret_cast<mach_msg_header_t*>(m_bytes); }
    char* bytes() { return m_bytes; }
    size_t size() const { return m_size; }
    void set_size(size_t size) { m_size = size <= capacity ? size : capacity; }
    void copy_from(const Message& other);
    // Whether put_* ran out of room (the message is then truncated where it stopped).
    bool overflowed() const { return m_overflow; }

private:
    alignas(16) char m_bytes[capacity];
    size_t m_size = 0;
    bool m_overflow = false;
};

// What a call did.
struct Outcome {
    mach_msg_return_t send = MACH_MSG_SUCCESS; // the send's result
    mach_msg_return_t receive = MACH_RCV_TIMED_OUT; // the reply's receive result (no reply: timed out)
    mach_msg_id_t reply_id = 0;
    // The reply's RetCode when it carried one (a mig_reply_header_t), else 0.
    kern_return_t ret_code = 0;
    bool has_ret_code = false;

    bool sent() const { return send == MACH_MSG_SUCCESS; }
    bool replied() const { return receive == MACH_MSG_SUCCESS; }
};

// Where a reply goes: a receive right of the caller's (each call drains what is left in it
// first), how the request carries it (MAKE_SEND_ONCE as MIG does, MAKE_SEND, or none), and how
// long to wait.
struct ReplyTo {
    mach_port_t port = MACH_PORT_NULL;
    unsigned disposition = MACH_MSG_TYPE_MAKE_SEND_ONCE;
    unsigned wait_ms = 3000;
};

// Sends message to destination (dest_disposition: COPY_SEND for a send right we keep), with
// the reply port of `reply` (a null port: no reply port), waiting at most send_ms for room in
// the queue; then waits for the reply as `reply` says, copies it into reply_out when given and
// releases every right and region it carried.
Outcome call(Message& message, mach_port_t destination, unsigned dest_disposition, const ReplyTo& reply,
    unsigned send_ms = 2000, Message* reply_out = nullptr);

// Receives and destroys every message waiting on port (none waits: returns at once); how many.
size_t drain(mach_port_t port, unsigned wait_ms = 0);

// A fresh receive right (MACH_PORT_NULL when the kernel refuses).
mach_port_t new_receive_right();
void destroy_receive_right(mach_port_t port);

} // namespace raw
