// An ATA disk on an AHCI port: IDENTIFY DEVICE for its size and model, READ/WRITE DMA (EXT)
// through the port's bounce buffer or, for reads into a reply's wired memory, straight into it,
// and FLUSH CACHE (EXT).
#pragma once

#include "ahci/port.h"
#include "base/own.h"
#include "disk.h"

namespace rumpdisk::ahci {

class AtaDisk final : public Disk {
public:
    // Identifies the device on a started port; the disk then owns the port.
    static base::Result<AtaDisk*> identify(Port&);

    const DiskIdentity& identity() const override { return m_identity; }
    uint32_t max_transfer_sectors() const override { return m_max_transfer; }
    base::Result<void> read(uint64_t lba, uint32_t count, void* buffer) override;
    base::Result<void> write(uint64_t lba, uint32_t count, const void* buffer) override;
    uint64_t dma_reply_limit() const override;
    base::Result<void> read_into(uint64_t lba, uint32_t count, const DmaView&) override;
    base::Result<void> flush() override;

private:
    template<typename T, typename... Args> friend base::Result<base::Own<T>> base::create(Args&&...);
    explicit AtaDisk(Port& port)
        : m_port(port)
    {
    }
    base::Result<void> check(uint64_t lba, uint32_t count, const void* buffer) const;
    // A DMA read of count sectors at lba into the port's buffer (the caller may point it elsewhere).
    base::Result<Command> read_command(uint64_t lba, uint32_t count) const;
    // Runs a command and checks that it moved all its bytes; D_IO_ERROR, reported, otherwise.
    base::Result<void> run(const Command&, const char* what, uint64_t lba, uint32_t count);
    // Counts a printed failure; the last one printed says that no more will be.
    void count_report();

    Port& m_port;
    DiskIdentity m_identity;
    Addressing m_addressing = Addressing::Lba48;
    uint32_t m_max_transfer = 0;
    unsigned m_failures_reported = 0;
    Segment m_segments[max_segments]; // of the read under way into a reply's memory
};

} // namespace rumpdisk::ahci
