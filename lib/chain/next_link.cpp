// Supervising and restarting the link below (next_link.h).
#include "chain/next_link.h"

#include "chain/link.h"
#include "runtime/clock.h"
#include "runtime/console.h"
#include "runtime/msg.h"

extern "C" {
#include "link_U.h"
#include <mach/notify.h>
}

namespace chain {

namespace {

// The kernel names each boot task's threads after the task (its module); that is the only name
// we can learn before the task runs.
void learn_name(mach_port_t task, base::BoundedString<64>& name)
{
    thread_array_t threads = nullptr;
    mach_msg_type_number_t count = 0;
    if (task_threads(task, &threads, &count) == KERN_SUCCESS) {
        if (count > 0) {
            kernel_debug_name_t debug_name {};
            if (thread_get_name(threads[0], debug_name) == KERN_SUCCESS && debug_name[0])
                name.assign(base::StringView(debug_name));
        }
        for (mach_msg_type_number_t i = 0; i < count; ++i)
            mach_port_deallocate(mach_task_self(), threads[i]);
        vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(threads), count * sizeof(*threads));
    }
    if (name.size() == 0)
        name.assign("(unnamed task)");
}

// Asks the kernel for a notification about port, sent to notify (a receive right of ours); a
// request it replaces is released.
base::Result<void> request_notification(mach_port_t port, mach_msg_id_t kind, mach_port_t notify, const char* what)
{
    mach_port_t previous = MACH_PORT_NULL;
    MACH_TRY(mach_port_request_notification(
                 mach_task_self(), port, kind, 0, notify, MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous),
        what);
    if (MACH_PORT_VALID(previous))
        mach_port_deallocate(mach_task_self(), previous);
    return {};
}

} // namespace

base::Result<void> NextLink::make_ports(mach_port_t supervision, bool restartable)
{
    m_supervision = supervision;
    m_restartable = restartable;
    for (auto& kept : m_ports) {
        MACH_TRY(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &kept.name),
            "making a port for the next link");
        // Our send right, under the same name: the receive right comes back to it.
        MACH_TRY(mach_port_insert_right(mach_task_self(), kept.name, kept.name, MACH_MSG_TYPE_MAKE_SEND),
            "keeping a send right to the next link's port");
        kept.home = true;
    }
    return {};
}

base::Result<void> NextLink::adopt(mach_port_t task)
{
    m_task = runtime::SendRight::adopt(task);
    learn_name(task, m_name);
    if (m_restartable) {
        auto image = TaskImage::capture(task);
        if (image.is_error())
            return base::Error(image.error().code(), "copying the task to restart it later");
        m_image = image.release_value();
    }
    return {};
}

base::Result<void> NextLink::adopt_running(mach_port_t task, mach_port_t supervision)
{
    m_task = runtime::SendRight::adopt(task);
    learn_name(task, m_name);
    return request_notification(task, MACH_NOTIFY_DEAD_NAME, supervision, "asking to be told of its death");
}

base::Result<void> NextLink::start(mach_port_t bootstrap, mach_port_t supervision)
{
    m_bootstrap = bootstrap;
    m_supervision = supervision;
    mach_port_t task = m_task.name();
    MACH_TRY(mach_port_insert_right(mach_task_self(), bootstrap, bootstrap, MACH_MSG_TYPE_MAKE_SEND),
        "making a send right to the bootstrap port");
    auto own = runtime::SendRight::adopt(bootstrap);
    MACH_TRY(task_set_special_port(task, TASK_BOOTSTRAP_PORT, own.name()), "setting its bootstrap port");
    // A crash below is reported here: the next task's exceptions and its death come to us.
    MACH_TRY(mach_port_insert_right(mach_task_self(), supervision, supervision, MACH_MSG_TYPE_MAKE_SEND),
        "making a send right to the supervision port");
    auto exceptions = runtime::SendRight::adopt(supervision);
    MACH_TRY(task_set_special_port(task, TASK_EXCEPTION_PORT, exceptions.name()), "setting its exception port");
    TRY(request_notification(task, MACH_NOTIFY_DEAD_NAME, supervision, "asking to be told of its death"));
    MACH_TRY(task_resume(task), "resuming it");
    return {};
}

base::Result<void> NextLink::arm(Kept& kept)
{
    return request_notification(kept.name, MACH_NOTIFY_PORT_DESTROYED, m_supervision,
        "asking for a port's return if the next link dies (port-destroyed)");
}

bool NextLink::all_home() const
{
    for (const auto& kept : m_ports)
        if (!kept.home)
            return false;
    return true;
}

base::Result<NextLink::Handed> NextLink::hand_ports()
{
    if (m_ports_handed || !all_home() || !MACH_PORT_VALID(m_ports[0].name))
        return base::Error(KERN_INVALID_CAPABILITY, "the next link's ports were handed over already");
    if (m_restartable)
        for (auto& kept : m_ports)
            TRY(arm(kept));
    Handed handed { static_cast<int>(m_instance), m_ports[int(Port::DeviceMaster)].name,
        m_ports[int(Port::NextBootstrap)].name, m_ports[int(Port::Supervision)].name, {} };
    if (m_deposited_next_task.valid())
        handed.next_task = TRY(m_deposited_next_task.copy());
    for (auto& kept : m_ports)
        kept.home = false;
    m_ports_handed = true;
    return handed;
}

bool NextLink::port_came_back(mach_port_t rights)
{
    for (auto& kept : m_ports) {
        if (MACH_PORT_VALID(rights) && kept.name == rights && !kept.home) {
            kept.home = true;
            return true;
        }
    }
    return false;
}

void NextLink::mark_dead(base::StringView why)
{
    if (m_dead)
        return;
    m_dead = true;
    m_died_ms = runtime::uptime_ms();
    link().below_died();
    m_last_fault.assign(why);
    runtime::println("boot: {}: {} {}; restarting it", link().name(), m_name.view(), why);
}

bool NextLink::crashed(base::StringView fault)
{
    if (!m_restartable)
        return false;
    mark_dead(fault);
    task_terminate(m_task.name());
    return true;
}

bool NextLink::died(mach_port_t name)
{
    if (name != m_task.name())
        return true; // an instance that was restarted already
    if (!m_restartable)
        return false;
    mark_dead("ended");
    return true;
}

void NextLink::watch()
{
    uint64_t last_health = runtime::uptime_ms();
    for (;;) {
        runtime::sleep_ms(100);
        uint64_t now = runtime::uptime_ms();
        if (m_dead) {
            restart();
            continue;
        }
        // A new instance is asked at once, with the longer bound: the answer comes when its
        // server loop starts, and from then on it must answer within health_bound_ms.
        if (!m_ports_handed || (m_answered_health && now - last_health < health_every_ms))
            continue;
        // Asked outside the module's turn: this link serves on meanwhile (the link below may
        // be waiting on it, for an interrupt's acknowledgement say).
        unsigned instance = m_instance;
        unsigned bound = m_answered_health ? health_bound_ms : first_health_bound_ms;
        kern_return_t r;
        {
            runtime::ClientCallBound wait(bound);
            r = link_health(m_ports[int(Port::NextBootstrap)].name);
        }
        last_health = runtime::uptime_ms();
        if (m_dead || instance != m_instance)
            continue;
        if (r == KERN_SUCCESS) {
            m_answered_health = true;
        } else if (r == MACH_RCV_TIMED_OUT || r == MACH_SEND_TIMED_OUT) {
            base::BufferSink<120> why;
            base::format(why, "hung (no answer to a health request within {} s)", bound / 1000);
            mark_dead(why.view());
            task_terminate(m_task.name());
        }
        // Any other answer: it died during the call, and its dead-name notification follows.
    }
}

void NextLink::restart()
{
    uint64_t now = runtime::uptime_ms();
    unsigned recent = 0;
    for (unsigned i = 0; i < m_restarts && i < max_restarts; ++i)
        if (now - m_restart_ms[i] < restart_window_ms)
            ++recent;
    if (recent >= max_restarts) {
        base::BufferSink<80> what;
        base::format(what, "failed again after {} restarts within a minute and is given up", max_restarts);
        give_up(what.view());
    }
    uint64_t back_off = 100ull << recent;
    if (now < m_died_ms + back_off)
        return;
    // The kernel gives the ports back as it destroys the task: at once, in practice.
    if (!all_home()) {
        if (now - m_died_ms > 2000)
            give_up("cannot be restarted: its ports did not come back after its death");
        return;
    }
    auto task = m_image->instantiate();
    if (task.is_error()) {
        base::BufferSink<160> what;
        base::format(what, "cannot be restarted: {}", task.error());
        give_up(what.view());
    }
    m_task = task.release_value();
    ++m_instance;
    m_getpriv_answered = false;
    m_ports_handed = false;
    m_answered_health = false;
    m_dead = false;
    // The last max_restarts restart times, oldest first.
    if (m_restarts >= max_restarts)
        for (unsigned i = 1; i < max_restarts; ++i)
            m_restart_ms[i - 1] = m_restart_ms[i];
    m_restart_ms[m_restarts < max_restarts ? m_restarts : max_restarts - 1] = now;
    ++m_restarts;
    auto started = start(m_bootstrap, m_supervision);
    if (started.is_error()) {
        base::BufferSink<160> what;
        base::format(what, "cannot be restarted: {}", started.error());
        give_up(what.view());
    }
    runtime::println("boot: {} restarted {} (restart {}, at most {} a minute), {} ms after it failed", link().name(),
        m_name.view(), m_restarts, max_restarts, runtime::uptime_ms() - m_died_ms);
}

void NextLink::give_up(base::StringView what)
{
    // Its ports die now: whoever still sends to them (ext2fs, syncing for the shutdown) fails at
    // once instead of waiting in a queue nobody will serve.
    for (auto& kept : m_ports) {
        if (kept.home)
            mach_port_mod_refs(mach_task_self(), kept.name, MACH_PORT_RIGHT_RECEIVE, -1);
        kept.home = false;
    }
    base::BufferSink<256> why;
    base::format(why, "the next link {} {}; its last fault: {}", m_name.view(), what, m_last_fault.view());
    link().fail_with(Link::FailureStatus::NextLinkDied, why.view());
}

} // namespace chain
