// The program loader of exec: lib/elf's plan carried out with Mach's VM calls on the new task.
#include "loader.h"

#include "elf/initial_stack.h"
#include "elf/loader.h"
#include "exec_types.h"
#include "execclient/client.h"
#include "runtime/clock.h"

namespace exec {

namespace {

// Reads the program through its file port. lib/elf never asks past the size it was given, so
// a short read means the file shrank while it was being loaded.
// lib/elf and the loader never ask for more than a window (below FS_IO_MAX) at once, so each
// read is one io_read, bounded by what is left of a client's deadline.
class NodeReader final : public elf::FileReader {
public:
    NodeReader(const fsclient::Node& node, const ClientDeadline* client)
        : m_node(node)
        , m_client(client)
    {
    }
    base::Result<void> read(uint64_t offset, void* buffer, size_t size) override
    {
        size_t n = TRY(within(m_client, [&] { return m_node.read(offset, buffer, size); }));
        if (n != size)
            return fsclient::error(FS_EIO, "the program file became shorter while it was read");
        return {};
    }

private:
    const fsclient::Node& m_node;
    const ClientDeadline* m_client;
};

// The window through which pages go to the new task (lib/elf fills it, vm_write copies it),
// and the initial stack's block, laid out by lib/elf before it is placed in its pages. Each
// load has its own: other requests run while this one reads a client's file (runtime/threads.h).
constexpr size_t window_size = 128 * 1024;
struct Scratch {
    alignas(elf::page_size) uint8_t window[window_size];
    uint8_t stack_block[elf::max_argument_bytes];
};

// The scratch memory of one load, from the kernel and given back after it.
class ScratchPages {
public:
    static base::Result<ScratchPages> allocate()
    {
        vm_address_t address = 0;
        MACH_TRY(vm_allocate(mach_task_self(), &address, sizeof(Scratch), TRUE), "allocating exec's load window");
        return ScratchPages(reinterpret_cast<Scratch*>(address));
    }
    ScratchPages(ScratchPages&& o)
        : m_scratch(o.m_scratch)
    {
        o.m_scratch = nullptr;
    }
    ScratchPages(const ScratchPages&) = delete;
    ScratchPages& operator=(const ScratchPages&) = delete;
    ScratchPages& operator=(ScratchPages&&) = delete;
    ~ScratchPages()
    {
        if (m_scratch)
            vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(m_scratch), sizeof(Scratch));
    }
    Scratch& operator*() const { return *m_scratch; }

private:
    explicit ScratchPages(Scratch* scratch)
        : m_scratch(scratch)
    {
    }
    Scratch* m_scratch;
};

base::Error vm_error(kern_return_t r, const char* what)
{
    // The kernel's answers when it cannot give the task memory at the address or at all.
    if (r == KERN_RESOURCE_SHORTAGE || r == KERN_NO_SPACE)
        return execclient::error(EXEC_E_NO_MEMORY, what);
    return base::Error(r, what);
}

base::Result<void> load_region(
    mach_port_t task, const elf::LoadPlan& plan, const elf::Region& region, elf::FileReader& reader, Scratch& scratch)
{
    vm_address_t address = region.start;
    kern_return_t r = vm_allocate(task, &address, region.size(), FALSE);
    if (r != KERN_SUCCESS)
        return vm_error(r, "allocating a segment's pages in the new task (vm_allocate)");
    // vm_allocate gave zeros: only the windows that hold file bytes are written, found from the
    // copies (never by walking the region's pages: its bss may be large).
    for (size_t i = 0; i < plan.copy_count; ++i) {
        const auto& c = plan.copies[i];
        uint64_t from = c.vaddr & ~(elf::page_size - 1);
        uint64_t to = (c.vaddr + c.size + elf::page_size - 1) & ~(elf::page_size - 1);
        from = from < region.start ? region.start : from;
        to = to > region.end ? region.end : to;
        for (uint64_t at = from; at < to; at += window_size) {
            size_t n = to - at < window_size ? to - at : window_size;
            TRY(elf::fill(plan, at, scratch.window, n, reader));
            r = vm_write(
                task, at, reinterpret_cast<vm_offset_t>(scratch.window), static_cast<mach_msg_type_number_t>(n));
            if (r != KERN_SUCCESS)
                return vm_error(r, "writing a segment into the new task (vm_write)");
        }
    }
    r = vm_protect(task, region.start, region.size(), FALSE, region.protection);
    if (r != KERN_SUCCESS)
        return vm_error(r, "protecting a segment (vm_protect)");
    return {};
}

base::Result<uint64_t> load_stack(
    mach_port_t task, uint64_t base, uint64_t size, base::StringView argv, base::StringView envp, Scratch& scratch)
{
    vm_address_t address = base;
    kern_return_t r = vm_allocate(task, &address, size, FALSE);
    if (r != KERN_SUCCESS)
        return vm_error(r, "allocating the stack of the new task (vm_allocate)");
    uint64_t top = base + size;
    auto stack = elf::build_initial_stack_packed(top, argv, envp, scratch.stack_block, sizeof scratch.stack_block);
    if (stack.is_error()) {
        if (stack.error().is(elf::domain) && elf::elf_error(stack.error()) == elf::Error::ArgumentsTooLong)
            return execclient::error(EXEC_E_ARGS, "the arguments and environment are over 64 KiB");
        return stack.error();
    }
    // The block goes to the last pages of the stack, written whole through the window.
    uint64_t rsp = stack.value().rsp;
    uint64_t first_page = rsp & ~(elf::page_size - 1);
    size_t span = top - first_page;
    if (span > window_size)
        return execclient::error(EXEC_E_ARGS, "the initial stack is larger than exec's window");
    __builtin_memset(scratch.window, 0, span);
    __builtin_memcpy(scratch.window + (rsp - first_page), scratch.stack_block, stack.value().size);
    r = vm_write(
        task, first_page, reinterpret_cast<vm_offset_t>(scratch.window), static_cast<mach_msg_type_number_t>(span));
    if (r != KERN_SUCCESS)
        return vm_error(r, "writing the initial stack (vm_write)");
    return rsp;
}

base::Result<runtime::SendRight> make_thread(mach_port_t task, uint64_t entry, uint64_t rsp)
{
    mach_port_t thread = MACH_PORT_NULL;
    MACH_TRY(thread_create(task, &thread), "creating the thread (thread_create)");
    auto owned = runtime::SendRight::adopt(thread);
    // The kernel's state of a new thread has the user segment selectors; only the entry point
    // and the stack pointer change (ursp is what the kernel loads into rsp on return to user).
    struct i386_thread_state state { };
    mach_msg_type_number_t count = i386_THREAD_STATE_COUNT;
    MACH_TRY(thread_get_state(thread, i386_THREAD_STATE, reinterpret_cast<thread_state_t>(&state), &count),
        "reading the new thread's state (thread_get_state)");
    state.rip = entry;
    state.ursp = rsp;
    state.rsp = rsp;
    MACH_TRY(
        thread_set_state(thread, i386_THREAD_STATE, reinterpret_cast<thread_state_t>(&state), i386_THREAD_STATE_COUNT),
        "setting the new thread's registers (thread_set_state)");
    return owned;
}

} // namespace

ClientDeadline::ClientDeadline(unsigned ms)
{
    uint64_t now = runtime::uptime_ms();
    if (now)
        m_end_ms = now + (ms ? ms : client_wait_ms);
}

base::Result<unsigned> ClientDeadline::next_bound() const
{
    if (!m_end_ms)
        return runtime::ClientCallBound::default_ms;
    uint64_t now = runtime::uptime_ms();
    if (now >= m_end_ms)
        return base::Error(MACH_RCV_TIMED_OUT, "the client's port did not answer within exec's bound");
    uint64_t left = m_end_ms - now;
    return static_cast<unsigned>(
        left < runtime::ClientCallBound::default_ms ? left : runtime::ClientCallBound::default_ms);
}

base::Result<Loaded> load(mach_port_t task, const fsclient::Node& file, base::StringView argv, base::StringView envp,
    const ClientDeadline* client)
{
    fsclient::Stat st = TRY(within(client, [&] { return file.stat(); }));
    if ((st.mode & fsclient::mode_type_mask) != fsclient::mode_regular)
        return execclient::error(EXEC_E_NOT_REGULAR, "the program is not a regular file");
    if (st.size > max_file_size)
        return execclient::error(EXEC_E_TOO_BIG, "the program file is larger than 256 MiB");

    NodeReader reader(file, client);
    elf::Image image = TRY(elf::parse(reader, st.size));
    uint64_t size = stack_size;
    if (image.stack_size_hint > size)
        size = image.stack_size_hint < max_stack_size ? image.stack_size_hint : max_stack_size;
    size = (size + elf::page_size - 1) & ~(elf::page_size - 1);
    uint64_t stack_base = elf::default_stack_top - size;
    if (image.highest > stack_base)
        return execclient::error(
            EXEC_E_STACK, "the program's segments reach the stack's place at the top of user space");

    elf::LoadPlan plan = elf::plan(image);
    ScratchPages scratch = TRY(ScratchPages::allocate());
    for (size_t i = 0; i < plan.region_count; ++i)
        TRY(load_region(task, plan, plan.regions[i], reader, *scratch));

    Loaded loaded;
    loaded.rsp = TRY(load_stack(task, stack_base, size, argv, envp, *scratch));
    loaded.entry = image.entry;
    loaded.stack_base = stack_base;
    loaded.stack_size = size;
    loaded.thread = TRY(make_thread(task, image.entry, loaded.rsp));
    return loaded;
}

} // namespace exec
