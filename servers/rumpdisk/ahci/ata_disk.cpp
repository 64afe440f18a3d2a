// ATA disks on AHCI ports.
#include "ahci/ata_disk.h"

#include "ata/identify.h"
#include "runtime/console.h"

namespace rumpdisk::ahci {

namespace {

constexpr unsigned identify_timeout_ms = 5000;
constexpr unsigned transfer_timeout_ms = 10000;
// Caches of real disks can take a while to write back.
constexpr unsigned flush_timeout_ms = 30000;
// Failed commands printed per disk; a failing range must not flood the console.
constexpr unsigned max_failures_reported = 32;

} // namespace

base::Result<AtaDisk*> AtaDisk::identify(Port& port)
{
    Command c;
    c.task = simple_command(::ata::command::identify_device);
    c.direction = DataDirection::FromDevice;
    c.bytes = 512;
    c.timeout_ms = identify_timeout_ms;
    size_t moved = TRY(port.execute(c));
    TRY(check_transferred(c.bytes, moved));
    auto decoded = TRY(ata::decode_identify(reinterpret_cast<const uint16_t*>(port.buffer())));

    // Kept for the server's life, like the port it owns.
    AtaDisk* disk = TRY(base::create<AtaDisk>(port)).leak();
    DiskIdentity& id = disk->m_identity;
    id.kind = DiskKind::Ata;
    id.model = decoded.model;
    id.sectors = decoded.sectors;
    id.sector_size = decoded.sector_size;
    id.read_only = false;
    id.location = base::formatted<48>("ahci {} port {}", port.controller().address(), port.index()).view();
    disk->m_addressing = decoded.lba48 ? Addressing::Lba48 : Addressing::Lba28;
    uint64_t by_buffer = port.buffer_size() / decoded.sector_size;
    uint32_t by_command = decoded.lba48 ? ::ata::max_sectors_lba48 : ::ata::max_sectors_lba28;
    disk->m_max_transfer = static_cast<uint32_t>(by_buffer < by_command ? by_buffer : by_command);
    return disk;
}

base::Result<void> AtaDisk::check(uint64_t lba, uint32_t count, const void* buffer) const
{
    if (!buffer)
        return base::Error(D_INVALID_OPERATION, "no buffer");
    if (count > m_max_transfer)
        return base::Error(D_INVALID_SIZE, "more sectors than one transfer moves");
    if (lba >= m_identity.sectors || count > m_identity.sectors - lba)
        return base::Error(D_INVALID_RECNUM, "sectors beyond the end of the disk");
    return {};
}

void AtaDisk::count_report()
{
    if (++m_failures_reported == max_failures_reported)
        runtime::report("{}: further failures are not reported", m_identity.location.view());
}

base::Result<void> AtaDisk::run(const Command& c, const char* what, uint64_t lba, uint32_t count)
{
    auto done = m_port.execute(c);
    if (done.is_error()) {
        if (m_failures_reported < max_failures_reported) {
            const Failure& f = m_port.last_failure();
            runtime::report(
                "{}: {} of {} sectors at {} failed: {} (PxIS {:#x}, status {:#x}, error {:#x}); port recovered",
                m_identity.location.view(), what, count, lba, done.error(), f.interrupt_status, f.status, f.error);
            count_report();
        }
        return base::Error(D_IO_ERROR, done.error().context());
    }
    // The device said it succeeded; the HBA's count says whether all the data moved.
    auto complete = check_transferred(c.bytes, done.value());
    if (complete.is_error()) {
        if (m_failures_reported < max_failures_reported) {
            runtime::report("{}: {} of {} sectors at {} moved {} of {} bytes: {}", m_identity.location.view(), what,
                count, lba, done.value(), c.bytes, complete.error());
            count_report();
        }
        return base::Error(D_IO_ERROR, complete.error().context());
    }
    return {};
}

base::Result<Command> AtaDisk::read_command(uint64_t lba, uint32_t count) const
{
    Command c;
    c.task = TRY(dma_transfer(m_addressing, Transfer::Read, lba, count));
    c.direction = DataDirection::FromDevice;
    c.bytes = size_t(count) * m_identity.sector_size;
    c.timeout_ms = transfer_timeout_ms;
    return c;
}

base::Result<void> AtaDisk::read(uint64_t lba, uint32_t count, void* buffer)
{
    TRY(check(lba, count, buffer));
    if (count == 0)
        return {};
    Command c = TRY(read_command(lba, count));
    TRY(run(c, "read", lba, count));
    __builtin_memcpy(buffer, m_port.buffer(), c.bytes);
    return {};
}

uint64_t AtaDisk::dma_reply_limit() const
{
    // Without 64-bit addressing (CAP.S64A) the HBA ignores the PRDs' upper address words.
    return m_port.controller().capabilities().has<reg::Cap::Addressing64>() ? ~uint64_t(0) : uint64_t(1) << 32;
}

base::Result<void> AtaDisk::read_into(uint64_t lba, uint32_t count, const DmaView& view)
{
    TRY(check(lba, count, view.data));
    if (count == 0)
        return {};
    Command c = TRY(read_command(lba, count));
    auto sliced = slice_runs(view.runs, view.run_count, view.skip, c.bytes, m_segments, max_segments);
    // Memory in more pieces than a command takes goes through the bounce buffer.
    if (sliced.is_error())
        return read(lba, count, view.data);
    c.segments = m_segments;
    c.segment_count = sliced.value();
    return run(c, "read", lba, count);
}

base::Result<void> AtaDisk::write(uint64_t lba, uint32_t count, const void* buffer)
{
    TRY(check(lba, count, buffer));
    if (count == 0)
        return {};
    Command c;
    c.task = TRY(dma_transfer(m_addressing, Transfer::Write, lba, count));
    c.direction = DataDirection::ToDevice;
    c.bytes = size_t(count) * m_identity.sector_size;
    c.timeout_ms = transfer_timeout_ms;
    __builtin_memcpy(m_port.buffer(), buffer, c.bytes);
    return run(c, "write", lba, count);
}

base::Result<void> AtaDisk::flush()
{
    Command c;
    c.task = flush_cache(m_addressing);
    c.timeout_ms = flush_timeout_ms;
    return run(c, "flush", 0, 0);
}

} // namespace rumpdisk::ahci
