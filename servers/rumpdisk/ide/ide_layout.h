// The registers of one IDE channel (ATA/ATAPI-6 §7: the command block and the control block)
// and of its bus-master DMA engine (SFF-8038i, the PIIX3's BMIBA): offsets from each block's
// base port and their bits.
#pragma once

#include <stdint.h>

namespace rumpdisk::ide::layout {

// The command block, 8 ports from the channel's command base.
namespace reg {
constexpr uint16_t data = 0; // 16-bit PIO data
constexpr uint16_t error = 1; // read
constexpr uint16_t features = 1; // write
constexpr uint16_t sector_count = 2; // ATAPI: interrupt reason when read
constexpr uint16_t lba_low = 3;
constexpr uint16_t lba_mid = 4; // ATAPI: byte count, low byte
constexpr uint16_t lba_high = 5; // ATAPI: byte count, high byte
constexpr uint16_t device = 6;
constexpr uint16_t status = 7; // read: reading it clears the device's interrupt
constexpr uint16_t command = 7; // write
} // namespace reg

// The control block: one port. Reading gives the alternate status (the status without clearing
// the interrupt); writing sets the device control register.
namespace device_control {
constexpr uint8_t interrupts_disabled = 0x02; // nIEN
constexpr uint8_t software_reset = 0x04; // SRST
constexpr uint8_t high_order_byte = 0x80; // HOB: reads give the previous (48-bit) bytes
} // namespace device_control

namespace device {
// Bits 7 and 5 are obsolete; old devices expect them set.
constexpr uint8_t obsolete = 0xa0;
constexpr uint8_t slave = 0x10; // DEV
} // namespace device

namespace error_bits {
constexpr uint8_t abort = 0x04;
} // namespace error_bits

// ATAPI's interrupt reason, in the sector count register during a PACKET command.
namespace interrupt_reason {
constexpr uint8_t command_or_data = 0x01; // CoD: the device wants the command packet
constexpr uint8_t input = 0x02; // IO: data flows to the host
} // namespace interrupt_reason

// The bus-master block: 8 ports per channel from the channel's bus-master base.
namespace bus_master {
constexpr uint16_t command = 0; // 8-bit
constexpr uint16_t status = 2; // 8-bit
constexpr uint16_t prd_table = 4; // 32-bit physical address of the PRD table

namespace command_bits {
constexpr uint8_t start = 0x01;
constexpr uint8_t to_memory = 0x08; // the device's data goes to memory (a read); clear for writes
} // namespace command_bits

namespace status_bits {
constexpr uint8_t active = 0x01;
constexpr uint8_t error = 0x02; // write 1 to clear
constexpr uint8_t interrupt = 0x04; // write 1 to clear: the device raised its interrupt
constexpr uint8_t drive0_dma_capable = 0x20;
constexpr uint8_t drive1_dma_capable = 0x40;
constexpr uint8_t simplex = 0x80;
} // namespace status_bits
} // namespace bus_master

// IDENTIFY DEVICE words the IDE driver reads besides those lib/ata decodes.
namespace identify_words {
constexpr unsigned multiple = 47; // bits 7-0: the most sectors per block of READ/WRITE MULTIPLE
constexpr unsigned capabilities = 49; // bit 8: DMA supported
constexpr uint16_t dma_supported = 1u << 8;
} // namespace identify_words

// PCI command register bits (configuration offset 0x04).
namespace pci_command {
constexpr uint16_t io_space = 0x0001;
constexpr uint16_t bus_master = 0x0004;
} // namespace pci_command

} // namespace rumpdisk::ide::layout
