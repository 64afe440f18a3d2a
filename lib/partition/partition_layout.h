// On-disk layouts of the partition tables: the MBR (and the EBRs of an extended partition), the
// GPT header and GPT partition entry (UEFI 2.10, section 5). Every field is little-endian and
// unaligned on disk, so each is a byte array read through value().
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace partition::layout {

template<size_t N> struct LittleEndian {
    uint8_t bytes[N];
    constexpr uint64_t value() const
    {
        uint64_t v = 0;
        for (size_t i = N; i-- > 0;)
            v = v << 8 | bytes[i];
        return v;
    }
};
using Le16 = LittleEndian<2>;
using Le32 = LittleEndian<4>;
using Le64 = LittleEndian<8>;

// The MBR and every EBR: boot code, four entries at 446, the signature 0x55 0xaa at 510.
constexpr size_t mbr_size = 512;
constexpr size_t mbr_entries_offset = 446;
constexpr unsigned mbr_entry_count = 4;
constexpr size_t mbr_signature_offset = 510;
constexpr uint8_t mbr_signature[2] = { 0x55, 0xaa };

struct MbrEntry {
    uint8_t boot_indicator; // 0x00, or 0x80 for the active partition; anything else: no table
    uint8_t chs_first[3]; // ignored: only the LBA fields count
    uint8_t type;
    uint8_t chs_last[3];
    Le32 first_lba; // MBR: absolute; EBR: relative, see below
    Le32 sector_count;
};
static_assert(sizeof(MbrEntry) == 16);

namespace mbr_type {
constexpr uint8_t empty = 0x00;
constexpr uint8_t extended_chs = 0x05;
constexpr uint8_t extended_lba = 0x0f;
constexpr uint8_t extended_linux = 0x85;
constexpr uint8_t gpt_protective = 0xee;
} // namespace mbr_type

constexpr bool is_extended(uint8_t type)
{
    return type == mbr_type::extended_chs || type == mbr_type::extended_lba || type == mbr_type::extended_linux;
}

// In an EBR, entry 0 is the logical partition, its start relative to the EBR itself; entry 1 is
// the link to the next EBR, its start relative to the start of the extended partition named in
// the MBR. Entries 2 and 3 are unused.
constexpr unsigned ebr_logical_entry = 0;
constexpr unsigned ebr_link_entry = 1;

// GPT: the primary header at LBA 1, the backup header at the last LBA of the disk.
constexpr uint8_t gpt_signature[8] = { 'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T' };
constexpr uint32_t gpt_revision_1_0 = 0x00010000;
constexpr uint64_t gpt_primary_lba = 1;

struct GptHeader {
    uint8_t signature[8];
    Le32 revision;
    Le32 header_size; // bytes covered by header_crc32, at least sizeof(GptHeader)
    Le32 header_crc32; // computed with this field zeroed
    Le32 reserved;
    Le64 my_lba; // where this header is
    Le64 alternate_lba; // where the other one is
    Le64 first_usable_lba; // partitions lie in [first_usable_lba, last_usable_lba]
    Le64 last_usable_lba;
    uint8_t disk_guid[16];
    Le64 entries_lba;
    Le32 entry_count;
    Le32 entry_size; // 128 * 2^n by the specification
    Le32 entries_crc32; // over entry_count * entry_size bytes
};
static_assert(sizeof(GptHeader) == 92);
constexpr size_t gpt_header_crc_offset = 16;

struct GptEntry {
    uint8_t type_guid[16]; // all zero: the entry is unused
    uint8_t unique_guid[16];
    Le64 first_lba;
    Le64 last_lba; // inclusive
    Le64 attributes;
    uint8_t name[72]; // UTF-16LE
};
static_assert(sizeof(GptEntry) == 128);

} // namespace partition::layout
