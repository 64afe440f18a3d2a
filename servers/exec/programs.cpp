// The table of programs.
#include "programs.h"

namespace execd {

Program* Programs::allocate()
{
    for (auto& p : m_programs) {
        if (p.state == Program::State::Free) {
            p.state = Program::State::Running;
            p.number = ++m_started;
            return &p;
        }
    }
    return nullptr;
}

void Programs::release(Program& p)
{
    // Assigning a fresh entry runs the destructors of the rights it held.
    p = Program();
}

Program* Programs::by_startup_port(mach_port_t port)
{
    if (!MACH_PORT_VALID(port))
        return nullptr;
    for (auto& p : m_programs)
        if (p.state != Program::State::Free && p.startup.name() == port)
            return &p;
    return nullptr;
}

Program* Programs::by_process_port(mach_port_t port)
{
    if (!MACH_PORT_VALID(port))
        return nullptr;
    for (auto& p : m_programs)
        if (p.state != Program::State::Free && p.process.name() == port)
            return &p;
    return nullptr;
}

} // namespace execd
