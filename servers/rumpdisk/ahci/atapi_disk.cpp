// ATAPI devices on AHCI ports, read-only.
#include "ahci/atapi_disk.h"

#include "ata/identify.h"
#include "runtime/console.h"
#include "runtime/msg.h"

namespace rumpdisk::ahci {

namespace {

constexpr unsigned identify_timeout_ms = 5000;
constexpr unsigned command_timeout_ms = 10000;
constexpr unsigned max_failures_reported = 32;
constexpr size_t packet_bytes = 12;

// SCSI (MMC) commands, big-endian fields.
namespace scsi {
constexpr uint8_t request_sense = 0x03;
constexpr uint8_t read_capacity_10 = 0x25;
constexpr uint8_t read_10 = 0x28;
constexpr size_t capacity_bytes = 8;
constexpr size_t sense_bytes = 18;
constexpr uint8_t key_not_ready = 0x2;
constexpr uint8_t key_unit_attention = 0x6;
constexpr uint8_t asc_medium_not_present = 0x3a;
constexpr uint32_t max_blocks = 0xffff; // READ(10)'s transfer length
} // namespace scsi

struct Cdb {
    uint8_t bytes[packet_bytes] = {};
};

Cdb read_10(uint32_t lba, uint16_t blocks)
{
    Cdb c;
    c.bytes[0] = scsi::read_10;
    c.bytes[2] = static_cast<uint8_t>(lba >> 24);
    c.bytes[3] = static_cast<uint8_t>(lba >> 16);
    c.bytes[4] = static_cast<uint8_t>(lba >> 8);
    c.bytes[5] = static_cast<uint8_t>(lba);
    c.bytes[7] = static_cast<uint8_t>(blocks >> 8);
    c.bytes[8] = static_cast<uint8_t>(blocks);
    return c;
}

uint32_t big_endian32(const uint8_t* p)
{
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

// Attempts at sizing the medium: the first commands after a reset report UNIT ATTENTION, and a
// drive may need a moment to become ready.
constexpr unsigned sizing_attempts = 8;
constexpr unsigned not_ready_pause_ms = 100;

} // namespace

base::Result<AtapiDisk*> AtapiDisk::identify(Port& port)
{
    Command c;
    c.task = simple_command(opcode::identify_packet_device);
    c.direction = DataDirection::from_device;
    c.bytes = 512;
    c.timeout_ms = identify_timeout_ms;
    TRY(port.execute(c));

    auto* disk = create<AtapiDisk>(port);
    if (!disk)
        return base::Error(D_NO_MEMORY, "no memory for the disk");
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
    c.direction = bytes ? DataDirection::from_device : DataDirection::none;
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
    Cdb capacity;
    capacity.bytes[0] = scsi::read_capacity_10;
    for (unsigned attempt = 0; attempt < sizing_attempts; ++attempt) {
        auto got = packet(capacity.bytes, scsi::capacity_bytes, command_timeout_ms);
        if (!got.is_error()) {
            const uint8_t* data = m_port.buffer();
            uint32_t block = big_endian32(data + 4);
            if (got.value() < scsi::capacity_bytes || block < 512 || block > 65536 || (block & (block - 1)))
                break;
            m_identity.sectors = uint64_t(big_endian32(data)) + 1;
            m_identity.sector_size = block;
            uint64_t by_buffer = m_port.buffer_size() / block;
            m_max_transfer = static_cast<uint32_t>(by_buffer < scsi::max_blocks ? by_buffer : scsi::max_blocks);
            return;
        }
        uint8_t key = last_sense_key();
        if (key == scsi::key_unit_attention)
            continue;
        if (key != scsi::key_not_ready || m_port.last_failure().timed_out)
            break;
        Cdb sense;
        sense.bytes[0] = scsi::request_sense;
        sense.bytes[4] = scsi::sense_bytes;
        auto sensed = packet(sense.bytes, scsi::sense_bytes, command_timeout_ms);
        if (!sensed.is_error() && sensed.value() >= 13 && m_port.buffer()[12] == scsi::asc_medium_not_present)
            break;
        mach::sleep_ms(not_ready_pause_ms);
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
    Cdb cdb = read_10(static_cast<uint32_t>(lba), static_cast<uint16_t>(count));
    // A medium change since the last command is reported once, as UNIT ATTENTION: one retry.
    for (unsigned attempt = 0; attempt < 2; ++attempt) {
        auto got = packet(cdb.bytes, bytes, command_timeout_ms);
        if (!got.is_error() && got.value() == bytes) {
            __builtin_memcpy(buffer, m_port.buffer(), bytes);
            return {};
        }
        bool unit_attention
            = got.is_error() && !m_port.last_failure().timed_out && last_sense_key() == scsi::key_unit_attention;
        if (unit_attention && attempt == 0)
            continue;
        if (m_failures_reported < max_failures_reported) {
            ++m_failures_reported;
            const Failure& f = m_port.last_failure();
            if (got.is_error())
                mach::report("{}: read of {} blocks at {} failed: {} (sense key {:#x}, status {:#x}); port recovered",
                    m_identity.location.view(), count, lba, got.error(), f.error >> 4, f.status);
            else
                mach::report("{}: read of {} blocks at {} moved {} bytes only", m_identity.location.view(), count, lba,
                    got.value());
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
