// The one place modules include the kernel's interfaces from: traps, the MIG client stubs of
// the kernel's .defs, and the kernel's types. C headers, wrapped for C++.
#pragma once

extern "C" {
#include <device/device_types.h>
#include <mach/mach_types.h>
#include <mach/message.h>
#include <mach/mig_errors.h>
#include <mach/mig_support.h>
#include <mach/port.h>
#include <mach/task_special_ports.h>
#include <mach/thread_status.h>
#include <mach/vm_prot.h>

#include "device_U.h"
#include "gnumach_U.h"
#include "mach_U.h"
#include "mach_host_U.h"
#include "mach_i386_U.h"
#include "mach_port_U.h"

void swtch_pri(int priority);
}
