// An interrupt line delivered to this task by the kernel: the "irq" device of the device
// master, device_intr_register for the line with a port of ours, one notification message per
// interrupt, and device_intr_ack after each (the kernel keeps the line masked until then).
#pragma once

#include <stdint.h>

#include "base/result.h"
#include "runtime/rights.h"

namespace rumpdisk::ide {

class InterruptLine {
public:
    // Registers for the line; an error when the kernel has no "irq" device or refuses the line
    // (another handler owns it), and the caller polls instead.
    static base::Result<InterruptLine> attach(uint8_t irq);

    InterruptLine() = default;
    InterruptLine(InterruptLine&&) = default;
    InterruptLine& operator=(InterruptLine&&) = default;

    enum class Outcome { Notified, TimedOut };
    // Waits up to `milliseconds` for one notification and acknowledges it. An error only when
    // receiving or acknowledging fails.
    base::Result<Outcome> wait(unsigned milliseconds);

    // Takes and acknowledges the notifications already queued (of interrupts whose completion
    // was seen in the status register before the message was taken), without waiting, so they
    // are not taken for the next command's.
    void drain();

    bool attached() const { return m_port.valid(); }
    uint8_t irq() const { return m_irq; }

private:
    base::Result<void> acknowledge();

    mach::SendRight m_device; // the kernel's "irq" device
    mach::ReceiveRight m_port; // where the notifications arrive
    uint8_t m_irq = 0;
};

} // namespace rumpdisk::ide
