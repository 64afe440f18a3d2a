// An interrupt line delivered to this task by the kernel's "irq" device (GNU Mach, non-Xen): after
// device_intr_register the kernel sends a notification to our port for every interrupt on the
// line and keeps the line masked until device_intr_ack. Inside the chain the device master is
// the link above (the PCI arbiter), which checks the line and forwards both calls to the kernel:
// each acknowledgement is an RPC.
//
// The line also holds the one policy of both disk drivers for a line that does not deliver: a
// wait for an interrupt lasts a slice at most, so that a lost notification costs only that; a
// wait that ends after a silent slice with no notification at all since it began missed its
// interrupt; after a few such waits in a row, or when none came during the first commands, the
// line is given up and the driver polls.
#pragma once

#include <stdint.h>

#include "base/result.h"
#include "runtime/rights.h"

namespace runtime {

class InterruptLine {
public:
    // A line not attached to anything: the driver polls.
    InterruptLine() = default;
    // Opens "irq" on the device master and registers a port of ours for line `irq`. An error when
    // there is no "irq" device or the line is refused; the caller then polls.
    static base::Result<InterruptLine> attach(unsigned irq);

    InterruptLine(InterruptLine&&) = default;
    InterruptLine& operator=(InterruptLine&&) = default;

    // Attached and not given up: the driver waits for notifications rather than polling, and
    // keeps its device's interrupt enabled.
    bool active() const { return m_port.valid() && !m_given_up; }
    unsigned irq() const { return m_irq; }

    // The longest a wait() lasts: what a lost notification costs.
    static constexpr unsigned slice_ms = 20;

    // The wait for one awaited interrupt. begin_wait() goes before the device can raise it;
    // wait() as often as the device's status says it is not done; end_wait() once the device's
    // interrupt condition is cleared.
    void begin_wait();
    enum class Wake : uint8_t { Notified, Silent };
    // Waits for one notification, `remaining_ms` and one slice at most (0: only looks). The
    // notifications taken before are acknowledged first, since a masked line cannot end the wait.
    Wake wait(unsigned remaining_ms);
    // Judges whether this wait missed its interrupt, after taking and acknowledging the
    // notifications still queued (Queued::Take). Queued::Leave skips that zero-timeout receive,
    // for a driver that wakes only on notifications and looks at its device after each: what is
    // left queued then is at most a late one, which the next wait takes for one more look. False
    // when the line is (now) given up: the driver then turns its device's interrupt off.
    enum class Queued : uint8_t { Take, Leave };
    bool end_wait(Queued = Queued::Take);

    // Unmasks the line if notifications taken are owed an acknowledgement. Call it once the
    // device's interrupt condition is cleared, or a level-triggered line interrupts again at once.
    void acknowledge();
    // Takes and acknowledges the notifications already queued, without waiting (those of
    // interrupts whose completion the driver saw in a status register first), so that they are
    // not taken for the next command's. Call it once the device's interrupt condition is cleared.
    void drain();

    // After the first commands: gives the line up if no notification ever came, after a moment for
    // a late one. False when the line is (now) given up.
    bool verify();

private:
    void give_up(const char* why);

    SendRight m_device; // the "irq" device
    ReceiveRight m_port; // where the notifications arrive
    unsigned m_irq = 0;
    bool m_given_up = false;
    unsigned m_owed = 0; // notifications taken and not yet acknowledged
    uint64_t m_notifications = 0; // taken since the line was attached
    // The wait under way: notifications when it began, and whether a slice of it went silent.
    uint64_t m_wait_began_at = 0;
    bool m_waited_out = false;
    unsigned m_missed_in_a_row = 0;
};

} // namespace runtime
