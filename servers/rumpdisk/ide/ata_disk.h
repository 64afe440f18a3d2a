// A disk on an IDE channel: reads and writes by bus-master DMA through the channel's bounce
// buffer where the controller and the disk can, by PIO otherwise (and from the first DMA
// failure that is not the disk's own error on), and FLUSH CACHE (EXT).
#pragma once

#include "disk.h"
#include "ide/channel.h"

namespace rumpdisk::ide {

enum class Transfer : uint8_t { Pio, Dma };

class AtaDisk final : public Disk {
public:
    AtaDisk(Channel&, Position, const DiskIdentity&, bool lba48, Transfer);

    const DiskIdentity& identity() const override { return m_identity; }
    uint32_t max_transfer_sectors() const override;
    base::Result<void> read(uint64_t lba, uint32_t count, void* buffer) override;
    base::Result<void> write(uint64_t lba, uint32_t count, const void* buffer) override;
    base::Result<void> flush() override;

    Transfer transfer() const { return m_transfer; }

private:
    base::Result<void> move(ata::ide::Direction, uint64_t lba, uint32_t count, void* buffer);
    base::Result<void> move_once(ata::ide::Direction, uint64_t lba, uint32_t count, void* buffer);
    void report_failure(const char* what, uint64_t lba, uint32_t count, const base::Error&);

    Channel& m_channel;
    Position m_position;
    DiskIdentity m_identity;
    bool m_lba48;
    Transfer m_transfer;
    uint32_t m_max_sectors;
    unsigned m_failures_reported = 0;
};

} // namespace rumpdisk::ide
