// The module's turn and its threads (threads.h).
//
// The turn is a lock of the task's own: a count of the threads that hold or want it, and a port
// that carries the token from one thread to the next when there is a next. A thread that takes
// the turn nobody holds only counts itself in, and one that gives it up with nobody waiting
// only counts itself out: no kernel entry, so a server's request costs the kernel no more than
// its receive and its reply. A thread that finds the turn held waits on the port for the token,
// and the kernel queues such threads in order; the holder sends the token when it gives up the
// turn and its count says someone waits. The main thread holds the turn from the start, so
// nothing of this exists until a second thread is started. A second such lock, the right to
// receive requests, orders the server loops' receives the same way.
#include "runtime/threads.h"

#include "runtime/console.h"

namespace runtime {

namespace {

struct Token {
    unsigned waiting = 0; // threads that hold it or want it
    mach_port_t port = MACH_PORT_NULL; // receive right and a send right, same name
};

ThreadState g_main_thread;
ThreadState* g_running = &g_main_thread;
Token g_turn;
Token g_receiving;
void (*g_client_wait_hook)() = nullptr;

void send_token(mach_port_t port)
{
    mach_msg_header_t token {};
    token.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
    token.msgh_size = sizeof token;
    token.msgh_remote_port = port;
    mach_msg_return_t r;
    do
        r = mach_msg_trap(&token, MACH_SEND_MSG, sizeof token, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
    while (r == MACH_SEND_INTERRUPTED);
    // Only the holder sends, once, and its successor takes the token before it can send again:
    // the queue holds at most one. Only a broken task fails here, and every other thread would
    // then wait for ever.
    if (r != MACH_MSG_SUCCESS) {
        report("giving a token to the other threads failed ({}): ending the task", base::Status { r });
        exit_task(1);
    }
}

void receive_token(mach_port_t port)
{
    // No bound: the turn comes back as soon as the thread holding it waits, and a thread
    // holding it waits on nothing unbounded (every RPC has the runtime's bound, msg.h); the
    // right to receive comes back once its holder has a request and the turn.
    struct {
        mach_msg_header_t header;
        char slack[64];
    } token;
    mach_msg_return_t r;
    do
        r = mach_msg_trap(&token.header, MACH_RCV_MSG, 0, sizeof token, port, 0, MACH_PORT_NULL);
    while (r == MACH_RCV_INTERRUPTED);
    if (r != MACH_MSG_SUCCESS) {
        report("taking a token failed ({}): ending the task", base::Status { r });
        exit_task(1);
    }
}

void take_token(Token& t)
{
    if (__atomic_fetch_add(&t.waiting, 1, __ATOMIC_ACQUIRE) > 0)
        receive_token(t.port);
}

void give_token(Token& t)
{
    if (__atomic_fetch_sub(&t.waiting, 1, __ATOMIC_RELEASE) > 1)
        send_token(t.port);
}

base::Result<void> make_token(Token& t, bool held)
{
    MACH_TRY(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &t.port), "allocating a token port");
    MACH_TRY(
        mach_port_insert_right(mach_task_self(), t.port, t.port, MACH_MSG_TYPE_MAKE_SEND), "making its send right");
    t.waiting = held ? 1 : 0;
    return {};
}

void give_turn()
{
    give_token(g_turn);
}

void take_turn(ThreadState* self)
{
    take_token(g_turn);
    g_running = self;
}

struct ThreadStart {
    void (*entry)(void*);
    void* argument;
};

[[noreturn]] void thread_main(ThreadStart* start)
{
    ThreadState self;
    take_turn(&self);
    start->entry(start->argument);
    // An entry that returns ends its thread (its stack stays: threads here serve for ever).
    give_turn();
    thread_terminate(mach_thread_self());
    for (;;)
        swtch_pri(0);
}

} // namespace

ThreadState& this_thread()
{
    return *g_running;
}

bool has_threads()
{
    return MACH_PORT_VALID(g_turn.port);
}

void set_client_wait_hook(void (*hook)())
{
    g_client_wait_hook = hook;
}

OutsideTurn::OutsideTurn(Wait wait)
{
    if (!has_threads())
        return;
    if (wait == Wait::Client && g_client_wait_hook) {
        // The hook's own kernel calls (a new thread's stack, its creation) are no calls on a
        // client's port: without the bound they do not come back here.
        unsigned bound = g_running->client_call_ms;
        g_running->client_call_ms = 0;
        g_client_wait_hook();
        g_running->client_call_ms = bound;
    }
    m_self = g_running;
    g_running = nullptr;
    give_turn();
}

OutsideTurn::~OutsideTurn()
{
    if (m_self)
        take_turn(m_self);
}

namespace {
mach_msg_return_t reply_and_receive(mach_msg_header_t* message, mach_msg_size_t size, mach_port_t port, bool send)
{
    // A reply through a send-once right never waits: the kernel queues it past the port's
    // limit (ipc/ipc_mqueue.c). It goes without a send timeout, so the options are exactly
    // SEND|RCV, the one combination GNU Mach's fast path takes (ipc/mach_msg.c), which hands the
    // processor straight to the waiting client. A reply through any other right a client named
    // keeps its bound (MACH_SEND_TIMEOUT 0): that port's queue may be full.
    bool bounded = send && MACH_MSGH_BITS_REMOTE(message->msgh_bits) != MACH_MSG_TYPE_MOVE_SEND_ONCE;
    mach_msg_option_t options = MACH_RCV_MSG | (send ? MACH_SEND_MSG : 0) | (bounded ? MACH_SEND_TIMEOUT : 0);
    mach_msg_return_t r;
    do
        r = mach_msg_trap(message, options, send ? message->msgh_size : 0, size, port, 0, MACH_PORT_NULL);
    while (r == MACH_SEND_INTERRUPTED);
    // Sent, if there was a reply: only the receive is left.
    while (r == MACH_RCV_INTERRUPTED)
        r = mach_msg_trap(message, MACH_RCV_MSG, 0, size, port, 0, MACH_PORT_NULL);
    return r;
}
} // namespace

mach_msg_return_t receive_in_order(mach_msg_header_t* message, mach_msg_size_t size, mach_port_t port, bool send_reply)
{
    if (!has_threads())
        return reply_and_receive(message, size, port, send_reply);
    // The reply goes first, on its own: another thread may hold the right to receive for as
    // long as no request comes, and the client must not wait for that.
    if (send_reply) {
        mach_msg_return_t sent;
        do
            sent = mach_msg_trap(
                message, MACH_SEND_MSG | MACH_SEND_TIMEOUT, message->msgh_size, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
        while (sent == MACH_SEND_INTERRUPTED);
        if (sent != MACH_MSG_SUCCESS)
            return sent;
    }
    ThreadState* self = g_running;
    g_running = nullptr;
    give_turn();
    take_token(g_receiving);
    mach_msg_return_t r = reply_and_receive(message, size, port, false);
    take_turn(self);
    give_token(g_receiving);
    return r;
}

base::Result<void> start_thread(void (*entry)(void*), void* argument, size_t stack_bytes)
{
    if (!has_threads()) {
        // The main thread holds the turn; the right to receive is free.
        TRY(make_token(g_receiving, false));
        TRY(make_token(g_turn, true));
    }
    constexpr size_t page = 4096;
    stack_bytes = (stack_bytes + page - 1) & ~(page - 1);
    vm_address_t stack = 0;
    MACH_TRY(vm_allocate(mach_task_self(), &stack, stack_bytes + page, TRUE), "allocating a thread's stack");
    // A guard page below the stack: an overflow faults instead of writing over other memory.
    vm_protect(mach_task_self(), stack, page, FALSE, VM_PROT_NONE);
    uintptr_t top = stack + page + stack_bytes;
    auto* start = reinterpret_cast<ThreadStart*>(top - sizeof(ThreadStart));
    start->entry = entry;
    start->argument = argument;
    // As after a call: the return address's slot below a 16-byte aligned stack.
    uint64_t rsp = ((reinterpret_cast<uintptr_t>(start) - 64) & ~uintptr_t(15)) - 8;

    thread_t thread = MACH_PORT_NULL;
    kern_return_t r = thread_create(mach_task_self(), &thread);
    if (r != KERN_SUCCESS) {
        vm_deallocate(mach_task_self(), stack, stack_bytes + page);
        return base::Error(r, "creating a thread (thread_create)");
    }
    struct i386_thread_state state { };
    mach_msg_type_number_t count = i386_THREAD_STATE_COUNT;
    r = thread_get_state(thread, i386_THREAD_STATE, reinterpret_cast<thread_state_t>(&state), &count);
    if (r == KERN_SUCCESS) {
        state.rip = reinterpret_cast<uintptr_t>(&thread_main);
        state.rdi = reinterpret_cast<uintptr_t>(start);
        state.rbp = 0;
        state.rsp = rsp;
        state.ursp = rsp;
        r = thread_set_state(
            thread, i386_THREAD_STATE, reinterpret_cast<thread_state_t>(&state), i386_THREAD_STATE_COUNT);
    }
    if (r == KERN_SUCCESS)
        r = thread_resume(thread);
    if (r != KERN_SUCCESS) {
        thread_terminate(thread);
        mach_port_deallocate(mach_task_self(), thread);
        vm_deallocate(mach_task_self(), stack, stack_bytes + page);
        return base::Error(r, "starting a thread");
    }
    mach_port_deallocate(mach_task_self(), thread);
    return {};
}

} // namespace runtime
