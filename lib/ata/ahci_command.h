// The memory an AHCI HBA reads to run one command (AHCI 1.3 §4.2): the command header in the
// port's command list, the command table it points to (the Register H2D FIS, the ATAPI packet,
// the PRDT that scatters the data), and the encoding of each. Header-only and free of Mach, so
// that the host tests check the very code the driver runs; beside the IDE task file encoders
// (ide_task_file.h), with the command codes of both in ata_layout.h.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ata/ata_layout.h"
#include "ata/dma_runs.h"
#include "base/result.h"
#include "base/status.h"

namespace ata::ahci {

// ---- The command FIS ---------------------------------------------------------------------------

// The register values of one ATA command, as the Register H2D FIS carries them.
struct TaskFile {
    uint8_t command = 0;
    uint16_t features = 0;
    uint64_t lba = 0; // 48 bits; an LBA28 command carries bits 27:24 in `device` instead
    uint16_t count = 0; // 0 stands for 65536 (48-bit commands) or 256 (28-bit commands)
    uint8_t device = 0;
};

namespace fis {
constexpr uint8_t type_register_h2d = 0x27;
constexpr size_t register_h2d_bytes = 20;
constexpr size_t register_h2d_dwords = register_h2d_bytes / 4;
constexpr uint8_t flag_command = 0x80; // byte 1: the FIS updates the command register
} // namespace fis

// The 20 bytes of a Register H2D FIS that issues the task file's command to port multiplier
// port 0.
inline void encode_register_h2d(const TaskFile& t, uint8_t* out)
{
    out[0] = fis::type_register_h2d;
    out[1] = fis::flag_command;
    out[2] = t.command;
    out[3] = static_cast<uint8_t>(t.features);
    out[4] = static_cast<uint8_t>(t.lba);
    out[5] = static_cast<uint8_t>(t.lba >> 8);
    out[6] = static_cast<uint8_t>(t.lba >> 16);
    out[7] = t.device;
    out[8] = static_cast<uint8_t>(t.lba >> 24);
    out[9] = static_cast<uint8_t>(t.lba >> 32);
    out[10] = static_cast<uint8_t>(t.lba >> 40);
    out[11] = static_cast<uint8_t>(t.features >> 8);
    out[12] = static_cast<uint8_t>(t.count);
    out[13] = static_cast<uint8_t>(t.count >> 8);
    for (size_t i = 14; i < fis::register_h2d_bytes; ++i)
        out[i] = 0; // ICC, control, auxiliary
}

enum class Addressing { Lba28, Lba48 };
enum class Transfer { Read, Write };

// READ/WRITE DMA (EXT) of `count` sectors from `lba`. KERN_INVALID_ARGUMENT when the count is 0 or
// above the command's limit or the range does not fit its addressing.
inline base::Result<TaskFile> dma_transfer(Addressing addressing, Transfer transfer, uint64_t lba, uint32_t count)
{
    using base::status::invalid_argument;
    bool wide = addressing == Addressing::Lba48;
    uint32_t max = wide ? max_sectors_lba48 : max_sectors_lba28;
    uint64_t limit = wide ? lba48_limit : lba28_limit;
    if (count == 0 || count > max)
        return base::Error(invalid_argument, "sector count out of the command's range");
    if (lba >= limit || count > limit - lba)
        return base::Error(invalid_argument, "sectors beyond the command's addressing");
    TaskFile t;
    bool read = transfer == Transfer::Read;
    // The count register holds the count modulo its width: 0 is the largest count.
    t.count = static_cast<uint16_t>(count == max ? 0 : count);
    if (wide) {
        t.command = read ? command::read_dma_ext : command::write_dma_ext;
        t.lba = lba;
        t.device = device_bits::lba;
    } else {
        t.command = read ? command::read_dma : command::write_dma;
        t.lba = lba & 0xffffff;
        t.device = static_cast<uint8_t>(device_bits::lba | ((lba >> 24) & 0x0f));
    }
    return t;
}

inline TaskFile flush_cache(Addressing addressing)
{
    TaskFile t;
    t.command = addressing == Addressing::Lba48 ? command::flush_cache_ext : command::flush_cache;
    return t;
}

inline TaskFile simple_command(uint8_t command)
{
    TaskFile t;
    t.command = command;
    return t;
}

// PACKET with a DMA data phase. The byte count limit (LBA mid/high) matters only to PIO phases,
// but some devices check it anyway.
inline TaskFile packet_dma(uint16_t byte_count_limit)
{
    TaskFile t;
    t.command = command::packet;
    t.features = 0x01; // DMA
    t.lba = uint64_t(byte_count_limit) << 8;
    return t;
}

// ---- The command list and command table ----------------------------------------------------------

// One of the 32 slots of a port's command list.
struct CommandHeader {
    uint32_t flags; // DW0: see header_bits
    uint32_t transferred; // PRDBC: the bytes the HBA moved (the HBA writes it)
    uint32_t table_low; // CTBA: the command table, 128-byte aligned
    uint32_t table_high;
    uint32_t reserved[4];
};
static_assert(sizeof(CommandHeader) == 32);

namespace header_bits {
constexpr uint32_t fis_length_mask = 0x1f; // CFL, in dwords (2..16)
constexpr uint32_t atapi = 1u << 5;
constexpr uint32_t write = 1u << 6; // the data flows to the device
constexpr unsigned prd_count_shift = 16; // PRDTL
} // namespace header_bits

// One entry of the physical region descriptor table.
struct PrdEntry {
    uint32_t address_low; // bit 0 must be 0: regions are word-aligned
    uint32_t address_high;
    uint32_t reserved;
    uint32_t count; // bits 21:0 the byte count minus one (odd: the count is even); bit 31 interrupt
};
static_assert(sizeof(PrdEntry) == 16);

namespace prd_bits {
constexpr uint32_t count_mask = 0x3fffff;
} // namespace prd_bits

constexpr size_t max_prd_bytes = size_t(4) << 20; // 22 bits of byte count

// Offsets in a command table.
namespace table {
constexpr size_t command_fis = 0x00; // up to 64 bytes
constexpr size_t atapi_packet = 0x40; // 12 or 16 bytes
constexpr size_t atapi_packet_bytes = 12; // what ATAPI devices take
constexpr size_t prdt = 0x80;
constexpr size_t alignment = 128;
} // namespace table

constexpr size_t command_slots = 32;
constexpr size_t command_list_bytes = command_slots * sizeof(CommandHeader);
constexpr size_t command_list_alignment = 1024;
constexpr size_t received_fis_bytes = 256;
constexpr size_t received_fis_alignment = 256;
constexpr size_t received_d2h_fis = 0x40; // where the last Register D2H FIS lands

// A physically contiguous piece of a transfer.
struct Segment {
    uint64_t physical;
    size_t bytes;
};

using ata::slice_runs; // the segments of part of a reply's memory (dma_runs.h)

// Fills `out` with PRD entries that cover the segments in order, splitting any segment longer than
// max_prd_bytes, and returns how many it used. KERN_INVALID_ARGUMENT when a segment is empty,
// odd-sized or at an odd address, or when more than `capacity` entries would be needed.
inline base::Result<size_t> build_prdt(const Segment* segments, size_t count, PrdEntry* out, size_t capacity)
{
    using base::status::invalid_argument;
    size_t used = 0;
    for (size_t i = 0; i < count; ++i) {
        uint64_t address = segments[i].physical;
        size_t left = segments[i].bytes;
        if (left == 0 || (left & 1) || (address & 1))
            return base::Error(invalid_argument, "a DMA segment must be non-empty, even-sized and word-aligned");
        while (left > 0) {
            if (used == capacity)
                return base::Error(invalid_argument, "the transfer needs more PRD entries than the table holds");
            size_t piece = left < max_prd_bytes ? left : max_prd_bytes;
            PrdEntry& e = out[used++];
            e.address_low = static_cast<uint32_t>(address);
            e.address_high = static_cast<uint32_t>(address >> 32);
            e.reserved = 0;
            e.count = static_cast<uint32_t>(piece - 1) & prd_bits::count_mask;
            address += piece;
            left -= piece;
        }
    }
    return used;
}

// Whether a command that was to move `expected` bytes moved them all, by the count the HBA wrote
// back (PRDBC). A short count is never success: the rest of a read's buffer holds whatever was
// there before, and the rest of a write never reached the device. A count above the expected one
// means the PRDT and the command disagree, and is an error too. Reads and writes alike, ATA and
// ATAPI: the HBA counts both directions.
inline base::Result<void> check_transferred(size_t expected, size_t moved)
{
    using base::status::device_io_error;
    if (moved < expected)
        return base::Error(device_io_error, "the controller moved fewer bytes than the command asked for");
    if (moved > expected)
        return base::Error(device_io_error, "the controller reports more bytes moved than the command asked for");
    return {};
}

enum class DataDirection { None, FromDevice, ToDevice };
enum class Protocol { Ata, Atapi };

// The header of a command whose FIS is `fis_dwords` long, whose table sits at `table_physical`
// and holds `prd_count` PRD entries.
inline CommandHeader command_header(
    size_t fis_dwords, DataDirection direction, Protocol protocol, uint16_t prd_count, uint64_t table_physical)
{
    CommandHeader h {};
    uint32_t flags = static_cast<uint32_t>(fis_dwords) & header_bits::fis_length_mask;
    if (protocol == Protocol::Atapi)
        flags |= header_bits::atapi;
    if (direction == DataDirection::ToDevice)
        flags |= header_bits::write;
    h.flags = flags | uint32_t(prd_count) << header_bits::prd_count_shift;
    h.table_low = static_cast<uint32_t>(table_physical);
    h.table_high = static_cast<uint32_t>(table_physical >> 32);
    return h;
}

} // namespace ata::ahci
