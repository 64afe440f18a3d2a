// What the attack program and the message fuzzer share besides raw messages: naming a status
// code, and starting a program through exec with every wait bounded.
#pragma once

#include "base/format.h"
#include "base/result.h"
#include "base/string_view.h"
#include "execclient/client.h"
#include "fsclient/client.h"
#include "runtime/mach.h"

namespace security {

// A status code by its name (EXEC_E_*, FS_E*, D_*, MIG_*, KERN_*, MACH_*), else in hex.
struct Code {
    int code;
};

// How a started program ended, or why it could not be started or waited for.
struct RunResult {
    int error = 0; // exec_exec_path's or exec_wait's code; 0 when the program ended
    execclient::Ended ended;
    uint64_t elapsed_ms = 0;
    bool ok(int status) const { return error == 0 && ended.how == EXEC_END_EXIT && ended.status == status; }
};

// Runs path with argv through exec (root, current directory and console: this program's;
// no device master, no host-priv), from directory when the path is relative, and waits for
// its end; the start and the wait each take at most bound_ms.
RunResult run(base::StringView path, const base::StringView* argv, size_t argc, unsigned bound_ms = 20000,
    mach_port_t directory = MACH_PORT_NULL);

// Runs /bin/sh -c script and says whether it exited with status.
RunResult shell(base::StringView script, unsigned bound_ms = 20000);

// A directory opened for changing what is in it: with FS_LOOKUP_WRITE where the server
// accepts it on a directory, else (FS_EISDIR) for reading, which is how ext2fs took
// directory changes before issue 8.
base::Result<fsclient::Node> open_directory(const fsclient::Node& from, base::StringView path);

} // namespace security

template<> struct base::Formatter<security::Code> {
    static void format(Sink& s, const FormatSpec& spec, security::Code c);
};

template<> struct base::Formatter<security::RunResult> {
    static void format(Sink& s, const FormatSpec& spec, const security::RunResult& r);
};
