// The exec server: starting programs, their start-up ports, and their end.
#include "exec.h"

#include "chain/link.h"
#include "chain/shutdown.h"
#include "execclient/client.h"
#include "fsclient/status.h"
#include "loader.h"
#include "runtime/console.h"
#include "runtime/msg.h"
#include "runtime/runtime.h"

extern "C" {
#include "exec_reply_U.h"
#include <mach/notify.h>
}

namespace exec {

namespace {

constexpr int init_crash_status_base = 64;

// The task being made: ended unless start() succeeds.
class TaskUnderConstruction {
public:
    explicit TaskUnderConstruction(mach_port_t task)
        : m_task(task)
    {
    }
    ~TaskUnderConstruction()
    {
        if (MACH_PORT_VALID(m_task))
            task_terminate(m_task);
    }
    void keep() { m_task = MACH_PORT_NULL; }

private:
    mach_port_t m_task;
};

// A new reference to a send right this task holds under `name`.
base::Result<runtime::SendRight> copy_send(mach_port_t name)
{
    if (!MACH_PORT_VALID(name))
        return runtime::SendRight();
    MACH_TRY(mach_port_mod_refs(mach_task_self(), name, MACH_PORT_RIGHT_SEND, 1), "copying a send right");
    return runtime::SendRight::adopt(name);
}

} // namespace

base::Result<void> Exec::init(runtime::SendRight root, runtime::SendRight console)
{
    m_root = fsclient::Node(static_cast<runtime::SendRight&&>(root));
    m_console = static_cast<runtime::SendRight&&>(console);
    m_port = TRY(runtime::ServedPort::create(chain::link().server(), exec_port, *this));
    return {};
}

bool is_own_port(mach_port_t name)
{
    // A send right to a port this task receives on has the receive right's name here. exec
    // must not ask such a port for a file: the request would wait in its own queue.
    mach_port_type_t type = 0;
    return MACH_PORT_VALID(name) && mach_port_type(mach_task_self(), name, &type) == KERN_SUCCESS
        && (type & MACH_PORT_TYPE_RECEIVE);
}

namespace {
base::Result<runtime::SendRight> default_root(const fsclient::Node& root, const StartRequest& request);
}

base::Result<fsclient::Node> Exec::open_program(mach_port_t directory, base::StringView path,
    const ClientDeadline* client, bool* from_client, const StartRequest* starter)
{
    if (from_client)
        *from_client = false;
    if (path.empty())
        return base::Error(FS_ENOENT, "an empty path");
    if (path[0] == '/' || !MACH_PORT_VALID(directory)) {
        if (!starter || starter->is_init)
            return m_root.lookup(path, FS_LOOKUP_READ | FS_LOOKUP_EXEC);
        // From the starter's root: the one it gives (a client's port, looked up as its
        // directory below), else exec's root restricted to the starter's identity.
        if (starter->port_count > EXEC_PORT_CRDIR && MACH_PORT_VALID(starter->ports[EXEC_PORT_CRDIR]))
            directory = starter->ports[EXEC_PORT_CRDIR];
        else {
            fsclient::Node root(TRY(default_root(m_root, *starter)));
            return root.lookup(path, FS_LOOKUP_READ | FS_LOOKUP_EXEC);
        }
    }
    if (is_own_port(directory))
        return base::Error(FS_EXDEV, "the directory is a port of exec, not of the filesystem");
    // The client's directory, borrowed: the Node must not release the request's right. It may
    // be any port, even one whose receive right the client holds and never answers: the lookup
    // is bounded, and what it answers is the client's too.
    fsclient::Node dir = fsclient::Node::adopt(directory);
    auto found = within(client, [&] { return dir.lookup(path, FS_LOOKUP_READ | FS_LOOKUP_EXEC); });
    dir.release();
    if (found.is_error())
        return found.error();
    if (is_own_port(found.value().port()))
        return base::Error(FS_EXDEV, "the directory answered with a port of exec, not of the filesystem");
    if (from_client)
        *from_client = true;
    return found;
}

Exec::InProgress::InProgress(Exec& exec, unsigned requester)
{
    unsigned mine = 0;
    unsigned* free_slot = nullptr;
    for (auto& slot : exec.m_in_progress) {
        if (slot == requester + 1)
            ++mine;
        else if (slot == 0 && !free_slot)
            free_slot = &slot;
    }
    if (mine >= client_requests_max || !free_slot)
        return;
    *free_slot = requester + 1;
    m_slot = free_slot;
}

Exec::InProgress::~InProgress()
{
    if (m_slot)
        *m_slot = 0;
}

Exec* Exec::of_exec_port(mach_port_t port, unsigned* requester)
{
    if (Exec* exec = runtime::served(port, exec_port)) {
        *requester = 0;
        return exec;
    }
    Program* p = Programs::by_port(port, requests_port);
    if (!p)
        return nullptr;
    *requester = p->number;
    return p->exec;
}

Exec* Exec::of_port(mach_port_t port)
{
    unsigned requester = 0;
    if (Exec* exec = of_exec_port(port, &requester))
        return exec;
    if (InitTrigger* trigger = runtime::served(port, init_trigger_port))
        return trigger->exec;
    for (const auto* kind : { &startup_port, &process_port })
        if (Program* p = Programs::by_port(port, *kind))
            return p->exec;
    return nullptr;
}

namespace {

// A program's root when its starter left it null (exec_types.h): exec's root as the first
// directory port the starter gave (its identity, its write access), ext2fs vouching for that
// port; without one, exec's root read-only as nobody. init's is exec's own.
base::Result<runtime::SendRight> default_root(const fsclient::Node& root, const StartRequest& request)
{
    if (request.is_init)
        return copy_send(root.port());
    mach_port_t model = MACH_PORT_NULL;
    if (request.port_count > EXEC_PORT_CWDIR && MACH_PORT_VALID(request.ports[EXEC_PORT_CWDIR]))
        model = request.ports[EXEC_PORT_CWDIR];
    else if (request.port_count > EXEC_PORT_CRDIR && MACH_PORT_VALID(request.ports[EXEC_PORT_CRDIR]))
        model = request.ports[EXEC_PORT_CRDIR];
    else if (MACH_PORT_VALID(request.directory))
        model = request.directory;
    if (MACH_PORT_VALID(model)) {
        // Borrowed: the Node must not release the request's right.
        fsclient::Node borrowed = fsclient::Node::adopt(model);
        auto as_model = root.restrict_auth_as(borrowed);
        borrowed.release();
        if (!as_model.is_error())
            return runtime::SendRight::adopt(as_model.value().release());
    }
    fsclient::Node nobody = TRY(root.restrict_auth(fsclient::identity_of(FS_ID_NOBODY, FS_ID_NOBODY)));
    fsclient::Node read_only = TRY(nobody.lookup("", FS_LOOKUP_READ));
    return runtime::SendRight::adopt(read_only.release());
}

} // namespace

base::Result<runtime::SendRight> Exec::default_port(size_t index, const StartRequest& request)
{
    switch (index) {
    case EXEC_PORT_CRDIR:
        return default_root(m_root, request);
    case EXEC_PORT_CWDIR:
        if (MACH_PORT_VALID(request.directory))
            return copy_send(request.directory);
        if (request.port_count > EXEC_PORT_CRDIR && MACH_PORT_VALID(request.ports[EXEC_PORT_CRDIR]))
            return copy_send(request.ports[EXEC_PORT_CRDIR]);
        return default_root(m_root, request);
    case EXEC_PORT_CONSOLE:
        return m_console.copy();
    case EXEC_PORT_EXEC:
        return m_port.make_send();
    default:
        return runtime::SendRight();
    }
}

base::Result<Program*> Exec::start(const fsclient::Node& file, const StartRequest& request)
{
    if (request.argv.size() + request.envp.size() > EXEC_ARGS_MAX)
        return base::Error(EXEC_E_ARGS, "the arguments and environment are over 64 KiB");
    if (request.descriptor_count > EXEC_PORTS_MAX || request.port_count > EXEC_PORTS_MAX
        || (request.kind_count != request.descriptor_count && request.kind_count != 0))
        return base::Error(EXEC_E_ARGS, "dtable, dtable_kinds and portarray disagree or are over 16");

    if (!request.is_init && m_programs.charged_to(request.requester) >= Programs::client_share)
        return base::Error(EXEC_E_TOO_MANY, "this client holds its share of exec's table of programs");
    Program* slot = m_programs.allocate(*this);
    if (!slot)
        return base::Error(EXEC_E_TOO_MANY, "exec's table of programs is full");
    Program& p = *slot;
    // Until the end of this function, a failure frees the entry (and every right made so far)
    // and ends the task.
    struct FreeOnFailure {
        Programs& programs;
        Program& program;
        bool keep = false;
        ~FreeOnFailure()
        {
            if (!keep)
                programs.release(program);
        }
    } free_on_failure { m_programs, p };

    p.is_init = request.is_init;
    p.name.assign(request.name);
    p.requester = request.requester;

    mach_port_t task = MACH_PORT_NULL;
    kern_return_t r = task_create(mach_task_self(), FALSE, &task);
    if (r != KERN_SUCCESS)
        return base::Error(r == KERN_RESOURCE_SHORTAGE ? EXEC_E_NO_MEMORY : r, "creating the task (task_create)");
    p.task = runtime::SendRight::adopt(task);
    TaskUnderConstruction under_construction(task);

    Loaded loaded = TRY(load(task, file, request.argv, request.envp, request.client));
    p.entry = loaded.entry;
    p.stack_base = loaded.stack_base;
    p.stack_size = loaded.stack_size;

    // Its start-up port: bootstrap port (exec_startup), exception port, and where its death is
    // told (a dead-name notification of its task port).
    // The three ports are served at the end, once the program is whole: until then a message
    // to one waits in its queue.
    runtime::ReceiveRight startup = TRY(runtime::ReceiveRight::allocate());
    runtime::ReceiveRight process;
    {
        auto send = TRY(startup.make_send());
        MACH_TRY(task_set_special_port(task, TASK_BOOTSTRAP_PORT, send.name()), "setting the bootstrap port");
        MACH_TRY(task_set_special_port(task, TASK_EXCEPTION_PORT, send.name()), "setting the exception port");
    }
    mach_port_t previous = MACH_PORT_NULL;
    MACH_TRY(mach_port_request_notification(mach_task_self(), task, MACH_NOTIFY_DEAD_NAME, 0, startup.name(),
                 MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous),
        "asking to be told of the task's end");
    if (!request.is_init) {
        process = TRY(runtime::ReceiveRight::allocate());
        // The no-senders notification, asked for while the port has no send right yet: the
        // kernel queues it at once, and exec reads it after the reply went (or was lost with a
        // dead reply port). no_senders() then asks again if the reply made a send right, so
        // an entry whose process port never reached anyone goes once the program has ended.
        MACH_TRY(mach_port_request_notification(mach_task_self(), process.name(), MACH_NOTIFY_NO_SENDERS, 0,
                     process.name(), MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous),
            "asking for the process port's no-senders notification");
        p.process_has_senders = true;
    }

    // The defaults for the ports the request left null.
    size_t port_count = request.port_count > EXEC_PORT_COUNT ? request.port_count : EXEC_PORT_COUNT;
    for (size_t i = 0; i < port_count; ++i)
        if (i >= request.port_count || !MACH_PORT_VALID(request.ports[i]))
            p.ports[i] = TRY(default_port(i, request));
    p.port_count = port_count;
    // Its own exec port, in place of a null entry or of any port of exec's that the request
    // named (init and the shell hand their own exec port on): its requests are charged to it.
    bool own_exec_port = request.port_count <= EXEC_PORT_EXEC || !MACH_PORT_VALID(request.ports[EXEC_PORT_EXEC])
        || is_own_port(request.ports[EXEC_PORT_EXEC]);
    runtime::ReceiveRight requests = TRY(runtime::ReceiveRight::allocate());
    if (own_exec_port)
        p.ports[EXEC_PORT_EXEC] = TRY(requests.make_send());
    if (request.descriptor_count == 0) {
        for (size_t i = 0; i < 3; ++i) {
            p.descriptors[i] = TRY(m_console.copy());
            p.kinds[i] = EXEC_DESC_DEVICE;
        }
        p.descriptor_count = 3;
    }

    auto& server = chain::link().server();
    p.startup = TRY(runtime::ServedPort::adopt(server, static_cast<runtime::ReceiveRight&&>(startup), startup_port, p));
    if (process.valid())
        p.process
            = TRY(runtime::ServedPort::adopt(server, static_cast<runtime::ReceiveRight&&>(process), process_port, p));
    p.requests
        = TRY(runtime::ServedPort::adopt(server, static_cast<runtime::ReceiveRight&&>(requests), requests_port, p));
    MACH_TRY(thread_resume(loaded.thread.name()), "starting the thread (thread_resume)");

    // Success: nothing below fails. The request's rights become the program's.
    under_construction.keep();
    free_on_failure.keep = true;
    for (size_t i = 0; i < request.port_count; ++i) {
        if (!MACH_PORT_VALID(request.ports[i]))
            continue;
        if (i == EXEC_PORT_EXEC && own_exec_port)
            mach_port_deallocate(mach_task_self(), request.ports[i]); // replaced by its own
        else
            p.ports[i] = runtime::SendRight::adopt(request.ports[i]);
    }
    if (request.descriptor_count) {
        for (size_t i = 0; i < request.descriptor_count; ++i) {
            if (MACH_PORT_VALID(request.descriptors[i]))
                p.descriptors[i] = runtime::SendRight::adopt(request.descriptors[i]);
            p.kinds[i] = request.kind_count ? request.kinds[i] : EXEC_DESC_FILE;
            if (!p.descriptors[i].valid())
                p.kinds[i] = EXEC_DESC_NONE;
        }
        p.descriptor_count = request.descriptor_count;
    }
    return &p;
}

kern_return_t Exec::wait(Program& program, mach_port_t reply, int* how, int* status)
{
    Program* p = &program;
    if (p->state == Program::State::Ended) {
        *how = p->how;
        *status = p->status;
        return KERN_SUCCESS;
    }
    if (p->waiter.valid()) {
        // A waiter that went away leaves a dead name: the new one takes its place.
        mach_port_type_t type = 0;
        if (mach_port_type(mach_task_self(), p->waiter.name(), &type) == KERN_SUCCESS
            && !(type & MACH_PORT_TYPE_DEAD_NAME))
            return EXEC_E_BUSY;
        p->waiter.reset();
    }
    p->waiter = runtime::SendOnceRight::adopt(reply);
    return MIG_NO_REPLY;
}

kern_return_t Exec::startup_exit(Program& p, int status)
{
    if (p.state == Program::State::Running)
        ended(p, EXEC_END_EXIT, status);
    return KERN_SUCCESS;
}

kern_return_t Exec::dead_name(Program& program, mach_port_t name)
{
    // Only the kernel's notification reaches here (the server loop refuses forged ones), and
    // exec asks for one only on a start-up port, for that program's task. The kernel gave the
    // dead name one more reference for it, released here; a name that is not the task of the
    // program whose port it came to is left alone, so no message makes exec drop a right.
    Program* p = &program;
    if (!MACH_PORT_VALID(name) || name != p->task.name())
        return KERN_SUCCESS;
    mach_port_type_t type = 0;
    if (mach_port_type(mach_task_self(), name, &type) != KERN_SUCCESS || !(type & MACH_PORT_TYPE_DEAD_NAME))
        return KERN_SUCCESS;
    mach_port_urefs_t refs = 0;
    if (mach_port_get_refs(mach_task_self(), name, MACH_PORT_RIGHT_DEAD_NAME, &refs) == KERN_SUCCESS && refs > 1)
        mach_port_deallocate(mach_task_self(), name); // the entry keeps its own reference
    if (p->state == Program::State::Running)
        ended(*p, EXEC_END_KILLED, 0);
    return KERN_SUCCESS;
}

base::Result<void> Exec::start_init_when_ready(base::StringView path, base::StringView kernel_command_line)
{
    m_init_path.assign(path);
    if (!kernel_command_line.empty())
        m_init_environment = base::formatted<1024>("MULTIBOOT_CMDLINE={}", kernel_command_line);
    m_init_trigger.exec = this;
    m_init_trigger.port = TRY(runtime::ServedPort::create(chain::link().server(), init_trigger_port, m_init_trigger));
    mach_port_t previous = MACH_PORT_NULL;
    mach_port_t trigger = m_init_trigger.port.name();
    MACH_TRY(mach_port_request_notification(mach_task_self(), trigger, MACH_NOTIFY_NO_SENDERS, 0, trigger,
                 MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous),
        "queueing the start of init");
    return {};
}

base::Result<void> Exec::start_init()
{
    fsclient::Node file = TRY(open_program(MACH_PORT_NULL, m_init_path.view()));
    // init's argv is its path. Its device master is given by exec itself (no program gets the
    // host port); the request's ports are rights start() takes when it succeeds.
    char argv[EXEC_PATH_MAX + 1];
    base::StringView path = m_init_path.view();
    __builtin_memcpy(argv, path.data(), path.size());
    argv[path.size()] = 0;
    // init's device master is the one exec hands down: the console and a read-only PCI listing
    // go up the chain as the policy for programs allows (chain/policy.h), and boot_profile_get
    // there answers with exec's stage too.
    mach_port_t link_port = chain::link().link_port();
    MACH_TRY(mach_port_insert_right(mach_task_self(), link_port, link_port, MACH_MSG_TYPE_MAKE_SEND),
        "making a send right to exec's link port for init");
    auto device_master = runtime::SendRight::adopt(link_port);
    mach_port_t ports[EXEC_PORT_COUNT] = {};
    ports[EXEC_PORT_DEVICE_MASTER] = device_master.name();

    StartRequest request;
    request.argv = base::StringView(argv, path.size() + 1);
    if (m_init_environment.size())
        request.envp = base::StringView(m_init_environment.c_str(), m_init_environment.size() + 1);
    request.ports = ports;
    request.port_count = EXEC_PORT_COUNT;
    request.name = "init";
    request.is_init = true;
    TRY(start(file, request));
    device_master.release();
    return {};
}

void Exec::InitTrigger::no_senders(mach_port_mscount_t)
{
    port.reset();
    auto started = exec->start_init();
    if (started.is_error()) {
        runtime::report("cannot start {}: {}", exec->m_init_path.view(), ExecError { started.error() });
        chain::shutdown().shut_down(chain::link(), 1);
    }
}

void Program::no_senders(mach_port_mscount_t)
{
    exec->process_released(*this);
}

void Exec::process_released(Program& program)
{
    Program* p = &program;
    mach_port_t process = p->process.name();
    // The first notification was queued before the reply: if the reply made send rights, ask
    // again, from the count made so far (the kernel sends it at once if they went meanwhile).
    mach_port_status_t status {};
    if (mach_port_get_receive_status(mach_task_self(), process, &status) == KERN_SUCCESS && status.mps_srights) {
        mach_port_t previous = MACH_PORT_NULL;
        if (mach_port_request_notification(mach_task_self(), process, MACH_NOTIFY_NO_SENDERS, status.mps_mscount,
                process, MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous)
            == KERN_SUCCESS) {
            if (MACH_PORT_VALID(previous))
                mach_port_deallocate(mach_task_self(), previous);
            return;
        }
    }
    p->process_has_senders = false;
    release_if_done(*p);
}

kern_return_t Exec::exception(
    mach_port_t startup, mach_port_t thread, mach_port_t task, int exception, int code, long subcode)
{
    Program* p = Programs::by_port(startup, startup_port);
    if (!p)
        return KERN_FAILURE;
    // The kernel sends exceptions here, but the program holds a send right to this port (its
    // bootstrap port) and may send one itself, with any port as "thread": the call is bounded,
    // counted as the program's request, and never made on a port of exec's own. Either way
    // only this program ends.
    unsigned long pc = 0;
    {
        InProgress request(*this, p->number);
        if (!request.admitted())
            return EXEC_E_BUSY;
        struct i386_thread_state state { };
        mach_msg_type_number_t count = i386_THREAD_STATE_COUNT;
        if (!is_own_port(thread)) {
            runtime::ClientCallBound bound;
            if (thread_get_state(thread, i386_THREAD_STATE, reinterpret_cast<thread_state_t>(&state), &count)
                == KERN_SUCCESS)
                pc = state.rip;
        }
    }
    // Other requests ran meanwhile: the program may have ended and its entry gone.
    mach_port_deallocate(mach_task_self(), thread);
    mach_port_deallocate(mach_task_self(), task);
    p = Programs::by_port(startup, startup_port);
    if (!p)
        return KERN_SUCCESS;
    runtime::report("{} crashed: {} (code {:#x}, subcode {:#x}) at pc {:#x}", p->name.view(),
        base::exception_name(exception), static_cast<unsigned>(code), static_cast<unsigned long>(subcode), pc);
    if (p->state == Program::State::Running)
        ended(*p, EXEC_END_CRASH, exception);
    // The task is gone: the kernel's reply port is dead and the reply is dropped.
    return KERN_SUCCESS;
}

void Exec::ended(Program& p, int how, int status)
{
    p.state = Program::State::Ended;
    p.how = how;
    p.status = status;
    // An exit status or a crash may come while the task still runs: it ends here.
    task_terminate(p.task.name());
    if (p.is_init)
        init_ended(p);
    // What the program held is released with it (files it had open close).
    for (auto& d : p.descriptors)
        d.reset();
    for (auto& port : p.ports)
        port.reset();
    mach_port_t waiter = p.waiter.release();
    release_if_done(p);
    // Last, as the entry may be gone when it returns: the waiter's reply port is the client's,
    // and the send is bounded (MACH_SEND_TIMEOUT). A reply that cannot go leaves the right
    // with exec, released here.
    if (MACH_PORT_VALID(waiter)) {
        runtime::ClientCallBound bound;
        if (exec_wait_reply(waiter, KERN_SUCCESS, how, status) != KERN_SUCCESS)
            mach_port_deallocate(mach_task_self(), waiter);
    }
}

void Exec::release_if_done(Program& p)
{
    if (p.state == Program::State::Ended && !p.process_has_senders)
        m_programs.release(p);
}

void Exec::init_ended(Program& p)
{
    // The power-off status reaches the host in 7 bits (QEMU's debug-exit device): an exit
    // status above 127 is 127; a crash is 64 + the exception type, an end without a status 64.
    int status = p.status;
    if (p.how == EXEC_END_CRASH) {
        status = init_crash_status_base + p.status;
    } else if (p.how == EXEC_END_KILLED) {
        runtime::report("{} ended without an exit status", p.name.view());
        status = init_crash_status_base;
    } else if (status == chain::Shutdown::reboot_request) {
        // init passes on a shell's `reboot`: the same way down, ending in a reset.
        chain::shutdown().shut_down(chain::link(), 0, chain::Shutdown::End::Reboot);
    } else if (status < 0 || status > 127) {
        runtime::report("{} exited with status {}, which the power-off gives as 127", p.name.view(), status);
        status = 127;
    }
    // Everything the programs wrote goes to the disk, and the filesystem is marked clean,
    // before the machine goes off: the chain's one way down.
    chain::shutdown().shut_down(chain::link(), status);
}

} // namespace exec

void base::Formatter<exec::ExecError>::format(Sink& s, const FormatSpec&, const exec::ExecError& e)
{
    int code = e.error.code();
    const char* text = execclient::error_text(code);
    const char* name = execclient::error_name(code);
    if (text && name)
        base::format(s, "{} ({})", text, name);
    else if (name)
        base::format(s, "{}", name);
    else
        base::format(s, "{}", base::Status { code });
}
