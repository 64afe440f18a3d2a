// Reads of an IDE CD/DVD drive.
#include "ide/atapi_disk.h"

#include "ata/ata_layout.h"
#include "ata/atapi.h"
#include "ata/ide_completion.h"
#include "ata/identify.h"
#include "runtime/console.h"
#include "runtime/mach.h"
#include "runtime/msg.h"

namespace rumpdisk::ide {

namespace {

// A drive may have to spin its disc up first.
constexpr unsigned packet_timeout_ms = 10000;
// Reads of at most 32 blocks (64 KiB): each block is one data phase and one interrupt anyway.
constexpr uint32_t max_blocks = 32;
// After a reset or a medium change the first commands fail with UNIT ATTENTION; a few tries.
constexpr unsigned attempts = 4;
constexpr unsigned retry_pause_ms = 100;
constexpr unsigned failures_shown = 16;

// The sense key of a failed PACKET command: the error register's high nibble.
uint8_t sense_key(const Channel& channel)
{
    return channel.last_error() >> 4;
}

} // namespace

base::Result<DiskIdentity> AtapiDisk::identify(Channel& channel, Position position)
{
    static uint16_t words[ata::identify::words];
    TRY(channel.pio_in(
        position, ata::ide::simple(ata::command::identify_packet_device), words, 1, ata::identify::words * 2));
    DiskIdentity identity;
    identity.kind = DiskKind::Atapi;
    identity.model = ata::decode_model(words);
    identity.read_only = true;

    uint8_t data[ata::atapi::capacity_bytes];
    for (unsigned attempt = 1;; ++attempt) {
        ata::atapi::Packet packet = ata::atapi::read_capacity_10();
        auto read = channel.packet_in(position, packet.bytes, data, sizeof data, packet_timeout_ms);
        if (!read.is_error()) {
            TRY(ata::ide::check_packet_length(sizeof data, read.value()));
            break;
        }
        if (channel.last_failure() != Failure::Device)
            return read.error();
        if (attempt == attempts) {
            if (sense_key(channel) == ata::atapi::sense::not_ready)
                return base::Error(D_NO_SUCH_DEVICE, "no medium");
            return read.error();
        }
        // UNIT ATTENTION after the reset, or a drive still becoming ready: again, a little later.
        runtime::sleep_ms(retry_pause_ms);
    }
    ata::atapi::Capacity capacity = TRY(ata::atapi::decode_capacity(data));
    identity.sectors = capacity.blocks;
    identity.sector_size = capacity.block_size;
    return identity;
}

AtapiDisk::AtapiDisk(Channel& channel, Position position, const DiskIdentity& identity)
    : m_channel(channel)
    , m_position(position)
    , m_identity(identity)
{
}

uint32_t AtapiDisk::max_transfer_sectors() const
{
    return max_blocks;
}

base::Result<void> AtapiDisk::read(uint64_t lba, uint32_t count, void* buffer)
{
    if (count == 0)
        return {};
    if (count > max_blocks)
        return base::Error(D_INVALID_SIZE, "more blocks than one transfer moves");
    if (lba >= m_identity.sectors || count > m_identity.sectors - lba)
        return base::Error(D_INVALID_RECNUM, "blocks past the end of the medium");
    uint32_t bytes = count * m_identity.sector_size;
    ata::atapi::Packet packet = ata::atapi::read_10(static_cast<uint32_t>(lba), static_cast<uint16_t>(count));
    auto read = m_channel.packet_in(m_position, packet.bytes, buffer, bytes, packet_timeout_ms);
    base::Result<void> done;
    if (read.is_error())
        done = read.error();
    else
        done = ata::ide::check_packet_length(bytes, read.value());
    if (done.is_error() && m_failures_reported++ < failures_shown)
        runtime::report("ide {} {}: read of {} block{} at {} failed (sense key {:#x}): {}", m_channel.name(),
            position_name(m_position), count, count == 1 ? "" : "s", lba, sense_key(m_channel), done.error());
    return done;
}

base::Result<void> AtapiDisk::write(uint64_t, uint32_t, const void*)
{
    return base::Error(D_READ_ONLY, "a CD/DVD drive is served read-only");
}

base::Result<void> AtapiDisk::flush()
{
    return {};
}

} // namespace rumpdisk::ide
