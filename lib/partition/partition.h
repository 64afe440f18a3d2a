// Partition tables (MBR with extended/logical partitions, GPT) read through a sector reader, for
// rumpdisk to name its partitions wdNsM. Portable: no Mach, no heap, bounded reads.
//
// What read_table returns:
// - a disk without the 0x55aa signature, or whose MBR entries have a boot indicator other than
//   0x00/0x80 (a FAT boot sector, as Linux decides): Scheme::None, no partitions, no error;
// - a table whose structure is corrupt (both GPT headers bad, an EBR chain that loops, is too
//   long, leaves the extended partition or lacks its signature): an Error of partition::domain,
//   Errc::Corrupt, with a static note naming what is wrong;
// - arguments the reader cannot serve (a sector size other than 512..4096, a power of two):
//   an Error of partition::domain, Errc::InvalidArgument;
// - an error of the SectorReader: passed up unchanged, in its own domain (a read error on the
//   primary GPT does not fall back to the backup; only a primary that reads back wrong does);
// - otherwise the table. A single partition that cannot be used (past the end of the disk, over
//   the table's own sectors: the MBR, an EBR, the GPT headers and entry arrays; a logical
//   partition outside its extended partition; a GPT entry that ends before it starts) is
//   dropped, keeps its number, and is named in a warning; so is every partition beyond
//   max_partitions. Overlapping partitions are kept, as Linux keeps them, and each overlapping
//   pair is named in a warning.
//
// An MBR entry of type 0xee anywhere (protective or hybrid MBR) means GPT, and the MBR's other
// entries are ignored, as Linux does. In an EBR only entry 0 (the logical partition) and entry 1
// (the link) count. Every extended partition of the MBR is followed, in slot order, its logical
// partitions numbered on from the previous one's (Linux does so too; sfdisk lists the first one
// only). A good primary GPT is used without reading the backup.
//
// Memory: a Table is about 6.5 KB; read_table uses about 17 KB of stack (the sector buffer, the
// table it returns, the EBR LBAs seen) and nothing else.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/format.h"
#include "base/result.h"
#include "base/status.h"

namespace partition {

constexpr size_t max_partitions = 128;
constexpr size_t max_logical_partitions = 128; // EBRs followed per extended partition, at most
constexpr size_t max_warnings = 16;
constexpr uint32_t max_sector_size = 4096;
// The GPT entry array is read sector by sector; a header that claims more is corrupt.
constexpr uint64_t max_gpt_entry_array_bytes = 1024 * 1024;

// The library's own errors, in a base::Error of partition::domain. The numbers are those of the
// Mach statuses they were before they had a domain (D_IO_ERROR, KERN_INVALID_ARGUMENT), so that
// a caller that hands the code on as a device status hands on the same one.
enum class Errc : int {
    InvalidArgument = base::status::invalid_argument,
    Corrupt = base::status::device_io_error,
};

// The domain of the library's errors: "partition", codes named "Corrupt" and "InvalidArgument".
extern const base::ErrorDomain domain;

constexpr base::Error error(Errc code, const char* context)
{
    return base::Error(domain, static_cast<int>(code), context);
}

enum class Scheme : uint8_t { None, Mbr, Gpt };

// A GUID in its on-disk byte order (the first three fields little-endian).
struct Guid {
    uint8_t bytes[16];
    bool is_zero() const;
    bool operator==(const Guid&) const;
};

struct Partition {
    unsigned number; // MBR: 1-4 as the slot, logical 5, 6, ... in chain order; GPT: entry index + 1
    uint64_t first_sector; // in units of the disk's sector size
    uint64_t sector_count;
    uint8_t mbr_type; // 0 for GPT
    Guid type; // GPT partition type; all zero for MBR
};

// A partition dropped or questioned. partition is 0 for a note on the table as a whole; other
// is the second partition of an overlap, else 0. what is a static string.
struct Warning {
    const char* what;
    unsigned partition;
    unsigned other;
};

struct Table {
    Scheme scheme = Scheme::None;
    // Usable partitions only, in increasing number; extended partitions (the containers of
    // logical partitions) are not listed.
    Partition partitions[max_partitions];
    size_t count = 0;
    Warning warnings[max_warnings];
    size_t warning_count = 0;
    bool more_warnings = false; // warnings beyond max_warnings were left out

    const Partition* find(unsigned number) const;
};

// Reads one sector of the disk's sector size into buffer. read_table never asks for an LBA at or
// beyond disk_sectors.
class SectorReader {
public:
    virtual base::Result<void> read(uint64_t lba, void* buffer) = 0;

protected:
    ~SectorReader() = default;
};

base::Result<Table> read_table(SectorReader&, uint32_t sector_size, uint64_t disk_sectors);

const char* scheme_name(Scheme);

} // namespace partition

namespace base {

// C12A7328-F81F-11D2-BA4B-00A0C93EC93B, as sfdisk and sgdisk print it.
template<> struct Formatter<partition::Guid> {
    static void format(Sink&, const FormatSpec&, const partition::Guid&);
};

// "partition 3: <what>", "partitions 1 and 2: <what>", or <what> alone for the table.
template<> struct Formatter<partition::Warning> {
    static void format(Sink&, const FormatSpec&, const partition::Warning&);
};

} // namespace base
