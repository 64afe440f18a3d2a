// ext2fs's --fault-after test hook (fault_hook.h).
#include "fault_hook.h"

#include "runtime/console.h"

namespace {
unsigned long long g_fault_after = 0;
unsigned long long g_writes = 0;
} // namespace

namespace ext2fs {

void fault_after_writes(unsigned long long n)
{
    g_fault_after = n;
}

void count_write()
{
    if (g_fault_after == 0 || ++g_writes < g_fault_after)
        return;
    runtime::report("test hook: faulting at io_write request {} (--fault-after)", g_writes);
    runtime::console().flush();
    // Address 0 is never mapped in a module: the kernel raises EXC_BAD_ACCESS, and the link
    // above (rumpdisk) is told.
    *reinterpret_cast<volatile int*>(0) = 1;
}

} // namespace ext2fs
