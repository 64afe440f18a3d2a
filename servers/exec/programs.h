// The programs exec has started: for each, its task, the two ports exec serves for it (the
// start-up port, its bootstrap and exception port; the process port, its starter's handle)
// and what it was given, until it has ended and nobody holds its process port any more.
// A table of fixed size: a client cannot make exec grow, nor fill it (exec_types.h: each
// client's share; an entry goes as soon as its program has ended and its process port has no
// senders, the reply that would have carried it lost included).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/string_view.h"
#include "exec_types.h"
#include "runtime/mach.h"
#include "runtime/port_objects.h"
#include "runtime/rights.h"

namespace exec {

class Exec;

struct Program final : runtime::PortObject {
    enum class State { Free, Running, Ended };

    State state = State::Free;
    unsigned number = 0; // for messages: the n-th program exec started
    base::BoundedString<64> name; // argv[0] or the path, for messages
    bool is_init = false; // its end powers the machine off

    Exec* exec = nullptr; // the server it is a program of
    runtime::SendRight task;
    runtime::ServedPort startup; // its TASK_BOOTSTRAP_PORT and TASK_EXCEPTION_PORT
    runtime::ServedPort process; // the handle of its end; invalid for init
    bool process_has_senders = false;
    // Its own exec port (its EXEC_PORT_EXEC): exec.defs served as on exec's port, every request
    // charged to this program.
    runtime::ServedPort requests;
    unsigned requester = 0; // the number of the program whose exec port asked for it
                            // (0: exec's own port, or exec itself for init)

    uint64_t entry = 0;
    uint64_t stack_base = 0;
    uint64_t stack_size = 0;
    runtime::SendRight descriptors[EXEC_PORTS_MAX];
    int kinds[EXEC_PORTS_MAX] = {};
    size_t descriptor_count = 0;
    runtime::SendRight ports[EXEC_PORTS_MAX];
    size_t port_count = 0;

    int how = EXEC_END_EXIT;
    int status = 0;
    runtime::SendOnceRight waiter; // the reply port of an exec_wait that waits

    // Only the process port asks for it: nobody holds the handle of its end any more.
    void no_senders(mach_port_mscount_t) override;
};

// The kinds of the ports exec serves for a program (runtime/port_objects.h).
inline constexpr runtime::PortKind<Program> startup_port { "a program's start-up port" };
inline constexpr runtime::PortKind<Program> process_port { "a program's process port" };
inline constexpr runtime::PortKind<Program> requests_port { "a program's exec port" };

class Programs {
public:
    static constexpr size_t capacity = 64;
    // How many entries one client (the program whose exec port a request came on) may hold at
    // once: a quarter of the table, so no client alone fills it (exec_types.h).
    static constexpr size_t client_share = EXEC_CLIENT_SHARE;
    static_assert(client_share < capacity);

    // A free entry of exec's, set to Running with a new number; nullptr when the table is full.
    Program* allocate(Exec&);
    // Releases every right of the entry and frees it.
    void release(Program&);

    // The program a port of that kind is served for; nullptr for any other port.
    static Program* by_port(mach_port_t port, const runtime::PortKind<Program>& kind)
    {
        Program* p = runtime::served(port, kind);
        return p && p->state != Program::State::Free ? p : nullptr;
    }
    // The entries charged to the client with this number (Program::requester).
    size_t charged_to(unsigned requester) const;

private:
    Program m_programs[capacity];
    unsigned m_started = 0;
};

} // namespace exec
