// The programs exec has started: for each, its task, the two ports exec serves for it (the
// start-up port, its bootstrap and exception port; the process port, its starter's handle)
// and what it was given, until it has ended and nobody holds its process port any more.
// A table of fixed size: a client cannot make exec grow.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/string_view.h"
#include "exec_types.h"
#include "runtime/mach.h"
#include "runtime/rights.h"

namespace execd {

struct Program {
    enum class State { Free, Running, Ended };

    State state = State::Free;
    unsigned number = 0;           // for messages: the n-th program exec started
    base::BoundedString<64> name;  // argv[0] or the path, for messages
    bool is_init = false;          // its end powers the machine off

    mach::SendRight task;
    mach::ReceiveRight startup;    // its TASK_BOOTSTRAP_PORT and TASK_EXCEPTION_PORT
    mach::ReceiveRight process;    // the handle of its end; invalid for init
    bool process_has_senders = false;

    uint64_t entry = 0;
    uint64_t stack_base = 0;
    uint64_t stack_size = 0;
    mach::SendRight descriptors[EXEC_PORTS_MAX];
    int kinds[EXEC_PORTS_MAX] = {};
    size_t descriptor_count = 0;
    mach::SendRight ports[EXEC_PORTS_MAX];
    size_t port_count = 0;

    int how = EXEC_END_EXIT;
    int status = 0;
    mach::SendOnceRight waiter;    // the reply port of an exec_wait that waits
};

class Programs {
public:
    static constexpr size_t capacity = 64;

    // A free entry, set to Running with a new number; nullptr when the table is full.
    Program* allocate();
    // Releases every right of the entry and frees it.
    void release(Program&);

    Program* by_startup_port(mach_port_t);
    Program* by_process_port(mach_port_t);
    // Whether the port is one of exec's ports for a program (start-up or process port).
    bool owns(mach_port_t port) { return by_startup_port(port) || by_process_port(port); }

private:
    Program m_programs[capacity];
    unsigned m_started = 0;
};

} // namespace execd
