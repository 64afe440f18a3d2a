// An interrupt line delivered to this task by the kernel's "irq" device (GNU Mach, non-Xen):
// after device_intr_register the kernel sends a notification message to our port for every
// interrupt on the line and keeps the line masked until device_intr_ack.
#pragma once

#include <stdint.h>

#include "base/result.h"
#include "runtime/rights.h"

namespace rumpdisk::ahci {

class InterruptLine {
public:
    // A line not attached to anything.
    InterruptLine() = default;
    // Opens "irq" on the device master (inside the chain the request travels up to the kernel)
    // and registers a port of ours for `irq`.
    static base::Result<InterruptLine> attach(unsigned irq);

    InterruptLine(InterruptLine&&) = default;
    InterruptLine& operator=(InterruptLine&&) = default;

    // Waits up to `timeout_ms` (0: only looks) for one notification. True when one came; it is
    // then owed an acknowledgement.
    bool wait(unsigned timeout_ms);
    // Unmasks the line if a notification is owed one. Call it once the device's interrupt
    // condition is cleared, or a level-triggered line interrupts again at once.
    void acknowledge();

    unsigned irq() const { return m_irq; }
    uint64_t notifications() const { return m_notifications; }

private:
    mach::SendRight m_device;
    mach::ReceiveRight m_port;
    unsigned m_irq = 0;
    unsigned m_owed = 0;
    uint64_t m_notifications = 0;
};

} // namespace rumpdisk::ahci
