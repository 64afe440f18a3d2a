// The table of programs.
#include "programs.h"

namespace exec {

Program* Programs::allocate(Exec& exec)
{
    for (auto& p : m_programs) {
        if (p.state == Program::State::Free) {
            p.exec = &exec;
            p.state = Program::State::Running;
            p.number = ++m_started;
            return &p;
        }
    }
    return nullptr;
}

void Programs::release(Program& p)
{
    // Once the task has ended, its name here is a dead name, which the kernel gave one more
    // reference for the dead-name notification it queued on the start-up port; that message
    // goes with the start-up port below, unread. Every reference of the name is this entry's
    // (exec's one name for the task's port), so all of them go, and never another right.
    mach_port_t task = p.task.name();
    mach_port_type_t type = 0;
    if (MACH_PORT_VALID(task) && mach_port_type(mach_task_self(), task, &type) == KERN_SUCCESS
        && (type & MACH_PORT_TYPE_DEAD_NAME)) {
        mach_port_urefs_t refs = 0;
        if (mach_port_get_refs(mach_task_self(), task, MACH_PORT_RIGHT_DEAD_NAME, &refs) == KERN_SUCCESS && refs > 0)
            mach_port_mod_refs(mach_task_self(), task, MACH_PORT_RIGHT_DEAD_NAME, -static_cast<int>(refs));
        (void)p.task.release();
    }
    // Assigning a fresh entry runs the destructors of the rights it held.
    p = Program();
}

size_t Programs::charged_to(unsigned requester) const
{
    size_t n = 0;
    for (const auto& p : m_programs)
        if (p.state != Program::State::Free && p.requester == requester)
            ++n;
    return n;
}

} // namespace exec
