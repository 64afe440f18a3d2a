// The client side of the exec protocols (exec_types.h describes them): what a program gets at
// its start and how it ends (startup, exit), and how it runs another program and waits for it
// (run, run_file, Process::wait). Errors are exec's EXEC_E_*, lib/elf's, the file protocol's
// FS_E* or Mach's codes; error_name and error_text name each of them.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "base/string_view.h"
#include "exec_types.h"
#include "runtime/mach.h"
#include "runtime/rights.h"

namespace execclient {

// What exec_startup_get_info on the program's bootstrap port answered.
struct Startup {
    uint64_t entry = 0;
    uint64_t stack_base = 0;
    uint64_t stack_size = 0;
    int flags = 0;
    // Descriptors 0, 1, 2 ... and what each speaks (EXEC_DESC_*).
    runtime::SendRight descriptors[EXEC_PORTS_MAX];
    int kinds[EXEC_PORTS_MAX] = {};
    size_t descriptor_count = 0;
    // Starting ports by EXEC_PORT_* index (invalid where the program was given none).
    runtime::SendRight ports[EXEC_PORTS_MAX];
    size_t port_count = 0;

    mach_port_t port(size_t index) const { return index < port_count ? ports[index].name() : MACH_PORT_NULL; }
};

// Asks the task's bootstrap port (exec) for the program's start-up information.
base::Result<Startup> startup();

// Tells exec the program's exit status (exec_startup_exit on the bootstrap port), then ends
// the task. A task that exec did not start just ends.
[[noreturn]] void exit(int status);

// How a program ended (exec_wait): how is EXEC_END_*.
struct Ended {
    int how = EXEC_END_EXIT;
    int status = 0;
};

// A program exec started: its task and its process port (the handle of its end).
class Process {
public:
    Process() = default;
    Process(runtime::SendRight task, runtime::SendRight process)
        : m_task(static_cast<runtime::SendRight&&>(task))
        , m_process(static_cast<runtime::SendRight&&>(process))
    {
    }
    mach_port_t task() const { return m_task.name(); }
    mach_port_t process() const { return m_process.name(); }
    // Waits, without the runtime's RPC bound, until the program has ended.
    base::Result<Ended> wait() const;
    // Ends the program (task_terminate); wait() then says EXEC_END_KILLED.
    base::Result<void> kill() const;

private:
    runtime::SendRight m_task;
    runtime::SendRight m_process;
};

// What a new program is given. Null ports and empty lists take exec's defaults
// (exec_types.h).
struct Spawn {
    const base::StringView* argv = nullptr;
    size_t argc = 0;
    const base::StringView* envp = nullptr;
    size_t envc = 0;
    mach_port_t descriptors[EXEC_PORTS_MAX] = {};
    int kinds[EXEC_PORTS_MAX] = {};
    size_t descriptor_count = 0;
    mach_port_t ports[EXEC_PORT_COUNT] = {};
};

// Runs the program at path (absolute: from exec's root; relative: from directory, or from
// exec's root when directory is null) through the exec server port `server`.
base::Result<Process> run(mach_port_t server, mach_port_t directory, base::StringView path, const Spawn&);
// Runs the program in file (a file-protocol node opened for reading).
base::Result<Process> run_file(mach_port_t server, mach_port_t file, const Spawn&);

// The domain of exec's own codes (EXEC_E_*): "exec".
extern const base::ErrorDomain domain;

// An error of exec's own, such as error(EXEC_E_ARGS, "too many arguments").
constexpr base::Error error(int code, const char* context)
{
    return base::Error(domain, code, context);
}

// The error for a status exec_exec or exec_wait returned: exec's own, lib/elf's, the file
// protocol's or Mach's, each in its domain.
base::Error reply_error(int code, const char* context);

// Names for a bare code, of any of those domains, such as a program was given as a number.
// "EXEC_E_NOT_REGULAR", "FS_ENOENT", "Elf32", or a Mach status name; nullptr when unknown.
const char* error_name(int code);
// A sentence for the code ("no such file or directory", "wrong class: ... 32-bit ...");
// nullptr when unknown.
const char* error_text(int code);

} // namespace execclient
