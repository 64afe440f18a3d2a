// Reads, writes and flushes of an IDE disk.
#include "ide/ata_disk.h"

#include "ata/dma_runs.h"
#include "ata/ide_completion.h"
#include "runtime/console.h"
#include "runtime/mach.h"

namespace rumpdisk::ide {

using ata::ide::Direction;
using ata::ide::Protocol;

namespace {

// A FLUSH CACHE may have to write the whole cache first: it gets a longer bound.
constexpr unsigned flush_timeout_ms = 30000;
constexpr unsigned set_feature_timeout_ms = 5000;
// The console gets the first failures of a disk (a bad range fails many requests), then a note.
constexpr unsigned failures_shown = 16;

uint32_t transfer_limit(Transfer transfer, bool lba48, const Channel& channel, uint32_t sector_size)
{
    uint32_t limit = lba48 ? ata::max_sectors_lba48 : ata::max_sectors_lba28;
    if (transfer == Transfer::Pio)
        return ata::max_sectors_lba28; // one interrupt per sector: larger commands gain nothing
    uint32_t bounce = channel.dma_bytes() / sector_size;
    return bounce < limit ? bounce : limit;
}

} // namespace

AtaDisk::AtaDisk(Channel& channel, Position position, const DiskIdentity& identity, bool lba48, Transfer transfer,
    uint8_t multiple_sectors)
    : m_channel(channel)
    , m_position(position)
    , m_identity(identity)
    , m_lba48(lba48)
    , m_transfer(transfer)
    , m_max_sectors(transfer_limit(transfer, lba48, channel, identity.sector_size))
    , m_multiple(multiple_sectors)
{
}

void AtaDisk::prepare_multiple()
{
    if (!m_multiple || (m_multiple_set && m_multiple_resets == m_channel.resets()))
        return;
    auto set = m_channel.non_data(m_position, ata::ide::set_multiple_mode(m_multiple), set_feature_timeout_ms);
    if (set.is_error()) {
        runtime::report("ide {} {}: SET MULTIPLE MODE {} refused ({}); one sector per block", m_channel.name(),
            position_name(m_position), m_multiple, set.error());
        m_multiple = 0;
        return;
    }
    m_multiple_set = true;
    m_multiple_resets = m_channel.resets();
}

uint32_t AtaDisk::max_transfer_sectors() const
{
    return m_max_sectors;
}

base::Result<void> AtaDisk::move_once(
    Direction direction, uint64_t lba, uint32_t count, void* buffer, const Wired* wired)
{
    uint32_t sector_size = m_identity.sector_size;
    if (m_transfer == Transfer::Dma) {
        auto registers = TRY(ata::ide::transfer(direction, Protocol::Dma, lba, count, m_lba48));
        uint32_t bytes = count * sector_size;
        TRY(ata::ide::check_dma_length(bytes, count, sector_size));
        if (wired)
            return m_channel.dma(m_position, registers, direction, bytes, wired->runs, wired->count);
        if (direction == Direction::Write)
            __builtin_memcpy(m_channel.dma_buffer(), buffer, bytes);
        TRY(m_channel.dma(m_position, registers, direction, bytes));
        if (direction == Direction::Read)
            __builtin_memcpy(buffer, m_channel.dma_buffer(), bytes);
        return {};
    }
    prepare_multiple();
    Protocol protocol = m_multiple ? Protocol::PioMultiple : Protocol::Pio;
    uint32_t per_block = m_multiple ? m_multiple : 1;
    auto registers = TRY(ata::ide::transfer(direction, protocol, lba, count, m_lba48));
    if (direction == Direction::Read)
        return m_channel.pio_in(m_position, registers, buffer, count, sector_size, per_block);
    return m_channel.pio_out(m_position, registers, buffer, count, sector_size, per_block);
}

base::Result<void> AtaDisk::move(Direction direction, uint64_t lba, uint32_t count, void* buffer, const Wired* wired)
{
    if (count == 0)
        return {};
    if (count > m_max_sectors)
        return base::Error(D_INVALID_SIZE, "more sectors than one transfer moves");
    if (lba >= m_identity.sectors || count > m_identity.sectors - lba)
        return base::Error(D_INVALID_RECNUM, "sectors past the end of the disk");
    auto done = move_once(direction, lba, count, buffer, wired);
    if (!done.is_error() || m_transfer == Transfer::Pio)
        return done;
    // The device's own failures, and a transfer it ended short, are the request's: DMA stays.
    Failure why = m_channel.last_failure();
    if (why == Failure::Device || why == Failure::Short || why == Failure::None)
        return done;
    // DMA itself failed (no completion, an engine error): PIO from now on, and this request again.
    runtime::report(
        "ide {} {}: DMA failed ({}); PIO from now on", m_channel.name(), position_name(m_position), done.error());
    m_transfer = Transfer::Pio;
    if (m_max_sectors > ata::max_sectors_lba28)
        m_max_sectors = ata::max_sectors_lba28;
    if (count > m_max_sectors) {
        // Larger than PIO moves at once: in pieces.
        auto* bytes = static_cast<uint8_t*>(buffer);
        for (uint32_t done_sectors = 0; done_sectors < count;) {
            uint32_t n = count - done_sectors < m_max_sectors ? count - done_sectors : m_max_sectors;
            TRY(move_once(direction, lba + done_sectors, n, bytes + size_t(done_sectors) * m_identity.sector_size));
            done_sectors += n;
        }
        return {};
    }
    return move_once(direction, lba, count, buffer);
}

void AtaDisk::report_failure(const char* what, uint64_t lba, uint32_t count, const base::Error& error)
{
    if (m_failures_reported > failures_shown)
        return;
    if (m_failures_reported++ == failures_shown) {
        runtime::report("ide {} {}: further failures are not shown", m_channel.name(), position_name(m_position));
        return;
    }
    runtime::report("ide {} {}: {} of {} sector{} at {} failed (status {:#04x}, error {:#04x}): {}", m_channel.name(),
        position_name(m_position), what, count, count == 1 ? "" : "s", lba, m_channel.last_status(),
        m_channel.last_error(), error);
}

base::Result<void> AtaDisk::read(uint64_t lba, uint32_t count, void* buffer)
{
    auto done = move(Direction::Read, lba, count, buffer);
    if (done.is_error())
        report_failure("read", lba, count, done.error());
    return done;
}

uint64_t AtaDisk::dma_reply_limit() const
{
    // The PRD table's addresses are 32 bits wide.
    return m_transfer == Transfer::Dma ? uint64_t(1) << 32 : 0;
}

base::Result<void> AtaDisk::read_into(uint64_t lba, uint32_t count, const DmaView& view)
{
    uint64_t bytes = uint64_t(count) * m_identity.sector_size;
    auto sliced = ata::slice_runs(view.runs, view.run_count, view.skip, bytes, m_runs, max_runs);
    // Without DMA (from the first DMA failure on), or memory in more pieces than the table
    // takes, the read goes through the bounce buffer or PIO into the same memory.
    if (m_transfer != Transfer::Dma || sliced.is_error())
        return read(lba, count, view.data);
    Wired wired { m_runs, sliced.value() };
    auto done = move(Direction::Read, lba, count, view.data, &wired);
    if (done.is_error())
        report_failure("read", lba, count, done.error());
    return done;
}

base::Result<void> AtaDisk::write(uint64_t lba, uint32_t count, const void* buffer)
{
    // The buffer is only read: a PIO write sends from it, a DMA write copies it to the bounce buffer.
    auto done = move(Direction::Write, lba, count, const_cast<void*>(buffer));
    if (done.is_error())
        report_failure("write", lba, count, done.error());
    return done;
}

base::Result<void> AtaDisk::flush()
{
    auto done = m_channel.non_data(m_position, ata::ide::flush(m_lba48), flush_timeout_ms);
    if (done.is_error())
        report_failure("flush", 0, 0, done.error());
    return done;
}

} // namespace rumpdisk::ide
