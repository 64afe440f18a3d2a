// ATAPI devices on AHCI ports, read-only.
#include "ahci/atapi_disk.h"

#include "ata/atapi.h"
#include "ata/identify.h"
#include "runtime/console.h"
#include "runtime/msg.h"

namespace rumpdisk::ahci {

namespace {

constexpr unsigned identify_timeout_ms = 5000;
constexpr unsigned command_timeout_ms = 10000;
constexpr unsigned max_failures_reported = 32;

constexpr uint32_t max_blocks = 0xffff; // READ(10)'s transfer length
// Fixed-format sense data: the additional sense code, and the one that means "no medium".
constexpr size_t sense_code_offset = 12;
constexpr uint8_t medium_not_present = 0x3a;

// Attempts at sizing the medium: the first commands after a reset report UNIT ATTENTION, and a
// drive may need a moment to become ready.
constexpr unsigned sizing_attempts = 8;
constexpr unsigned not_ready_pause_ms = 100;

} // namespace

base::Result<AtapiDisk*> AtapiDisk::identify(Port& port)
{
    Command c;
    c.task = simple_command(::ata::command::identify_packet_device);
    c.direction = DataDirection::FromDevice;
    c.bytes = 512;
    c.timeout_ms = identify_timeout_ms;
    size_t moved = TRY(port.execute(c));
    TRY(check_transferred(c.bytes, moved));

    // Kept for the server's life, like the port it owns.
    AtapiDisk* disk = TRY(base::create<AtapiDisk>(port)).leak();
    DiskIdentity& id = disk->m_identity;
    id.kind = DiskKind::Atapi;
    id.model = ata::decode_model(reinterpret_cast<const uint16_t*>(port.buffer()));
    id.read_only = true;
    id.sector_size = 2048;
    id.location = base::formatted<48>("ahci {} port {}", port.controller().address(), port.index()).view();
    disk->size_medium();
    return disk;
}

base::Result<size_t> AtapiDisk::packet(const uint8_t* cdb, size_t bytes, unsigned timeout_ms)
{
    Command c;
    // The byte count limit must be even and below 64 KiB; it bounds only PIO data phases.
    c.task = packet_dma(static_cast<uint16_t>(bytes < 0xfffe ? bytes : 0xfffe));
    c.direction = bytes ? DataDirection::FromDevice : DataDirection::None;
    c.bytes = bytes;
    c.packet = cdb;
    c.timeout_ms = timeout_ms;
    return m_port.execute(c);
}

uint8_t AtapiDisk::last_sense_key() const
{
    return m_port.last_failure().error >> 4;
}

void AtapiDisk::size_medium()
{
    ata::atapi::Packet capacity = ata::atapi::read_capacity_10();
    for (unsigned attempt = 0; attempt < sizing_attempts; ++attempt) {
        auto got = packet(capacity.bytes, ata::atapi::capacity_bytes, command_timeout_ms);
        if (!got.is_error()) {
            if (got.value() < ata::atapi::capacity_bytes)
                break;
            auto decoded = ata::atapi::decode_capacity(m_port.buffer());
            if (decoded.is_error())
                break;
            m_identity.sectors = decoded.value().blocks;
            m_identity.sector_size = decoded.value().block_size;
            uint64_t by_buffer = m_port.buffer_size() / m_identity.sector_size;
            m_max_transfer = static_cast<uint32_t>(by_buffer < max_blocks ? by_buffer : max_blocks);
            return;
        }
        uint8_t key = last_sense_key();
        if (key == ata::atapi::sense::unit_attention)
            continue;
        if (key != ata::atapi::sense::not_ready || m_port.last_failure().timed_out)
            break;
        ata::atapi::Packet sense = ata::atapi::request_sense(ata::atapi::sense::fixed_bytes);
        auto sensed = packet(sense.bytes, ata::atapi::sense::fixed_bytes, command_timeout_ms);
        if (!sensed.is_error() && sensed.value() > sense_code_offset
            && m_port.buffer()[sense_code_offset] == medium_not_present)
            break;
        runtime::sleep_ms(not_ready_pause_ms);
    }
    // No medium (or none that can be read): a drive of 0 sectors, every read out of range.
    m_identity.sectors = 0;
    m_max_transfer = static_cast<uint32_t>(m_port.buffer_size() / m_identity.sector_size);
}

base::Result<void> AtapiDisk::read(uint64_t lba, uint32_t count, void* buffer)
{
    if (!buffer)
        return base::Error(D_INVALID_OPERATION, "no buffer");
    if (count > m_max_transfer)
        return base::Error(D_INVALID_SIZE, "more sectors than one transfer moves");
    if (lba >= m_identity.sectors || count > m_identity.sectors - lba)
        return base::Error(D_INVALID_RECNUM, "sectors beyond the end of the medium");
    if (count == 0)
        return {};
    size_t bytes = size_t(count) * m_identity.sector_size;
    ata::atapi::Packet cdb = ata::atapi::read_10(static_cast<uint32_t>(lba), static_cast<uint16_t>(count));
    // A medium change since the last command is reported once, as UNIT ATTENTION: one retry.
    for (unsigned attempt = 0; attempt < 2; ++attempt) {
        auto got = packet(cdb.bytes, bytes, command_timeout_ms);
        if (!got.is_error()) {
            // The drive said it succeeded; the HBA's count says whether all the data moved.
            auto complete = check_transferred(bytes, got.value());
            if (!complete.is_error()) {
                __builtin_memcpy(buffer, m_port.buffer(), bytes);
                return {};
            }
            if (m_failures_reported < max_failures_reported) {
                ++m_failures_reported;
                runtime::report("{}: read of {} blocks at {} moved {} of {} bytes: {}", m_identity.location.view(),
                    count, lba, got.value(), bytes, complete.error());
            }
            return base::Error(D_IO_ERROR, complete.error().context());
        }
        bool unit_attention = !m_port.last_failure().timed_out && last_sense_key() == ata::atapi::sense::unit_attention;
        if (unit_attention && attempt == 0)
            continue;
        if (m_failures_reported < max_failures_reported) {
            ++m_failures_reported;
            const Failure& f = m_port.last_failure();
            runtime::report("{}: read of {} blocks at {} failed: {} (sense key {:#x}, status {:#x}); port recovered",
                m_identity.location.view(), count, lba, got.error(), f.error >> 4, f.status);
        }
        break;
    }
    return base::Error(D_IO_ERROR, "the ATAPI read failed");
}

base::Result<void> AtapiDisk::write(uint64_t, uint32_t, const void*)
{
    return base::Error(D_READ_ONLY, "ATAPI media are served read-only");
}

base::Result<void> AtapiDisk::flush()
{
    // Nothing is ever written.
    return {};
}

} // namespace rumpdisk::ahci
