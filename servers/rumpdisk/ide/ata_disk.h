// A disk on an IDE channel: reads and writes by bus-master DMA through the channel's bounce
// buffer where the controller and the disk can, by PIO otherwise (and from the first DMA
// failure that is not the disk's own error on) with several sectors per data block where the
// disk has the multiple commands, and FLUSH CACHE (EXT).
#pragma once

#include "disk.h"
#include "ide/channel.h"

namespace rumpdisk::ide {

enum class Transfer : uint8_t { Pio, Dma };

class AtaDisk final : public Disk {
public:
    // multiple_sectors: the sectors per data block for PIO (0: one sector per block, READ/WRITE
    // SECTORS); set with SET MULTIPLE MODE before the first PIO transfer and after each reset.
    AtaDisk(Channel&, Position, const DiskIdentity&, bool lba48, Transfer, uint8_t multiple_sectors);

    const DiskIdentity& identity() const override { return m_identity; }
    uint32_t max_transfer_sectors() const override;
    base::Result<void> read(uint64_t lba, uint32_t count, void* buffer) override;
    base::Result<void> write(uint64_t lba, uint32_t count, const void* buffer) override;
    uint64_t dma_reply_limit() const override;
    base::Result<void> read_into(uint64_t lba, uint32_t count, const DmaView&) override;
    base::Result<void> flush() override;

    Transfer transfer() const { return m_transfer; }

private:
    // A reply's wired memory, for a DMA read straight into it (the rest go through the bounce buffer).
    struct Wired {
        const ata::ide::PhysicalRun* runs;
        size_t count;
    };
    base::Result<void> move(
        ata::ide::Direction, uint64_t lba, uint32_t count, void* buffer, const Wired* wired = nullptr);
    base::Result<void> move_once(
        ata::ide::Direction, uint64_t lba, uint32_t count, void* buffer, const Wired* wired = nullptr);
    void prepare_multiple();
    void report_failure(const char* what, uint64_t lba, uint32_t count, const base::Error&);

    Channel& m_channel;
    Position m_position;
    DiskIdentity m_identity;
    bool m_lba48;
    Transfer m_transfer;
    uint32_t m_max_sectors;
    uint8_t m_multiple;
    bool m_multiple_set = false;
    unsigned m_multiple_resets = 0; // the channel's reset count when SET MULTIPLE MODE was sent
    unsigned m_failures_reported = 0;
    // One command's pieces of a reply's memory: a 128 KiB transfer over scattered pages needs 32.
    static constexpr size_t max_runs = 64;
    ata::ide::PhysicalRun m_runs[max_runs];
};

} // namespace rumpdisk::ide
