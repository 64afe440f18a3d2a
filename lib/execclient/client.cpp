// A client of exec.defs: running a program and waiting for its end.
#include "execclient/client.h"
#include "runtime/msg.h"

extern "C" {
#include "exec_U.h"
}

namespace execclient {

namespace {

// argv and envp packed as exec_exec takes them: strings, each with its zero, one after the
// other, in one block of fresh memory.
class Packed {
public:
    Packed() = default;
    Packed(const Packed&) = delete;
    Packed& operator=(const Packed&) = delete;
    ~Packed()
    {
        if (m_data)
            vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(m_data), m_capacity);
    }

    base::Result<void> pack(const base::StringView* strings, size_t count)
    {
        size_t size = 0;
        for (size_t i = 0; i < count; ++i) {
            size += strings[i].size() + 1;
            if (size > EXEC_ARGS_MAX)
                return error(EXEC_E_ARGS, "the arguments are too long");
        }
        if (size == 0)
            return {};
        vm_address_t address = 0;
        MACH_TRY(vm_allocate(mach_task_self(), &address, size, TRUE), "allocating memory for the arguments");
        m_data = reinterpret_cast<char*>(address);
        m_capacity = size;
        for (size_t i = 0; i < count; ++i) {
            for (char c : strings[i])
                m_data[m_size++] = c;
            m_data[m_size++] = 0;
        }
        return {};
    }
    const char* data() const { return m_data; }
    mach_msg_type_number_t size() const { return static_cast<mach_msg_type_number_t>(m_size); }

private:
    char* m_data = nullptr;
    size_t m_size = 0;
    size_t m_capacity = 0;
};

struct Request {
    Packed argv;
    Packed envp;
    mach_msg_type_number_t descriptor_count = 0;
};

base::Result<void> prepare(Request& r, const Spawn& spawn)
{
    if (spawn.argc + spawn.envc > EXEC_ARGS_MAX)
        return error(EXEC_E_ARGS, "too many arguments");
    if (spawn.descriptor_count > EXEC_PORTS_MAX)
        return error(EXEC_E_ARGS, "too many descriptors");
    TRY(r.argv.pack(spawn.argv, spawn.argc));
    TRY(r.envp.pack(spawn.envp, spawn.envc));
    r.descriptor_count = static_cast<mach_msg_type_number_t>(spawn.descriptor_count);
    return {};
}

} // namespace

base::Result<Process> run(mach_port_t server, mach_port_t directory, base::StringView path, const Spawn& spawn)
{
    if (path.size() > EXEC_PATH_MAX)
        return error(EXEC_E_ARGS, "the path is too long");
    char name[EXEC_PATH_MAX + 1];
    for (size_t i = 0; i < path.size(); ++i)
        name[i] = path[i];
    name[path.size()] = 0;
    Request r;
    TRY(prepare(r, spawn));
    mach_port_t task = MACH_PORT_NULL, process = MACH_PORT_NULL;
    kern_return_t sent = exec_exec_path(server, directory, name, 0, r.argv.data(), r.argv.size(), r.envp.data(),
        r.envp.size(), const_cast<mach_port_t*>(spawn.descriptors), r.descriptor_count, const_cast<int*>(spawn.kinds),
        r.descriptor_count, const_cast<mach_port_t*>(spawn.ports), EXEC_PORT_COUNT, &task, &process);
    if (sent != KERN_SUCCESS)
        return reply_error(sent, "exec_exec_path");
    return Process(runtime::SendRight::adopt(task), runtime::SendRight::adopt(process));
}

base::Result<Process> run_file(mach_port_t server, mach_port_t file, const Spawn& spawn)
{
    Request r;
    TRY(prepare(r, spawn));
    mach_port_t task = MACH_PORT_NULL, process = MACH_PORT_NULL;
    kern_return_t sent = exec_exec(server, file, 0, r.argv.data(), r.argv.size(), r.envp.data(), r.envp.size(),
        const_cast<mach_port_t*>(spawn.descriptors), r.descriptor_count, const_cast<int*>(spawn.kinds),
        r.descriptor_count, const_cast<mach_port_t*>(spawn.ports), EXEC_PORT_COUNT, &task, &process);
    if (sent != KERN_SUCCESS)
        return reply_error(sent, "exec_exec");
    return Process(runtime::SendRight::adopt(task), runtime::SendRight::adopt(process));
}

base::Result<Ended> Process::wait() const
{
    // The reply comes when the program ends, which may be long after the runtime's RPC bound.
    unsigned bound = runtime::rpc_timeout();
    runtime::set_rpc_timeout(0);
    Ended ended;
    kern_return_t r = exec_wait(m_process.name(), &ended.how, &ended.status);
    runtime::set_rpc_timeout(bound);
    if (r != KERN_SUCCESS)
        return reply_error(r, "exec_wait");
    return ended;
}

base::Result<void> Process::kill() const
{
    MACH_TRY(task_terminate(m_task.name()), "ending the program (task_terminate)");
    return {};
}

} // namespace execclient
