// rumpdisk's test hooks (test_hooks.h).
#include "test_hooks.h"

#include <stdint.h>

#include "runtime/console.h"
#include "runtime/msg.h"

namespace rumpdisk {

namespace {

TestHooks g_hooks;
unsigned long long g_transfers = 0;

[[noreturn]] void fault(const char* where)
{
    runtime::report("test hook: an invalid memory access {}", where);
    // A real fault: the kernel raises EXC_BAD_ACCESS to our exception port (the link above).
    volatile uintptr_t unmapped = 16; // hidden from the compiler, which would refuse the store
    *reinterpret_cast<volatile int*>(unmapped) = 1;
    for (;;)
        runtime::sleep_ms(1000);
}

} // namespace

void set_test_hooks(const TestHooks& hooks, unsigned instance)
{
    g_hooks = hooks;
    if (instance > 1) {
        g_hooks.fault_after = 0;
        g_hooks.hang_after = 0;
    }
}

void test_hook_at_start()
{
    if (g_hooks.fault_at_start)
        fault("at start");
}

void test_hook_at_transfer()
{
    ++g_transfers;
    if (g_hooks.fault_after && g_transfers == g_hooks.fault_after)
        fault("at this transfer");
    if (g_hooks.hang_after && g_transfers == g_hooks.hang_after) {
        runtime::report("test hook: no more requests served from this transfer on");
        for (;;)
            runtime::sleep_ms(1000);
    }
}

} // namespace rumpdisk
