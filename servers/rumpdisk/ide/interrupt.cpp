// Interrupt notifications from the kernel's "irq" device.
#include "ide/interrupt.h"

#include "runtime/mach.h"
#include "runtime/runtime.h"

extern "C" {
#include <device/notify.h>
}

namespace rumpdisk::ide {

base::Result<InterruptLine> InterruptLine::attach(uint8_t irq)
{
    InterruptLine line;
    line.m_irq = irq;
    mach_port_t device = MACH_PORT_NULL;
    char name[] = "irq";
    // Inside the chain the device master is the link above; it forwards "irq" to the kernel,
    // and the right it hands back is the kernel's device port itself.
    MACH_TRY(
        device_open(mach::privileged_ports().device_master, D_READ | D_WRITE, name, &device), "opening the irq device");
    line.m_device = mach::SendRight::adopt(device);
    line.m_port = TRY(mach::ReceiveRight::allocate());
    // The kernel keeps the send right made here as the notifications' destination.
    MACH_TRY(device_intr_register(line.m_device.name(), irq, 0, line.m_port.name(), MACH_MSG_TYPE_MAKE_SEND),
        "registering for the interrupt (device_intr_register)");
    return line;
}

base::Result<void> InterruptLine::acknowledge()
{
    // The kernel consumes the send right made for the call.
    MACH_TRY(device_intr_ack(m_device.name(), m_port.name(), MACH_MSG_TYPE_MAKE_SEND),
        "acknowledging the interrupt (device_intr_ack)");
    return {};
}

base::Result<InterruptLine::Outcome> InterruptLine::wait(unsigned milliseconds)
{
    union {
        device_intr_notification_t notification;
        uint8_t bytes[128];
    } message;
    for (;;) {
        mach_msg_return_t r = mach_msg(&message.notification.intr_header, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0,
            sizeof message, m_port.name(), milliseconds, MACH_PORT_NULL);
        if (r == MACH_RCV_TIMED_OUT)
            return Outcome::TimedOut;
        if (r != MACH_MSG_SUCCESS)
            return base::Error(r, "receiving an interrupt notification");
        // Only the kernel holds a send right to this port, and it sends nothing else; a message
        // of another kind is ignored and the wait goes on.
        if (message.notification.intr_header.msgh_id != DEVICE_INTR_NOTIFY)
            continue;
        TRY(acknowledge());
        return Outcome::Notified;
    }
}

void InterruptLine::drain()
{
    for (;;) {
        auto r = wait(0);
        if (r.is_error() || r.value() == Outcome::TimedOut)
            return;
    }
}

} // namespace rumpdisk::ide
