// The MIG entry points of exec: exec.defs on exec's server port and on process ports,
// exec_startup.defs, exceptions and notifications on start-up ports; and the demux that takes
// the messages for these ports before the chain's own.
#include "exec.h"

#include "chain/link.h"
#include "execclient/client.h"
#include "runtime/console.h"

extern "C" {
#include "exec_S.h"
#include "exec_startup_S.h"
#include "notify_seqnos_S.h"
#include "task_exceptions_S.h"

boolean_t exec_server(mach_msg_header_t*, mach_msg_header_t*);
boolean_t exec_startup_server(mach_msg_header_t*, mach_msg_header_t*);
boolean_t exec_exc_server(mach_msg_header_t*, mach_msg_header_t*);
boolean_t seqnos_notify_server(mach_msg_header_t*, mach_msg_header_t*);
}

using exec::Exec;
using exec::Program;
using exec::Programs;

namespace {

// Takes the rights of a successful request: the program holds the descriptors and ports
// (Exec::start adopted them); the file and the directory were only borrowed.
void release_borrowed(mach_port_t a, mach_port_t b = MACH_PORT_NULL)
{
    if (MACH_PORT_VALID(a))
        mach_port_deallocate(mach_task_self(), a);
    if (MACH_PORT_VALID(b))
        mach_port_deallocate(mach_task_self(), b);
}

base::StringView first_string(base::StringView block)
{
    return block.substr(0, block.find('\0'));
}

kern_return_t start(Exec& exec, const fsclient::Node& file, exec::StartRequest& request, base::StringView fallback_name,
    mach_port_t* task, mach_port_t* process)
{
    request.name = first_string(request.argv);
    // An empty argv: the program's name (its path) is its argv[0]. On this thread's stack:
    // other requests run while this one reads the file.
    char name_block[EXEC_PATH_MAX + 2];
    if (request.argv.empty()) {
        size_t n = fallback_name.size() < EXEC_PATH_MAX ? fallback_name.size() : EXEC_PATH_MAX;
        __builtin_memcpy(name_block, fallback_name.data(), n);
        name_block[n] = 0;
        request.argv = base::StringView(name_block, n + 1);
        request.name = base::StringView(name_block, n);
    }
    if (request.name.empty())
        request.name = fallback_name;
    auto started = exec.start(file, request);
    if (started.is_error())
        return started.error().code();
    *task = started.value()->task.name();
    *process = started.value()->process.name();
    return KERN_SUCCESS;
}

} // namespace

extern "C" {

kern_return_t S_exec_exec(mach_port_t server, mach_port_t file, int flags, const_exec_data_t argv,
    mach_msg_type_number_t argv_count, const_exec_data_t envp, mach_msg_type_number_t envp_count,
    const_exec_portarray_t dtable, mach_msg_type_number_t dtable_count, const_exec_intarray_t kinds,
    mach_msg_type_number_t kind_count, const_exec_portarray_t ports, mach_msg_type_number_t port_count,
    mach_port_t* task, mach_port_t* process)
{
    exec::StartRequest request;
    Exec* exec = Exec::of_exec_port(server, &request.requester);
    if (!exec)
        return MIG_BAD_ID;
    if (flags != 0)
        return EXEC_E_ARGS;
    Exec::InProgress in_progress(*exec, request.requester);
    if (!in_progress.admitted())
        return EXEC_E_BUSY;
    if (exec::is_own_port(file))
        return FS_EXDEV;
    // The file is the client's port: every call on it is bounded.
    exec::ClientDeadline client;
    request.client = &client;
    request.argv = base::StringView(argv, argv_count);
    request.envp = base::StringView(envp, envp_count);
    request.descriptors = dtable;
    request.descriptor_count = dtable_count;
    request.kinds = kinds;
    request.kind_count = kind_count;
    request.ports = ports;
    request.port_count = port_count;
    // The client's file, borrowed for the load.
    fsclient::Node node = fsclient::Node::adopt(file);
    kern_return_t r = start(*exec, node, request, "program", task, process);
    node.release();
    if (r == KERN_SUCCESS)
        release_borrowed(file);
    return r;
}

kern_return_t S_exec_exec_path(mach_port_t server, mach_port_t directory, const_exec_path_t path, int flags,
    const_exec_data_t argv, mach_msg_type_number_t argv_count, const_exec_data_t envp,
    mach_msg_type_number_t envp_count, const_exec_portarray_t dtable, mach_msg_type_number_t dtable_count,
    const_exec_intarray_t kinds, mach_msg_type_number_t kind_count, const_exec_portarray_t ports,
    mach_msg_type_number_t port_count, mach_port_t* task, mach_port_t* process)
{
    exec::StartRequest request;
    Exec* exec = Exec::of_exec_port(server, &request.requester);
    if (!exec)
        return MIG_BAD_ID;
    if (flags != 0)
        return EXEC_E_ARGS;
    Exec::InProgress in_progress(*exec, request.requester);
    if (!in_progress.admitted())
        return EXEC_E_BUSY;
    base::StringView name(path);
    // A relative path is looked up on the client's directory, and the file it answers with is
    // the client's too: both within one deadline.
    exec::ClientDeadline client;
    bool from_client = false;
    request.directory = directory;
    request.argv = base::StringView(argv, argv_count);
    request.envp = base::StringView(envp, envp_count);
    request.descriptors = dtable;
    request.descriptor_count = dtable_count;
    request.kinds = kinds;
    request.kind_count = kind_count;
    request.ports = ports;
    request.port_count = port_count;
    auto file = exec->open_program(directory, name, &client, &from_client, &request);
    if (file.is_error())
        return file.error().code();
    if (from_client)
        request.client = &client;
    kern_return_t r = start(*exec, file.value(), request, name, task, process);
    if (r == KERN_SUCCESS)
        release_borrowed(directory);
    return r;
}

kern_return_t S_exec_wait(mach_port_t process, mach_port_t reply, int* how, int* status)
{
    Program* p = Programs::by_port(process, exec::process_port);
    return p ? p->exec->wait(*p, reply, how, status) : EXEC_E_NO_PROCESS;
}

kern_return_t S_exec_startup_get_info(mach_port_t startup, vm_address_t* user_entry, vm_address_t* phdr_data,
    vm_size_t* phdr_size, vm_address_t* stack_base, vm_size_t* stack_size, int* flags, exec_portarray_t* dtable,
    mach_msg_type_number_t* dtable_count, exec_intarray_t* kinds, mach_msg_type_number_t* kind_count,
    exec_portarray_t* ports, mach_msg_type_number_t* port_count)
{
    Program* p = Programs::by_port(startup, exec::startup_port);
    if (!p)
        return EXEC_E_NO_PROCESS;
    *user_entry = p->entry;
    *phdr_data = 0;
    *phdr_size = 0;
    *stack_base = p->stack_base;
    *stack_size = p->stack_size;
    *flags = EXEC_FLAG_STACK_ARGS;
    // MIG's in-line buffers hold 256 entries, more than EXEC_PORTS_MAX. The reply copies the
    // send rights the program's entry holds.
    for (size_t i = 0; i < p->descriptor_count; ++i) {
        (*dtable)[i] = p->descriptors[i].name();
        (*kinds)[i] = p->kinds[i];
    }
    *dtable_count = static_cast<mach_msg_type_number_t>(p->descriptor_count);
    *kind_count = static_cast<mach_msg_type_number_t>(p->descriptor_count);
    for (size_t i = 0; i < p->port_count; ++i)
        (*ports)[i] = p->ports[i].name();
    *port_count = static_cast<mach_msg_type_number_t>(p->port_count);
    return KERN_SUCCESS;
}

kern_return_t S_exec_startup_exit(mach_port_t startup, int status)
{
    Program* p = Programs::by_port(startup, exec::startup_port);
    return p ? p->exec->startup_exit(*p, status) : EXEC_E_NO_PROCESS;
}

kern_return_t exec_catch_exception_raise(mach_port_t port, mach_port_t thread, mach_port_t task, integer_t exception,
    integer_t code, rpc_long_integer_t subcode)
{
    Program* p = Programs::by_port(port, exec::startup_port);
    return p ? p->exec->exception(port, thread, task, exception, code, subcode) : KERN_FAILURE;
}

kern_return_t do_seqnos_mach_notify_dead_name(mach_port_t port, mach_port_seqno_t, mach_port_name_t name)
{
    Program* p = Programs::by_port(port, exec::startup_port);
    return p ? p->exec->dead_name(*p, name) : KERN_SUCCESS;
}

kern_return_t do_seqnos_mach_notify_no_senders(mach_port_t port, mach_port_seqno_t, mach_port_mscount_t mscount)
{
    // To the program whose process port it is, or to init's trigger (runtime/port_objects.h).
    (void)runtime::deliver_no_senders(port, mscount);
    return KERN_SUCCESS;
}

kern_return_t do_seqnos_mach_notify_port_deleted(mach_port_t, mach_port_seqno_t, mach_port_name_t)
{
    return KERN_SUCCESS;
}

kern_return_t do_seqnos_mach_notify_msg_accepted(mach_port_t, mach_port_seqno_t, mach_port_name_t)
{
    return KERN_SUCCESS;
}

kern_return_t do_seqnos_mach_notify_port_destroyed(mach_port_t, mach_port_seqno_t, mach_port_t rights)
{
    mach_port_mod_refs(mach_task_self(), rights, MACH_PORT_RIGHT_RECEIVE, -1);
    return KERN_SUCCESS;
}

kern_return_t do_seqnos_mach_notify_send_once(mach_port_t, mach_port_seqno_t)
{
    return KERN_SUCCESS;
}

} // extern "C"

namespace exec {

// Registered before the chain's demuxers: messages for exec's own ports are served here, the
// rest (the link's port) go on to the chain.
boolean_t demux(mach_msg_header_t* request, mach_msg_header_t* reply)
{
    if (!Exec::of_port(request->msgh_local_port))
        return FALSE;
    return exec_server(request, reply) || exec_startup_server(request, reply) || exec_exc_server(request, reply)
        || seqnos_notify_server(request, reply);
}

} // namespace exec
