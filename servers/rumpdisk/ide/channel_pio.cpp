// The PIO protocols on an IDE channel: data in, data out, and commands without data.
#include "ide/channel.h"

#include "ide/channel_internal.h"

namespace rumpdisk::ide {

using namespace layout;
using namespace channel_internal;
using ata::ide::Registers;

base::Result<void> Channel::pio_in(
    Position p, const Registers& r, void* buffer, uint32_t sectors, uint32_t sector_size, uint32_t per_block)
{
    begin_command();
    TRY(select(p, r.device));
    write_registers(r);
    m_command_block.write<layout::Command>(r.command);
    auto* to = static_cast<uint8_t*>(buffer);
    for (uint32_t done = 0; done < sectors;) {
        // The device raises its interrupt when each block is ready (or when it gives up).
        uint8_t status = TRY(wait([](uint8_t s) { return !(s & busy) && (s & (drq | failed)); }, Wake::Interrupt,
            command_timeout_ms, "waiting for data"));
        if (status & failed)
            return device_error(status);
        uint32_t n = sectors - done < per_block ? sectors - done : per_block;
        read_words(data_port(), to + size_t(done) * sector_size, size_t(n) * sector_size / 2);
        done += n;
    }
    delay_400ns();
    uint8_t status = TRY(
        wait([](uint8_t s) { return !(s & busy); }, Wake::Poll, command_timeout_ms, "waiting for the end of a read"));
    if (status & failed)
        return device_error(status);
    if (status & drq)
        return protocol_error("the device offers more data than asked for");
    return {};
}

base::Result<void> Channel::pio_out(
    Position p, const Registers& r, const void* buffer, uint32_t sectors, uint32_t sector_size, uint32_t per_block)
{
    begin_command();
    TRY(select(p, r.device));
    write_registers(r);
    m_command_block.write<layout::Command>(r.command);
    auto* from = static_cast<const uint8_t*>(buffer);
    for (uint32_t done = 0; done < sectors;) {
        // The first block is asked for without an interrupt; each later one with it.
        uint8_t status = TRY(wait([](uint8_t s) { return !(s & busy) && (s & (drq | failed)); },
            done == 0 ? Wake::Poll : Wake::Interrupt, command_timeout_ms, "waiting for the device to take data"));
        if (status & failed)
            return device_error(status);
        uint32_t n = sectors - done < per_block ? sectors - done : per_block;
        write_words(data_port(), from + size_t(done) * sector_size, size_t(n) * sector_size / 2);
        done += n;
    }
    uint8_t status = TRY(wait(
        [](uint8_t s) { return !(s & busy); }, Wake::Interrupt, command_timeout_ms, "waiting for the end of a write"));
    if (status & failed)
        return device_error(status);
    if (status & drq)
        return protocol_error("the device asks for more data than was sent");
    return {};
}

base::Result<void> Channel::non_data(Position p, const Registers& r, unsigned timeout_ms)
{
    begin_command();
    TRY(select(p, r.device));
    write_registers(r);
    m_command_block.write<layout::Command>(r.command);
    uint8_t status
        = TRY(wait([](uint8_t s) { return !(s & busy); }, Wake::Interrupt, timeout_ms, "waiting for a command to end"));
    if (status & failed)
        return device_error(status);
    if (status & drq)
        return protocol_error("a command without data offers data");
    return {};
}

} // namespace rumpdisk::ide
