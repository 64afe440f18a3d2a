// Process start, the C functions the compiler and MIG call, and C++ language support for
// freestanding modules.
#include <stddef.h>
#include <stdint.h>

#include <new>

#include "runtime/bytes.h"
#include "runtime/heap.h"
#include "runtime/runtime.h"

namespace runtime {
void set_program_name(const char* name);
}

extern "C" {
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();

void* memcpy(void* dest, const void* src, size_t n)
{
    runtime::bytes::copy(dest, src, n);
    return dest;
}

void* memmove(void* dest, const void* src, size_t n)
{
    runtime::bytes::move(dest, src, n);
    return dest;
}

void* memset(void* dest, int c, size_t n)
{
    runtime::bytes::fill(dest, static_cast<unsigned char>(c), n);
    return dest;
}

int memcmp(const void* a, const void* b, size_t n)
{
    return runtime::bytes::compare(a, b, n);
}

size_t strlen(const char* s)
{
    size_t n = 0;
    while (s[n])
        ++n;
    return n;
}

int strcmp(const char* a, const char* b)
{
    while (*a && *a == *b)
        ++a, ++b;
    return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

void __cxa_pure_virtual()
{
    runtime::exit_task(134);
}

void* __dso_handle = nullptr;

// A module ends with task_terminate: static destructors never run, so nothing is registered.
int atexit(void (*)())
{
    return 0;
}

[[noreturn]] void bootchain_start(uintptr_t* stack)
{
    int argc = static_cast<int>(stack[0]);
    char** argv = reinterpret_cast<char**>(stack + 1);
    for (auto** f = __init_array_start; f != __init_array_end; ++f)
        (*f)();
    if (argc > 0 && argv[0])
        runtime::set_program_name(argv[0]);
    int status = module_main(argc, argv);
    runtime::exit_task(status);
}
}

// <new> declares it; with -nostdlib nothing defines it, and `new (std::nothrow)` needs it.
const std::nothrow_t std::nothrow {};

// A plain new may not return null (the compiler assumes it does not): an empty heap there is
// a bug, caught where it happens. Allocations that may fail use base::create (base/own.h).
static void* allocate_or_trap(size_t size)
{
    void* p = runtime::heap_allocate(size);
    if (!p)
        __builtin_trap();
    return p;
}
void* operator new(size_t size)
{
    return allocate_or_trap(size);
}
void* operator new[](size_t size)
{
    return allocate_or_trap(size);
}
void* operator new(size_t size, const std::nothrow_t&) noexcept
{
    return runtime::heap_allocate(size);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept
{
    return runtime::heap_allocate(size);
}
void operator delete(void* p) noexcept
{
    runtime::heap_free(p);
}
void operator delete[](void* p) noexcept
{
    runtime::heap_free(p);
}
void operator delete(void* p, size_t) noexcept
{
    runtime::heap_free(p);
}
void operator delete[](void* p, size_t) noexcept
{
    runtime::heap_free(p);
}

namespace runtime {

static base::StringView g_program_name = "module";
static PrivilegedPorts g_privileged_ports;

base::StringView program_name()
{
    return g_program_name;
}

void set_program_name(const char* name)
{
    g_program_name = base::StringView(name);
}

PrivilegedPorts& privileged_ports()
{
    return g_privileged_ports;
}

[[noreturn]] void exit_task(int)
{
    // A boot module has no parent to collect its status; the status is for the console.
    task_terminate(mach_task_self());
    for (;;)
        swtch_pri(0);
}

} // namespace runtime
