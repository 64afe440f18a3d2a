// The PIO protocols on an IDE channel: data in, data out, and commands without data.
#include "ide/channel.h"

#include "ata/ide_completion.h"
#include "ide/channel_internal.h"

namespace rumpdisk::ide {

using namespace layout;
using namespace channel_internal;
using ata::ide::PioProgress;
using ata::ide::PioStep;
using ata::ide::Registers;

// What the status before a block (or after the last) says, as lib/ata judges it against the
// blocks moved so far: the next block, the end, or an error.
base::Result<bool> Channel::pio_step(const PioProgress& progress, uint8_t status)
{
    switch (progress.judge(status)) {
    case PioStep::MoveBlock:
        return true;
    case PioStep::Complete:
        return false;
    case PioStep::Failed:
        return device_error(status);
    case PioStep::EndedEarly:
        m_last_failure = Failure::Short;
        return base::Error(D_IO_ERROR, "the device ended a PIO transfer before its last block");
    case PioStep::TooLong:
        return protocol_error("the device moves more data than the command asked for");
    case PioStep::Wait:
        break;
    }
    return protocol_error("the device is busy after a wait for it not to be");
}

base::Result<void> Channel::pio_in(
    Position p, const Registers& r, void* buffer, uint32_t sectors, uint32_t sector_size, uint32_t per_block)
{
    auto progress = TRY(PioProgress::plan(sectors, sector_size, per_block));
    begin_command();
    TRY(select(p, r.device));
    write_registers(r);
    m_command_block.write<layout::Command>(r.command);
    auto* to = static_cast<uint8_t*>(buffer);
    // The status is valid 400 ns after the command and after each block. The device raises its
    // interrupt when each block is ready (or when it gives up); after the last block it raises
    // none.
    for (;;) {
        delay_400ns();
        uint8_t status = TRY(wait([](uint8_t s) { return !(s & busy); },
            progress.finished() ? Wake::Poll : Wake::Interrupt, command_timeout_ms, "waiting for data"));
        if (!TRY(pio_step(progress, status)))
            return {};
        uint32_t words = progress.next_words();
        read_words(data_port(), to + progress.next_offset(), words);
        progress.moved(words);
    }
}

base::Result<void> Channel::pio_out(
    Position p, const Registers& r, const void* buffer, uint32_t sectors, uint32_t sector_size, uint32_t per_block)
{
    auto progress = TRY(PioProgress::plan(sectors, sector_size, per_block));
    begin_command();
    TRY(select(p, r.device));
    write_registers(r);
    m_command_block.write<layout::Command>(r.command);
    auto* from = static_cast<const uint8_t*>(buffer);
    // The first block is asked for without an interrupt; each later one, and the end, with it.
    for (bool first = true;; first = false) {
        delay_400ns();
        uint8_t status = TRY(wait([](uint8_t s) { return !(s & busy); }, first ? Wake::Poll : Wake::Interrupt,
            command_timeout_ms, "waiting for the device to take data"));
        if (!TRY(pio_step(progress, status)))
            return {};
        uint32_t words = progress.next_words();
        write_words(data_port(), from + progress.next_offset(), words);
        progress.moved(words);
    }
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
