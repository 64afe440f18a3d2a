// Whether an IDE transfer moved what was asked, judged from what the device and the bus-master
// engine report, apart from the hardware so the host tests check every case: a DMA transfer
// against its PRD table (SFF-8038i), a PIO transfer block by block against its sector count, an
// ATAPI packet command's data blocks against the length asked. A short transfer is an error, never
// a success that hands out whatever the buffer held before.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

namespace ata::ide {

// ---- Bus-master DMA --------------------------------------------------------------------------------

// The bits of the bus-master status register the judgment reads.
struct EngineStatus {
    bool active = false; // the engine still has PRD entries to move
    bool error = false; // the engine failed to move data
    bool interrupt = false; // the device raised its interrupt (latched by the engine)
};

// Whether an earlier look during this transfer already saw the device done (neither busy nor
// offering data).
enum class Settled : uint8_t { No, Yes };

enum class DmaState : uint8_t {
    Running, // wait on
    Complete, // the device ended the command and the engine moved the whole table
    DeviceFailed, // the device ended the command with ERR or DF
    EngineFailed, // the engine reported an error moving data
    Short, // the device ended the command before the engine used up the table: fewer bytes moved
    TableExhausted, // the engine used up the table and the device still has data to move
    NotDone, // the device interrupted while still busy or offering data
};

// Judges one look at the device's status and the engine's. A device that is done with the engine
// idle is complete, whether or not the engine latched its interrupt (it latches none while the
// device's interrupt is disabled). After the interrupt, Active still set means the device moved
// less than the table describes (SFF-8038i, "Bus Master IDE Status"); without the interrupt a real
// engine may still be emptying its FIFO at the first look that sees the device done, so only a
// later look (`settled`) calls it short. A table shorter than the command (which the driver never
// builds: check_dma_length) shows as a device still offering data with the engine idle.
DmaState judge_dma(uint8_t device_status, EngineStatus, Settled);

// Whether a DMA command of `sectors` sectors of `sector_size` bytes moves `bytes` bytes, a
// positive even count: a table sized otherwise would end short or long of the command.
base::Result<void> check_dma_length(uint32_t bytes, uint32_t sectors, uint32_t sector_size);

// ---- PIO data blocks -------------------------------------------------------------------------------

enum class PioStep : uint8_t {
    Wait, // the device is busy: look again
    MoveBlock, // the device offers (or asks for) the next block
    Failed, // the device ended the command with ERR or DF
    EndedEarly, // the device ended the command with blocks still to move: a short transfer
    Complete, // every block moved and the device ended the command
    TooLong, // every block moved and the device still offers (or asks for) data
};

// The progress of a PIO data transfer of `sectors` sectors of `sector_size` bytes, `per_block`
// sectors to a data block: which block comes next, how many words moved, and what the status
// before each block and after the last one means.
class PioProgress {
public:
    // KERN_INVALID_ARGUMENT for no sectors, an odd or zero sector size, or no sectors per block.
    static base::Result<PioProgress> plan(uint32_t sectors, uint32_t sector_size, uint32_t per_block);

    // The status read at least 400 ns after the command or the last block.
    PioStep judge(uint8_t status) const;

    // The next block: where it lies in the buffer and how many 16-bit words it has.
    size_t next_offset() const { return size_t(m_words_moved) * 2; }
    uint32_t next_words() const;
    // Counts the words the string instruction moved.
    void moved(uint32_t words) { m_words_moved += words; }

    bool finished() const { return m_words_moved >= m_words_asked; }
    uint64_t words_moved() const { return m_words_moved; }
    uint64_t words_asked() const { return m_words_asked; }

private:
    PioProgress(uint64_t words_asked, uint32_t block_words)
        : m_words_asked(words_asked)
        , m_block_words(block_words)
    {
    }

    uint64_t m_words_asked;
    uint32_t m_block_words;
    uint64_t m_words_moved = 0;
};

// ---- ATAPI packet data blocks ----------------------------------------------------------------------

enum class PacketStep : uint8_t {
    Take, // move the block
    Empty, // the device offers a block of no bytes
    OverLimit, // the block is larger than the byte count limit the command gave the device
    TooLong, // the block would carry the transfer past the length asked
};

// Judges one data block of a PACKET command with PIO data in: the byte count the device puts in
// the cylinder registers, `block_bytes`, against the command's `limit` and what is left of
// `asked` after `received`.
PacketStep judge_packet_block(uint32_t asked, uint32_t received, uint32_t limit, uint32_t block_bytes);

// After the command ended: whether it moved exactly `asked` bytes. D_IO_ERROR when fewer came.
base::Result<void> check_packet_length(uint32_t asked, uint32_t received);

} // namespace ata::ide
