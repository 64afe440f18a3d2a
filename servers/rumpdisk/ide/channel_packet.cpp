// ATAPI PACKET commands on an IDE channel, with a PIO data-in phase.
#include "ide/channel.h"

#include "ata/ata_layout.h"
#include "ata/ide_completion.h"
#include "ide/channel_internal.h"
#include "runtime/hardware.h"

namespace rumpdisk::ide {

using namespace layout;
using namespace channel_internal;
using ata::ide::PacketStep;

base::Result<uint32_t> Channel::packet_in(
    Position p, const uint8_t* packet, void* buffer, uint32_t capacity, unsigned timeout_ms)
{
    // The most bytes the device may offer per data block; even, and below 64 KiB.
    constexpr uint32_t block_limit = 0xf800;
    uint32_t limit = capacity == 0 || capacity > block_limit ? block_limit : (capacity + 1) & ~1u;
    auto& task_file = m_command_block;

    begin_command();
    TRY(select(p, 0));
    task_file.write<Features>(0); // PIO data
    task_file.write<LbaMid>(static_cast<uint8_t>(limit));
    task_file.write<LbaHigh>(static_cast<uint8_t>(limit >> 8));
    task_file.write<layout::Command>(ata::command::packet);
    uint8_t status = TRY(wait([](uint8_t s) { return !(s & busy) && (s & (drq | failed)); }, Wake::Poll,
        command_timeout_ms, "waiting for the device to take a packet"));
    if (status & failed)
        return device_error(status);
    write_words(data_port(), packet, 6);
    delay_400ns();

    auto* to = static_cast<uint8_t*>(buffer);
    uint32_t received = 0;
    runtime::Deadline deadline(timeout_ms);
    // Every data block carries at least one byte and no block may carry the transfer past
    // `capacity`: a device that offers more blocks than that is not ending its command.
    uint32_t most_blocks = capacity + 1;
    for (uint32_t block = 0;; ++block) {
        if (block > most_blocks || deadline.passed())
            return not_answering("a packet command that does not end");
        status = TRY(
            wait([](uint8_t s) { return !(s & busy); }, Wake::Interrupt, timeout_ms, "waiting for a packet command"));
        if (status & failed)
            return device_error(status);
        if (!(status & drq))
            return received;
        auto reason = task_file.read<SectorCount>();
        if (!reason.has<SectorCount::Input>() || reason.has<SectorCount::CommandOrData>())
            return protocol_error("a packet command's data flows the wrong way");
        // The device tells each block's length in the cylinder registers.
        uint32_t bytes = uint32_t(task_file.read<LbaMid>().word()) | uint32_t(task_file.read<LbaHigh>().word()) << 8;
        switch (ata::ide::judge_packet_block(capacity, received, limit, bytes)) {
        case PacketStep::Take:
            break;
        case PacketStep::Empty:
            return protocol_error("a packet command's data block is empty");
        case PacketStep::OverLimit:
            return protocol_error("a packet command's data block is larger than its byte count limit");
        case PacketStep::TooLong:
            return protocol_error("the device sends more bytes than the packet command asked for");
        }
        read_words(data_port(), to + received, bytes / 2);
        if (bytes & 1) {
            // An odd length ends the transfer: the last word's low byte is the data's last.
            uint16_t last = task_file.read<Data>().word();
            to[received + bytes - 1] = static_cast<uint8_t>(last);
        }
        received += bytes;
        delay_400ns();
    }
}

} // namespace rumpdisk::ide
