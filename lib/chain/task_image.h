// A copy of a task as the kernel made it, taken while it is still suspended, from which the same
// task can be made again: what a link needs to restart the link below it. GNU Mach's boot
// script gives no way back to a module's file, so the copy is of the task itself: every region
// of its address space (the program, its data, the stack with the arguments the kernel wrote)
// with its protections, and its one thread's registers at the entry point.
//
// The regions are kept with vm_read: a virtual copy that costs memory only for the pages the
// running task changes afterwards (its data, bss and stack as it uses them).
#pragma once

#include <stddef.h>

#include "base/own.h"
#include "base/result.h"
#include "base/string_view.h"
#include "runtime/mach.h"
#include "runtime/rights.h"

namespace chain {

class TaskImage {
public:
    static constexpr size_t max_regions = 32;

    // Copies the suspended task. The task must have one thread, not yet run.
    static base::Result<base::Own<TaskImage>> capture(mach_port_t task);
    TaskImage() = default; // empty: capture() fills one
    ~TaskImage();

    // A new task, suspended, with the copied memory and a thread at the copied state, named as
    // the first was. The caller sets its special ports and resumes it (task_resume).
    base::Result<runtime::SendRight> instantiate() const;

    size_t bytes() const; // the copied regions' size

private:
    struct Region {
        vm_address_t address = 0;
        vm_size_t size = 0;
        vm_prot_t protection = VM_PROT_NONE;
        vm_prot_t max_protection = VM_PROT_NONE;
        vm_address_t copy = 0; // in this task; 0 for a region that cannot be read
    };
    base::Result<void> take_regions(mach_port_t task);
    base::Result<void> take_thread(mach_port_t task);

    Region m_regions[max_regions];
    size_t m_region_count = 0;
    struct i386_thread_state m_state { };
    kernel_debug_name_t m_name {};
};

} // namespace chain
