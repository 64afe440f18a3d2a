// What MIG-generated stubs call: mach_msg, the reply-port cache and memory helpers. mach_msg
// gives every RPC that would wait forever for its reply a bound (rpc_timeout_ms), so that a
// dead or stuck server upstream becomes MACH_RCV_TIMED_OUT for the caller, never a hang.
#include "runtime/mach.h"
#include "runtime/msg.h"
#include "runtime/threads.h"

namespace runtime {

static unsigned g_rpc_timeout_ms = 60 * 1000;
// The innermost ClientCallBound and MIG's reply port are the thread's (threads.h): a thread
// waiting on a client's port keeps both while others make RPCs of their own.

void set_rpc_timeout(unsigned milliseconds)
{
    g_rpc_timeout_ms = milliseconds;
}

unsigned rpc_timeout()
{
    return g_rpc_timeout_ms;
}

ClientCallBound::ClientCallBound(unsigned milliseconds)
    : m_previous(this_thread().client_call_ms)
{
    this_thread().client_call_ms = milliseconds ? milliseconds : 1;
}

ClientCallBound::~ClientCallBound()
{
    this_thread().client_call_ms = m_previous;
}

} // namespace runtime

namespace {

// The trap, again after an interruption (the receive alone once the send went).
mach_msg_return_t mach_msg_retrying(mach_msg_header_t* msg, mach_msg_option_t option, mach_msg_size_t send_size,
    mach_msg_size_t rcv_size, mach_port_t rcv_name, mach_msg_timeout_t timeout, mach_port_t notify)
{
    mach_msg_return_t r = mach_msg_trap(msg, option, send_size, rcv_size, rcv_name, timeout, notify);
    while (r == MACH_SEND_INTERRUPTED || r == MACH_RCV_INTERRUPTED) {
        if (r == MACH_SEND_INTERRUPTED)
            r = mach_msg_trap(msg, option, send_size, rcv_size, rcv_name, timeout, notify);
        else
            r = mach_msg_trap(msg, option & ~MACH_SEND_MSG, 0, rcv_size, rcv_name, timeout, notify);
    }
    return r;
}

} // namespace

extern "C" {

mach_msg_return_t mach_msg(mach_msg_header_t* msg, mach_msg_option_t option, mach_msg_size_t send_size,
    mach_msg_size_t rcv_size, mach_port_t rcv_name, mach_msg_timeout_t timeout, mach_port_t notify)
{
    unsigned client_ms = runtime::this_thread().client_call_ms;
    if (client_ms && !(option & (MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT))) {
        // A port a client handed us: the send and the reply wait are bounded apart, so that a
        // full queue fails quickly while a slow answer still has the whole bound. Other
        // threads run meanwhile.
        runtime::OutsideTurn outside(runtime::Wait::Client);
        if (option & MACH_SEND_MSG) {
            unsigned send_ms
                = client_ms < runtime::ClientCallBound::send_ms ? client_ms : runtime::ClientCallBound::send_ms;
            mach_msg_return_t sent;
            do
                sent = mach_msg_trap(
                    msg, (option & ~MACH_RCV_MSG) | MACH_SEND_TIMEOUT, send_size, 0, MACH_PORT_NULL, send_ms, notify);
            while (sent == MACH_SEND_INTERRUPTED);
            if (sent != MACH_MSG_SUCCESS || !(option & MACH_RCV_MSG))
                return sent;
            option &= ~MACH_SEND_MSG;
            send_size = 0;
        }
        option |= MACH_RCV_TIMEOUT;
        timeout = client_ms;
        return mach_msg_retrying(msg, option, send_size, rcv_size, rcv_name, timeout, notify);
    } else if ((option & MACH_RCV_MSG) && !(option & MACH_RCV_TIMEOUT) && runtime::g_rpc_timeout_ms) {
        option |= MACH_RCV_TIMEOUT;
        timeout = runtime::g_rpc_timeout_ms;
    }
    return mach_msg_retrying(msg, option, send_size, rcv_size, rcv_name, timeout, notify);
}

mach_port_t mig_get_reply_port(void)
{
    auto& self = runtime::this_thread();
    if (self.reply_port == MACH_PORT_NULL)
        self.reply_port = mach_reply_port();
    return self.reply_port;
}

void mig_put_reply_port(mach_port_t)
{
}

// Called by a stub after an RPC failed: the port may hold a late reply, so it is replaced.
void mig_dealloc_reply_port(mach_port_t port)
{
    auto& self = runtime::this_thread();
    if (port == self.reply_port)
        self.reply_port = MACH_PORT_NULL;
    mach_port_mod_refs(mach_task_self(), port, MACH_PORT_RIGHT_RECEIVE, -1);
}

void mig_allocate(vm_address_t* addr, vm_size_t size)
{
    if (vm_allocate(mach_task_self(), addr, size, TRUE) != KERN_SUCCESS)
        *addr = 0;
}

void mig_deallocate(vm_address_t addr, vm_size_t size)
{
    vm_deallocate(mach_task_self(), addr, size);
}

vm_size_t mig_strncpy(char* dest, const char* src, vm_size_t len)
{
    if (len == 0)
        return 0;
    vm_size_t i = 0;
    for (; i + 1 < len && src[i]; ++i)
        dest[i] = src[i];
    vm_size_t copied = i;
    for (; i < len; ++i)
        dest[i] = 0;
    return copied;
}
}
