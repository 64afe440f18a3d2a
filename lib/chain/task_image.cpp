// Copying a suspended task and making it again (task_image.h).
#include "chain/task_image.h"

namespace chain {

base::Result<base::Own<TaskImage>> TaskImage::capture(mach_port_t task)
{
    base::Own<TaskImage> image = TRY(base::create<TaskImage>());
    TRY(image->take_regions(task));
    TRY(image->take_thread(task));
    return image;
}

TaskImage::~TaskImage()
{
    for (size_t i = 0; i < m_region_count; ++i)
        if (m_regions[i].copy)
            vm_deallocate(mach_task_self(), m_regions[i].copy, m_regions[i].size);
}

base::Result<void> TaskImage::take_regions(mach_port_t task)
{
    vm_address_t address = 0;
    for (;;) {
        Region r;
        r.address = address;
        vm_inherit_t inheritance = 0;
        boolean_t shared = FALSE;
        mach_port_t object = MACH_PORT_NULL;
        vm_offset_t offset = 0;
        kern_return_t k = vm_region(
            task, &r.address, &r.size, &r.protection, &r.max_protection, &inheritance, &shared, &object, &offset);
        if (k == KERN_NO_SPACE || k == KERN_INVALID_ADDRESS)
            break; // no region at or above address
        if (k != KERN_SUCCESS)
            return base::Error(k, "reading the task's address space (vm_region)");
        if (MACH_PORT_VALID(object))
            mach_port_deallocate(mach_task_self(), object);
        if (m_region_count == max_regions)
            return base::Error(KERN_RESOURCE_SHORTAGE, "the task has more regions than its image holds");
        if (r.protection & VM_PROT_READ) {
            vm_offset_t data = 0;
            mach_msg_type_number_t count = 0;
            MACH_TRY(vm_read(task, r.address, r.size, &data, &count), "copying a region of the task (vm_read)");
            r.copy = data;
        }
        m_regions[m_region_count++] = r;
        address = r.address + r.size;
        if (address < r.address)
            break; // the top of the address space
    }
    if (m_region_count == 0)
        return base::Error(KERN_INVALID_ARGUMENT, "the task has no memory to copy");
    return {};
}

base::Result<void> TaskImage::take_thread(mach_port_t task)
{
    thread_array_t threads = nullptr;
    mach_msg_type_number_t count = 0;
    MACH_TRY(task_threads(task, &threads, &count), "listing the task's threads");
    kern_return_t k = KERN_SUCCESS;
    if (count == 1) {
        mach_msg_type_number_t words = i386_THREAD_STATE_COUNT;
        k = thread_get_state(threads[0], i386_THREAD_STATE, reinterpret_cast<thread_state_t>(&m_state), &words);
        if (k == KERN_SUCCESS && thread_get_name(threads[0], m_name) != KERN_SUCCESS)
            m_name[0] = 0;
    }
    for (mach_msg_type_number_t i = 0; i < count; ++i)
        mach_port_deallocate(mach_task_self(), threads[i]);
    vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(threads), count * sizeof(*threads));
    if (count != 1)
        return base::Error(KERN_INVALID_ARGUMENT, "the task has more than one thread, or none");
    if (k != KERN_SUCCESS)
        return base::Error(k, "reading the thread's registers (thread_get_state)");
    return {};
}

base::Result<runtime::SendRight> TaskImage::instantiate() const
{
    mach_port_t task_name = MACH_PORT_NULL;
    MACH_TRY(task_create(mach_task_self(), FALSE, &task_name), "creating the task (task_create)");
    auto task = runtime::SendRight::adopt(task_name);
    // Until it is complete, a failure ends the new task.
    struct EndOnFailure {
        mach_port_t task;
        ~EndOnFailure()
        {
            if (MACH_PORT_VALID(task))
                task_terminate(task);
        }
    } end_on_failure { task_name };

    MACH_TRY(task_suspend(task_name), "suspending the new task");
    for (size_t i = 0; i < m_region_count; ++i) {
        const Region& r = m_regions[i];
        vm_address_t at = r.address;
        MACH_TRY(vm_allocate(task_name, &at, r.size, FALSE), "allocating a region in the new task (vm_allocate)");
        if (r.copy)
            MACH_TRY(vm_write(task_name, r.address, r.copy, static_cast<mach_msg_type_number_t>(r.size)),
                "writing a region into the new task (vm_write)");
        MACH_TRY(
            vm_protect(task_name, r.address, r.size, TRUE, r.max_protection), "setting a region's maximum protection");
        MACH_TRY(vm_protect(task_name, r.address, r.size, FALSE, r.protection), "setting a region's protection");
    }
    thread_t thread_name = MACH_PORT_NULL;
    MACH_TRY(thread_create(task_name, &thread_name), "creating the thread (thread_create)");
    auto thread = runtime::SendRight::adopt(thread_name);
    auto state = m_state;
    MACH_TRY(thread_set_state(
                 thread_name, i386_THREAD_STATE, reinterpret_cast<thread_state_t>(&state), i386_THREAD_STATE_COUNT),
        "setting the thread's registers (thread_set_state)");
    if (m_name[0]) {
        kernel_debug_name_t name;
        __builtin_memcpy(name, m_name, sizeof name);
        thread_set_name(thread_name, name);
        task_set_name(task_name, name);
    }
    // The thread is made suspended; the task's own suspension holds it until task_resume.
    MACH_TRY(thread_resume(thread_name), "readying the thread");
    end_on_failure.task = MACH_PORT_NULL;
    return task;
}

size_t TaskImage::bytes() const
{
    size_t n = 0;
    for (size_t i = 0; i < m_region_count; ++i)
        n += m_regions[i].size;
    return n;
}

} // namespace chain
