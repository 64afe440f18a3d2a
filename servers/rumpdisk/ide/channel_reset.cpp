// Recovery of an IDE channel: the software reset, and the errors that call for it.
#include "ide/channel.h"

#include "ide/channel_internal.h"
#include "runtime/console.h"
#include "runtime/msg.h"

namespace rumpdisk::ide {

using namespace layout;
using namespace channel_internal;

base::Result<void> Channel::reset()
{
    stop_dma();
    ++m_resets;
    auto reset = m_control;
    m_control_block.write(reset.set<DeviceControl::SoftwareReset>(1));
    runtime::sleep_ms(1); // SRST must stay set at least 5 us
    m_control_block.write(m_control);
    runtime::sleep_ms(2);
    m_selected = -1;
    for (Position p : { Position::Master, Position::Slave }) {
        if (m_occupants[static_cast<int>(p)] == Occupant::None)
            continue;
        m_command_block.write(device_register(p));
        delay_400ns();
        m_selected = static_cast<int>(p);
        if (m_control_block.wait_for<AlternateStatus::Busy>(0, runtime::PollBound(reset_timeout_ms)).is_error())
            return base::Error(D_IO_ERROR, "the device stays busy after a reset");
    }
    if (interrupts_on())
        m_interrupt->drain();
    return {};
}

base::Error Channel::not_answering(const char* what)
{
    m_last_failure = Failure::Timeout;
    runtime::report("ide {}: {}: no answer within the bound (status {:#04x}); resetting the channel", m_name, what,
        alternate_status());
    auto reset_done = reset();
    if (reset_done.is_error())
        runtime::report("ide {}: {}", m_name, reset_done.error());
    return base::Error(D_IO_ERROR, "the device did not answer in time");
}

base::Error Channel::protocol_error(const char* what)
{
    m_last_failure = Failure::Protocol;
    runtime::report("ide {}: {}: unexpected status {:#04x}; resetting the channel", m_name, what, m_last_status);
    auto reset_done = reset();
    if (reset_done.is_error())
        runtime::report("ide {}: {}", m_name, reset_done.error());
    return base::Error(D_IO_ERROR, "the device did not follow the protocol");
}

base::Error Channel::device_error(uint8_t status)
{
    // The device ended the command and is ready for the next one; only a device still busy or
    // still offering data needs the reset.
    m_last_failure = Failure::Device;
    if (status & (busy | drq)) {
        auto reset_done = reset();
        (void)reset_done;
    }
    return base::Error(D_IO_ERROR, "the device reported an error");
}

} // namespace rumpdisk::ide
