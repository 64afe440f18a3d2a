// The security programs' shared helpers (security_program.h).
#include "security_program.h"

#include "program/program.h"
#include "runtime/clock.h"
#include "runtime/msg.h"

namespace security {

RunResult run(
    base::StringView path, const base::StringView* argv, size_t argc, unsigned bound_ms, mach_port_t directory)
{
    auto& self = program::self();
    static const base::StringView environment[] = { "HOME=/", "PATH=/bin:/sbin" };
    execclient::Spawn spawn;
    spawn.argv = argv;
    spawn.argc = argc;
    spawn.envp = environment;
    spawn.envc = 2;
    spawn.ports[EXEC_PORT_CRDIR] = self.root().port();
    spawn.ports[EXEC_PORT_CWDIR] = self.root().port();
    spawn.ports[EXEC_PORT_CONSOLE] = self.console();
    spawn.ports[EXEC_PORT_EXEC] = self.exec_server();
    RunResult result;
    uint64_t start = runtime::uptime_ms();
    (void)program::out().flush();
    runtime::ClientCallBound bound(bound_ms);
    auto process = execclient::run(self.exec_server(), directory, path, spawn);
    if (process.is_error()) {
        result.error = process.error().code();
        result.elapsed_ms = runtime::uptime_ms() - start;
        return result;
    }
    auto ended = process.value().wait();
    result.elapsed_ms = runtime::uptime_ms() - start;
    if (ended.is_error()) {
        result.error = ended.error().code();
        // A program we no longer wait for must not outlive the test.
        (void)process.value().kill();
        return result;
    }
    result.ended = ended.value();
    return result;
}

RunResult shell(base::StringView script, unsigned bound_ms)
{
    const base::StringView argv[] = { "sh", "-c", script };
    return run("/bin/sh", argv, 3, bound_ms);
}

base::Result<fsclient::Node> open_directory(const fsclient::Node& from, base::StringView path)
{
    auto rw = from.lookup(path, FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_DIRECTORY);
    if (!rw.is_error() || rw.error().code() != FS_EISDIR)
        return rw;
    return from.lookup(path, FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY);
}

} // namespace security

void base::Formatter<security::Code>::format(Sink& s, const FormatSpec&, security::Code c)
{
    if (const char* name = execclient::error_name(c.code))
        s.put(base::StringView(name));
    else
        base::format(s, "{:#x}", static_cast<unsigned>(c.code));
}

void base::Formatter<security::RunResult>::format(Sink& s, const FormatSpec&, const security::RunResult& r)
{
    if (r.error) {
        base::format(s, "failed: {} after {} ms", security::Code { r.error }, r.elapsed_ms);
        return;
    }
    const char* how = r.ended.how == EXEC_END_EXIT ? "exited" : r.ended.how == EXEC_END_CRASH ? "crashed" : "killed";
    base::format(s, "{} with {} after {} ms", how, r.ended.status, r.elapsed_ms);
}
