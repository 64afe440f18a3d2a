// The wait engine of an IDE channel: how the time passes between two looks at the status, and
// what ends a wait.
#include "ide/channel.h"

#include "ata/ata_layout.h"
#include "runtime/clock.h"
#include "runtime/msg.h"

namespace rumpdisk::ide {

namespace {

// Polling looks at the status without pause this long (a sector's PIO read under QEMU ends
// within a few hundred microseconds), then sleeps a millisecond between looks.
constexpr uint64_t polling_spin_ns = 5 * 1000 * 1000;

} // namespace

Channel::WaitBound::WaitBound(Channel& channel, Wake wake, unsigned timeout_ms)
    : m_channel(channel)
    , m_on_line(wake == Wake::Interrupt && channel.interrupts_on())
    , m_timeout_ns(uint64_t(timeout_ms) * 1000000)
{
    static_assert(base::PollBound<WaitBound>);
    if (m_on_line)
        m_channel.m_interrupt->begin_wait();
}

// The clock is an RPC: it is read only when a wait has lasted (every 64 looks while spinning, after
// a silent slice of an interrupt wait, after more notifications than a wait normally takes), and
// its first reading starts the count. What passed before that reading (64 looks, one slice, four
// notifications) is not counted: a wait may outlast its bound by that much, never end before it.
uint64_t Channel::WaitBound::elapsed()
{
    uint64_t now = runtime::uptime_ns();
    if (!now)
        return m_counted_ns + uint64_t(m_round) * 1000;
    if (!m_start_ns)
        m_start_ns = now;
    return now - m_start_ns;
}

// A slice of a wait for the channel's interrupt, else spinning and, after polling_spin_ns, a
// millisecond's sleep.
void Channel::WaitBound::pause()
{
    ++m_round;
    // The line may be given up during the wait (a notification that cannot be received): the
    // rest of it polls.
    if (m_on_line && m_channel.interrupts_on()) {
        auto woken = m_channel.m_interrupt->wait(static_cast<unsigned>(m_timeout_ns / 1000000));
        if (woken == runtime::InterruptLine::Wake::Notified) {
            // A few notifications per wait are normal (a late one of the last command, the
            // other channel's on a shared line); more make the clock worth reading.
            m_expired = ++m_notifications > 4 && elapsed() > m_timeout_ns;
            return;
        }
        m_counted_ns += uint64_t(runtime::InterruptLine::slice_ms) * 1000000;
        m_expired = elapsed() > m_timeout_ns;
        return;
    }
    if (!m_sleeping && m_round % 64 != 0)
        return;
    uint64_t waited = elapsed();
    m_expired = waited > m_timeout_ns;
    m_sleeping = waited > polling_spin_ns;
    if (m_sleeping && !m_expired) {
        runtime::sleep_ms(1);
        m_counted_ns += 1000000;
    }
}

uint8_t Channel::take_status()
{
    m_last_status = read_status();
    m_last_error = m_last_status & ata::status::error ? m_command_block.read<layout::Error>().word() : 0;
    return m_last_status;
}

base::Result<uint8_t> Channel::end_wait(const WaitBound& bound, bool ready, const char* what)
{
    if (!ready)
        return not_answering(what);
    // Reading the status register (not the alternate one) clears the device's interrupt.
    take_status();
    // With the interrupt cleared, the line takes the notifications still queued and judges
    // whether this one arrived.
    if (bound.on_line() && m_interrupt && !m_interrupt->end_wait())
        fall_back_to_polling();
    return m_last_status;
}

} // namespace rumpdisk::ide
