// The register values of an ATA command as an IDE channel's task file takes them: which command
// reads or writes a range of sectors (28-bit or 48-bit addressing; PIO a sector per data block,
// PIO several sectors per block, or DMA) and the bytes of each register, apart from the hardware
// so the host tests check the encoding.
#pragma once

#include <stdint.h>

#include "ata/ata_layout.h"
#include "base/result.h"

namespace ata::ide {

enum class Direction : uint8_t { Read, Write };
// Pio: READ/WRITE SECTORS (EXT), one sector per data block; PioMultiple: READ/WRITE MULTIPLE
// (EXT), as many sectors per block as SET MULTIPLE MODE chose; Dma: READ/WRITE DMA (EXT).
enum class Protocol : uint8_t { Pio, PioMultiple, Dma };

// The registers a command writes. For a 48-bit command each register of the command block is
// written twice, the `previous` (high-order) byte first; a 28-bit command writes only `current`
// and carries LBA bits 24-27 in the device register.
struct Registers {
    struct Bytes {
        uint8_t features = 0;
        uint8_t count = 0;
        uint8_t lba_low = 0;
        uint8_t lba_mid = 0;
        uint8_t lba_high = 0;
    };
    Bytes current;
    Bytes previous;
    uint8_t device = 0; // bit 6 (LBA) and, for 28-bit commands, LBA bits 24-27; no drive bit
    uint8_t command = 0;
    bool lba48 = false;
};

// READ/WRITE SECTORS (EXT) or READ/WRITE DMA (EXT) for [lba, lba + count). The 28-bit form when
// the whole range lies below 2^28 and count <= 256 (it is shorter and every device has it),
// else the 48-bit form when the device supports it; KERN_INVALID_ARGUMENT when neither fits
// or count is 0.
base::Result<Registers> transfer(Direction, Protocol, uint64_t lba, uint32_t count, bool device_lba48);

// FLUSH CACHE EXT for 48-bit devices, FLUSH CACHE otherwise.
Registers flush(bool device_lba48);

// A command without parameters (IDENTIFY DEVICE, IDENTIFY PACKET DEVICE, ...).
Registers simple(uint8_t command);

// SET MULTIPLE MODE: `sectors` per data block of the multiple commands.
Registers set_multiple_mode(uint8_t sectors);

// The sectors per block to ask for, from IDENTIFY word 47 (bits 7-0: the most the device moves
// per block): the largest power of two up to that and `limit`; 0 when the device has no
// multiple commands or allows only one sector.
uint8_t multiple_block_sectors(uint16_t identify_word_47, uint8_t limit);

} // namespace ata::ide
