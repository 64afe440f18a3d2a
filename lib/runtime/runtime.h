// The module runtime: process start and exit, the name the module runs under, and the
// privileged ports a module holds once it knows them.
#pragma once

#include "base/string_view.h"
#include "runtime/mach.h"

namespace runtime {

// The module's own name (argv[0]), used in every message it prints.
base::StringView program_name();

// Privileged ports, set by the module once it has them (from its command line or upstream).
// Raw names: these are the boundary to the kernel's MIG stubs.
struct PrivilegedPorts {
    mach_port_t host_priv = MACH_PORT_NULL;
    mach_port_t device_master = MACH_PORT_NULL;
};
PrivilegedPorts& privileged_ports();

// Ends this task. Does not return.
[[noreturn]] void exit_task(int status);

} // namespace runtime

// Every module defines this; argv[0] is the module's name from the boot script.
int module_main(int argc, char** argv);
