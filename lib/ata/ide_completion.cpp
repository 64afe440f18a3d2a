// Judging how an IDE transfer ended.
#include "ata/ide_completion.h"

#include "ata/ata_layout.h"
#include "base/status.h"

namespace ata::ide {

using base::status::device_io_error;
using base::status::invalid_argument;

namespace {

constexpr uint8_t busy = status::busy;
constexpr uint8_t drq = status::data_request;
constexpr uint8_t failed = status::error | status::device_fault;

} // namespace

DmaState judge_dma(uint8_t device_status, EngineStatus engine, Settled settled)
{
    if (engine.error)
        return DmaState::EngineFailed;
    bool device_busy = device_status & busy;
    // While the device is busy its other status bits mean nothing.
    if (!device_busy && (device_status & failed))
        return DmaState::DeviceFailed;
    bool device_done = !device_busy && !(device_status & drq);
    if (!device_done) {
        if (engine.interrupt)
            return DmaState::NotDone;
        if (!device_busy && !engine.active)
            return DmaState::TableExhausted;
        return DmaState::Running;
    }
    if (!engine.active)
        return DmaState::Complete;
    if (engine.interrupt || settled == Settled::Yes)
        return DmaState::Short;
    return DmaState::Running;
}

base::Result<void> check_dma_length(uint32_t bytes, uint32_t sectors, uint32_t sector_size)
{
    if (bytes == 0 || (bytes & 1))
        return base::Error(invalid_argument, "a DMA transfer must move a positive, even number of bytes");
    if (uint64_t(sectors) * sector_size != bytes)
        return base::Error(invalid_argument, "a DMA transfer's length differs from its command's sectors");
    return {};
}

base::Result<PioProgress> PioProgress::plan(uint32_t sectors, uint32_t sector_size, uint32_t per_block)
{
    if (sectors == 0 || sector_size == 0 || (sector_size & 1) || per_block == 0)
        return base::Error(invalid_argument, "a PIO transfer needs sectors of an even size and blocks of them");
    uint64_t block_words = uint64_t(per_block) * sector_size / 2;
    if (block_words > UINT32_MAX)
        return base::Error(invalid_argument, "a PIO data block too large");
    return PioProgress(uint64_t(sectors) * sector_size / 2, static_cast<uint32_t>(block_words));
}

PioStep PioProgress::judge(uint8_t status) const
{
    if (status & busy)
        return PioStep::Wait;
    if (status & failed)
        return PioStep::Failed;
    if (status & drq)
        return finished() ? PioStep::TooLong : PioStep::MoveBlock;
    return finished() ? PioStep::Complete : PioStep::EndedEarly;
}

uint32_t PioProgress::next_words() const
{
    uint64_t left = m_words_asked - (finished() ? m_words_asked : m_words_moved);
    return static_cast<uint32_t>(left < m_block_words ? left : m_block_words);
}

PacketStep judge_packet_block(uint32_t asked, uint32_t received, uint32_t limit, uint32_t block_bytes)
{
    if (block_bytes == 0)
        return PacketStep::Empty;
    if (block_bytes > limit)
        return PacketStep::OverLimit;
    if (received > asked || block_bytes > asked - received)
        return PacketStep::TooLong;
    return PacketStep::Take;
}

base::Result<void> check_packet_length(uint32_t asked, uint32_t received)
{
    if (received < asked)
        return base::Error(device_io_error, "the device sent fewer bytes than asked for");
    if (received > asked)
        return base::Error(device_io_error, "the device sent more bytes than asked for");
    return {};
}

} // namespace ata::ide
