// An ATAPI device (a CD/DVD drive) on an AHCI port, served read-only: IDENTIFY PACKET DEVICE for
// the model, READ CAPACITY for the medium's size, READ(10) for the data, all with PACKET and a
// DMA data phase.
#pragma once

#include "ahci/port.h"
#include "base/own.h"
#include "disk.h"

namespace rumpdisk::ahci {

class AtapiDisk final : public Disk {
public:
    // Identifies the device on a started port and sizes its medium (0 sectors without one).
    static base::Result<AtapiDisk*> identify(Port&);

    const DiskIdentity& identity() const override { return m_identity; }
    uint32_t max_transfer_sectors() const override { return m_max_transfer; }
    base::Result<void> read(uint64_t lba, uint32_t count, void* buffer) override;
    base::Result<void> write(uint64_t lba, uint32_t count, const void* buffer) override;
    base::Result<void> flush() override;

private:
    template<typename T, typename... Args> friend base::Result<base::Own<T>> base::create(Args&&...);
    explicit AtapiDisk(Port& port)
        : m_port(port)
    {
    }
    // Runs a packet command that reads `bytes` (0: none) into the port's buffer; returns the bytes
    // the device sent.
    base::Result<size_t> packet(const uint8_t* cdb, size_t bytes, unsigned timeout_ms);
    // The sense key of the last failed packet command (the error register's high nibble).
    uint8_t last_sense_key() const;
    void size_medium();

    Port& m_port;
    DiskIdentity m_identity;
    uint32_t m_max_transfer = 0;
    unsigned m_failures_reported = 0;
};

} // namespace rumpdisk::ahci
