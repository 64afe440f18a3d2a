// The link below, as the link above it supervises it: its task, the ports it serves to the links
// below it, and, where the policy says it may be restarted (policy.h: rumpdisk), what it takes to
// start it again. MINIX 3's reincarnation server is the model; in the Hurd a dead rumpdisk
// takes the system down.
//
// The ports outlive the link. This link makes the three ports the next link serves (its device
// master for the link below it, that link's bootstrap port, its supervision port) and hands them
// over as receive rights (link.defs: link_ports), having asked the kernel for their
// port-destroyed notifications: when the next link dies, the kernel gives the receive rights
// back here instead of destroying them, with every request queued on them, and the next
// instance gets them again. So the clients' send rights stay valid and their queued requests are
// served by the new instance; only a request in progress fails (its reply right died with the
// task), and the client re-issues it (ext2fs does, block_device.h).
//
// Restart: a copy of the task taken before its first resume (task_image.h) is made again, with
// the same bootstrap arrangement. The link dies (a dead-name notification), faults (an
// exception it could not handle comes here: the task is ended), or hangs: a watchdog thread asks
// it link_health every second, and a link that does not answer within 5 s is ended. At most
// max_restarts restarts within a minute, each after a back-off (100 ms, doubling); past that the
// chain goes down with a sentence naming the link and its last fault.
#pragma once

#include <stdint.h>

#include "base/result.h"
#include "base/string_view.h"
#include "chain/task_image.h"
#include "runtime/mach.h"
#include "runtime/rights.h"

namespace chain {

// What the link above does to the hardware the dead link drove, first thing when it dies (the
// arbiter stops the controllers' DMA).
class DeathHook {
public:
    virtual void next_link_died() = 0;

protected:
    ~DeathHook() = default;
};

class NextLink {
public:
    static constexpr unsigned max_restarts = 5; // within restart_window_ms
    static constexpr uint64_t restart_window_ms = 60 * 1000;
    static constexpr unsigned health_every_ms = 1000;
    static constexpr unsigned health_bound_ms = 5000;
    // A new instance sets its controllers up before it serves: a longer first bound.
    static constexpr unsigned first_health_bound_ms = 30000;

    // The ports the next link will serve, made here; `supervision` is this link's own
    // supervision port, where the port-destroyed notifications come.
    base::Result<void> make_ports(mach_port_t supervision, bool restartable);
    // The task, before its first resume: a copy is taken if it may be restarted.
    base::Result<void> adopt(mach_port_t task);
    // A restarted link's next link, which runs already (its task port deposited by the
    // instance before): only its death is asked for again.
    base::Result<void> adopt_running(mach_port_t task, mach_port_t supervision);
    // Resumes the task (first or new instance) with its bootstrap and exception ports set to
    // this link's and its death told to supervision.
    base::Result<void> start(mach_port_t bootstrap, mach_port_t supervision);

    void set_death_hook(DeathHook& hook) { m_death_hook = &hook; }
    void run_death_hook()
    {
        if (m_death_hook)
            m_death_hook->next_link_died();
    }
    mach_port_t task() const { return m_task.name(); }
    base::StringView name() const { return m_name.view(); }
    unsigned instance() const { return m_instance; }
    bool restartable() const { return static_cast<bool>(m_image); }

    // fsys_getpriv and link_ports are answered once per instance: true the first time.
    bool take_getpriv() { return !m_getpriv_answered && (m_getpriv_answered = true); }
    // link_ports: the receive rights for the asking instance (moved out), its number, and the
    // task port it deposited (a new reference), or KERN_INVALID_CAPABILITY.
    struct Handed {
        int instance;
        mach_port_t device_master, next_bootstrap, supervision;
        runtime::SendRight next_task;
    };
    base::Result<Handed> hand_ports();
    void deposit_next_task(runtime::SendRight task) { m_deposited_next_task = static_cast<runtime::SendRight&&>(task); }

    // From the supervision port. Each returns true when the link was restartable and the event
    // is taken care of (a restart follows); false: the chain must go down.
    bool crashed(base::StringView fault);
    bool died(mach_port_t name);
    // A port-destroyed notification: true if `rights` is one of the next link's ports, now here.
    bool port_came_back(mach_port_t rights);

    // The watchdog's loop (a thread of its own): health checks and restarts.
    [[noreturn]] void watch();

private:
    enum class Port { DeviceMaster, NextBootstrap, Supervision, Count };
    struct Kept {
        mach_port_t name = MACH_PORT_NULL; // our send right; the receive right too when home
        bool home = false;
    };
    base::Result<void> arm(Kept&);
    bool all_home() const;
    void mark_dead(base::StringView why);
    void restart();
    [[noreturn]] void give_up(base::StringView what);

    runtime::SendRight m_task;
    base::BoundedString<64> m_name;
    Kept m_ports[static_cast<int>(Port::Count)];
    mach_port_t m_supervision = MACH_PORT_NULL;
    mach_port_t m_bootstrap = MACH_PORT_NULL;
    bool m_restartable = false;
    base::Own<TaskImage> m_image;
    DeathHook* m_death_hook = nullptr;
    unsigned m_instance = 1;
    bool m_getpriv_answered = false;
    bool m_ports_handed = false;
    runtime::SendRight m_deposited_next_task;

    bool m_dead = false;
    bool m_answered_health = false; // this instance answered once
    uint64_t m_died_ms = 0;
    base::BoundedString<200> m_last_fault;
    uint64_t m_restart_ms[max_restarts] = {}; // the last restarts' times, oldest first
    unsigned m_restarts = 0;
};

} // namespace chain
