// The program runtime: start-up through exec, streams, environment and exit.
#include "program/program.h"

#include "execclient/client.h"
#include "fsclient/status.h"
#include "runtime/msg.h"
#include "runtime/runtime.h"

namespace program {

Process& self()
{
    static Process instance;
    return instance;
}

void Output::attach(StreamKind kind, mach_port_t port)
{
    (void)flush();
    m_kind = MACH_PORT_VALID(port) ? kind : StreamKind::Closed;
    m_port = port;
    m_failed = false;
    m_error = base::Error(0);
}

base::Result<void> Output::emit(const char* data, size_t size)
{
    if (m_kind == StreamKind::Device) {
        // device_write_inband takes at most 128 bytes a call.
        while (size) {
            size_t n = size < 128 ? size : 128;
            int written = 0;
            MACH_TRY(device_write_inband(m_port, 0, 0, const_cast<char*>(data), n, &written), "writing the console");
            data += n;
            size -= n;
        }
        return {};
    }
    if (m_kind == StreamKind::File) {
        fsclient::Node node = fsclient::Node::adopt(m_port);
        auto written = node.write(FS_OFFSET_CURRENT, data, size);
        node.release(); // borrowed
        if (written.is_error())
            return written.error();
    }
    return {};
}

void Output::write(const char* data, size_t size)
{
    if (m_kind == StreamKind::Closed || m_failed)
        return;
    for (size_t i = 0; i < size; ++i) {
        m_buffer[m_size++] = data[i];
        if (m_size == sizeof m_buffer || (data[i] == '\n' && m_kind == StreamKind::Device))
            (void)flush();
    }
}

base::Result<void> Output::flush()
{
    if (m_failed)
        return m_error;
    size_t n = m_size;
    m_size = 0;
    if (n == 0 || m_kind == StreamKind::Closed)
        return {};
    auto r = emit(m_buffer, n);
    if (r.is_error()) {
        m_failed = true;
        m_error = r.error();
        return r.error();
    }
    return {};
}

void Input::attach(StreamKind kind, mach_port_t port)
{
    m_kind = MACH_PORT_VALID(port) ? kind : StreamKind::Closed;
    m_port = port;
}

base::Result<size_t> Input::read(char* buffer, size_t size)
{
    if (m_kind == StreamKind::Closed)
        return size_t(0);
    if (m_kind == StreamKind::Device) {
        io_buf_ptr_inband_t data;
        mach_msg_type_number_t count = sizeof data;
        size_t want = size < sizeof data ? size : sizeof data;
        // Someone types when they like: no bound on this reply.
        unsigned bound = runtime::rpc_timeout();
        runtime::set_rpc_timeout(0);
        kern_return_t kr = device_read_inband(m_port, 0, 0, want, data, &count);
        runtime::set_rpc_timeout(bound);
        if (kr != KERN_SUCCESS)
            return base::Error(kr, "reading the console");
        size_t n = count < want ? count : want;
        __builtin_memcpy(buffer, data, n);
        return n;
    }
    fsclient::Node node = fsclient::Node::adopt(m_port);
    auto r = node.read_region(FS_OFFSET_CURRENT, size);
    node.release();
    if (r.is_error())
        return r.error();
    size_t n = r.value().size() < size ? r.value().size() : size;
    __builtin_memcpy(buffer, r.value().data(), n);
    return n;
}

static StreamKind kind_of(int kind)
{
    switch (kind) {
    case EXEC_DESC_DEVICE:
        return StreamKind::Device;
    case EXEC_DESC_FILE:
        return StreamKind::File;
    default:
        return StreamKind::Closed;
    }
}

base::Result<void> Process::start(int argc, char** argv)
{
    m_argc = argc;
    m_argv = argv;
    // GNU Mach's and exec's initial stack: argv's null, then envp up to its null.
    m_envp = argv + argc + 1;
    auto startup = TRY(execclient::startup());
    auto take = [&](size_t index) {
        return index < startup.port_count ? static_cast<runtime::SendRight&&>(startup.ports[index])
                                          : runtime::SendRight();
    };
    m_root = fsclient::Node(take(EXEC_PORT_CRDIR));
    m_cwd = fsclient::Node(take(EXEC_PORT_CWDIR));
    m_console = take(EXEC_PORT_CONSOLE);
    m_exec = take(EXEC_PORT_EXEC);
    m_device_master = take(EXEC_PORT_DEVICE_MASTER);
    m_host_priv = take(EXEC_PORT_HOST_PRIV);
    if (!m_cwd.valid() && m_root.valid()) {
        auto again = m_root.lookup("", FS_LOOKUP_READ);
        if (!again.is_error())
            m_cwd = again.release_value();
    }
    runtime::privileged_ports().device_master = m_device_master.name();
    runtime::privileged_ports().host_priv = m_host_priv.name();

    for (size_t i = 0; i < 3; ++i) {
        StreamKind kind = StreamKind::Closed;
        if (i < startup.descriptor_count) {
            m_descriptors[i] = static_cast<runtime::SendRight&&>(startup.descriptors[i]);
            kind = kind_of(startup.kinds[i]);
        }
        if (i == 0)
            m_in.attach(kind, m_descriptors[i].name());
        else if (i == 1)
            m_out.attach(kind, m_descriptors[i].name());
        else
            m_err.attach(kind, m_descriptors[i].name());
    }
    return {};
}

base::StringView Process::env(base::StringView name, bool* found) const
{
    for (char** e = m_envp; e && *e; ++e) {
        base::StringView entry(*e);
        if (entry.size() > name.size() && entry[name.size()] == '=' && entry.substr(0, name.size()) == name) {
            if (found)
                *found = true;
            return entry.substr(name.size() + 1);
        }
    }
    if (found)
        *found = false;
    return {};
}

void exit(int status)
{
    (void)self().out().flush();
    (void)self().err().flush();
    execclient::exit(status);
}

} // namespace program

void base::Formatter<program::ErrorText>::format(Sink& s, const FormatSpec& spec, program::ErrorText e)
{
    if (const char* text = execclient::error_text(e.code)) {
        s.put(base::StringView(text));
        return;
    }
    if (const char* name = execclient::error_name(e.code)) {
        s.put(base::StringView(name));
        return;
    }
    Formatter<fsclient::Status>::format(s, spec, fsclient::Status { e.code });
}

int module_main(int argc, char** argv)
{
    auto started = program::self().start(argc, argv);
    if (started.is_error()) {
        // Not started by exec: there is no console to say it on, and nobody to tell.
        runtime::exit_task(127);
    }
    program::exit(program_main(argc, argv));
}
