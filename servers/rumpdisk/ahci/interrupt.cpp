// Interrupt notifications from the kernel's "irq" device.
#include "ahci/interrupt.h"

#include "runtime/mach.h"
#include "runtime/runtime.h"
#include "runtime/server.h"

extern "C" {
#include <device/notify.h>
}

namespace rumpdisk::ahci {

base::Result<InterruptLine> InterruptLine::attach(unsigned irq)
{
    InterruptLine line;
    line.m_irq = irq;
    mach_port_t device = MACH_PORT_NULL;
    char name[] = "irq";
    MACH_TRY(
        device_open(mach::privileged_ports().device_master, D_READ | D_WRITE, name, &device), "opening the irq device");
    line.m_device = mach::SendRight::adopt(device);
    line.m_port = TRY(mach::ReceiveRight::allocate());
    // The kernel keeps a send right of its own, made from our receive right.
    MACH_TRY(device_intr_register(device, static_cast<int>(irq), 0, line.m_port.name(), MACH_MSG_TYPE_MAKE_SEND),
        "registering for the interrupt (device_intr_register)");
    return line;
}

bool InterruptLine::wait(unsigned timeout_ms)
{
    // A notification is a header, a type descriptor and the line's number; room for more so that
    // a stray larger message is received (and destroyed) rather than left blocking the port.
    union {
        mach_msg_header_t header;
        device_intr_notification_t notification;
        char bytes[256];
    } message;
    for (;;) {
        mach_msg_return_t r = mach_msg(&message.header, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof message,
            m_port.name(), timeout_ms, MACH_PORT_NULL);
        if (r != MACH_MSG_SUCCESS)
            return false;
        if (message.header.msgh_id == DEVICE_INTR_NOTIFY) {
            ++m_owed;
            ++m_notifications;
            return true;
        }
        mach::destroy_message(&message.header, mach::MessageDirection::Received);
    }
}

void InterruptLine::acknowledge()
{
    while (m_owed > 0) {
        --m_owed;
        device_intr_ack(m_device.name(), m_port.name(), MACH_MSG_TYPE_MAKE_SEND);
    }
}

} // namespace rumpdisk::ahci
