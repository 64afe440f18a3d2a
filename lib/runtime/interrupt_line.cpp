// Interrupt notifications from the kernel's "irq" device, and when to stop waiting for them.
#include "runtime/interrupt_line.h"

#include "runtime/console.h"
#include "runtime/mach.h"
#include "runtime/runtime.h"
#include "runtime/server.h"

extern "C" {
#include <device/notify.h>
}

namespace runtime {

namespace {

// Waits in a row that missed their interrupt before the line is given up. A miss is judged
// strictly (not one notification from the wait's beginning to its end, late ones included), so
// a working line does not reach this; a line that never delivers does quickly.
constexpr unsigned missed_limit = 4;
// How long verify() gives a late first notification: the kernel delivers from a thread of its
// own.
constexpr unsigned late_notification_ms = 50;
// The most notifications drain() takes at once: only a device that keeps interrupting sends
// more, and the next wait takes the rest.
constexpr unsigned drain_limit = 16;

} // namespace

base::Result<InterruptLine> InterruptLine::attach(unsigned irq)
{
    InterruptLine line;
    line.m_irq = irq;
    mach_port_t device = MACH_PORT_NULL;
    char name[] = "irq";
    MACH_TRY(device_open(privileged_ports().device_master, D_READ | D_WRITE, name, &device), "opening the irq device");
    line.m_device = SendRight::adopt(device);
    line.m_port = TRY(ReceiveRight::allocate());
    // The kernel keeps the send right made here as the notifications' destination.
    MACH_TRY(device_intr_register(device, static_cast<int>(irq), 0, line.m_port.name(), MACH_MSG_TYPE_MAKE_SEND),
        "registering for the interrupt (device_intr_register)");
    return line;
}

void InterruptLine::begin_wait()
{
    m_wait_began_at = m_notifications;
    m_waited_out = false;
}

InterruptLine::Wake InterruptLine::wait(unsigned remaining_ms)
{
    acknowledge();
    if (!active())
        return Wake::Silent;
    // A notification is a header, a type descriptor and the line's number; room for more so that
    // a stray larger message is received (and destroyed) rather than left blocking the port.
    union {
        mach_msg_header_t header;
        device_intr_notification_t notification;
        char bytes[256];
    } message;
    unsigned timeout_ms = remaining_ms < slice_ms ? remaining_ms : slice_ms;
    mach_msg_return_t r = mach_msg(
        &message.header, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof message, m_port.name(), timeout_ms, MACH_PORT_NULL);
    if (r == MACH_RCV_TIMED_OUT) {
        if (timeout_ms > 0)
            m_waited_out = true;
        return Wake::Silent;
    }
    if (r != MACH_MSG_SUCCESS) {
        give_up("receiving a notification failed");
        return Wake::Silent;
    }
    // Only the kernel sends to this port, and nothing else; another message is destroyed, and the
    // caller looks at its device again before it waits again.
    if (message.header.msgh_id != DEVICE_INTR_NOTIFY) {
        destroy_message(&message.header, MessageDirection::Received);
        return Wake::Silent;
    }
    ++m_owed;
    ++m_notifications;
    return Wake::Notified;
}

bool InterruptLine::end_wait(Queued queued)
{
    if (!active())
        return false;
    if (queued == Queued::Take)
        drain();
    else
        acknowledge();
    if (m_notifications > m_wait_began_at)
        m_missed_in_a_row = 0;
    else if (m_waited_out && ++m_missed_in_a_row >= missed_limit)
        give_up("waits in a row ended without their interrupt");
    return active();
}

void InterruptLine::acknowledge()
{
    while (m_owed > 0) {
        --m_owed;
        // The kernel consumes the send right made for the call.
        kern_return_t r = device_intr_ack(m_device.name(), m_port.name(), MACH_MSG_TYPE_MAKE_SEND);
        if (r != KERN_SUCCESS && !m_given_up) {
            // The line stays masked: no notification would come again.
            m_owed = 0;
            give_up("acknowledging an interrupt (device_intr_ack) failed");
        }
    }
}

void InterruptLine::drain()
{
    for (unsigned taken = 0; taken < drain_limit && active(); ++taken) {
        if (wait(0) == Wake::Silent)
            break;
    }
    acknowledge();
}

bool InterruptLine::verify()
{
    if (!active() || m_notifications > 0)
        return active();
    if (wait(late_notification_ms) == Wake::Notified) {
        acknowledge();
        return active();
    }
    give_up("no interrupt arrived during the first commands");
    return false;
}

void InterruptLine::give_up(const char* why)
{
    if (m_given_up)
        return;
    m_given_up = true;
    // Unmasked, so that the line is left as it was found.
    acknowledge();
    report("irq {}: {}; polling from now on", m_irq, why);
}

} // namespace runtime
