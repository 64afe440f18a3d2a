// A CD/DVD drive on an IDE channel, served read-only: READ(10) in PACKET commands with PIO data,
// 2048-byte blocks, the size from READ CAPACITY(10).
#pragma once

#include "disk.h"
#include "ide/channel.h"

namespace rumpdisk::ide {

class AtapiDisk final : public Disk {
public:
    // Asks the drive for its model and its medium's size; an error when it has no medium or
    // does not answer.
    static base::Result<DiskIdentity> identify(Channel&, Position);

    AtapiDisk(Channel&, Position, const DiskIdentity&);

    const DiskIdentity& identity() const override { return m_identity; }
    uint32_t max_transfer_sectors() const override;
    base::Result<void> read(uint64_t lba, uint32_t count, void* buffer) override;
    base::Result<void> write(uint64_t lba, uint32_t count, const void* buffer) override;
    base::Result<void> flush() override;

private:
    Channel& m_channel;
    Position m_position;
    DiskIdentity m_identity;
    unsigned m_failures_reported = 0;
};

} // namespace rumpdisk::ide
