// ATA/ATAPI definitions shared by the AHCI and IDE drivers: the one table of command codes, status bits, and the
// words of the IDENTIFY DEVICE data this project reads (ATA8-ACS).
#pragma once

#include <stdint.h>

namespace ata {

namespace command {
constexpr uint8_t read_dma_ext = 0x25;
constexpr uint8_t write_dma_ext = 0x35;
constexpr uint8_t read_sectors = 0x20; // PIO, LBA28
constexpr uint8_t read_sectors_ext = 0x24; // PIO, LBA48
constexpr uint8_t write_sectors = 0x30;
constexpr uint8_t write_sectors_ext = 0x34;
constexpr uint8_t read_dma = 0xc8; // LBA28
constexpr uint8_t write_dma = 0xca;
constexpr uint8_t flush_cache = 0xe7;
constexpr uint8_t flush_cache_ext = 0xea;
constexpr uint8_t identify_device = 0xec;
constexpr uint8_t identify_packet_device = 0xa1;
constexpr uint8_t packet = 0xa0;
// PIO with several sectors per data block (ATA/ATAPI-6); the IDE driver's.
constexpr uint8_t read_multiple = 0xc4;
constexpr uint8_t write_multiple = 0xc5;
constexpr uint8_t read_multiple_ext = 0x29;
constexpr uint8_t write_multiple_ext = 0x39;
constexpr uint8_t set_multiple_mode = 0xc6;
} // namespace command

// The device register: bit 6 selects LBA addressing; a 28-bit command carries LBA bits 27:24
// in bits 3:0.
namespace device_bits {
constexpr uint8_t lba = 0x40;
} // namespace device_bits

// The most sectors one command moves: a count of 0 means 256 (28-bit) or 65536 (48-bit).
constexpr uint32_t max_sectors_lba28 = 256;
constexpr uint32_t max_sectors_lba48 = 65536;
constexpr uint64_t lba28_limit = uint64_t(1) << 28;
constexpr uint64_t lba48_limit = uint64_t(1) << 48;

namespace status {
constexpr uint8_t error = 0x01;
constexpr uint8_t data_request = 0x08;
constexpr uint8_t device_fault = 0x20;
constexpr uint8_t ready = 0x40;
constexpr uint8_t busy = 0x80;
} // namespace status

// Signatures a device leaves in the task file after reset (sector count/LBA registers).
constexpr uint32_t signature_ata = 0x00000101;
constexpr uint32_t signature_atapi = 0xeb140101;

namespace identify {
constexpr unsigned words = 256;
constexpr unsigned general_configuration = 0; // bit 15 set: not an ATA device
constexpr unsigned model_first = 27; // 20 words, two characters each, high byte first
constexpr unsigned model_words = 20;
constexpr unsigned capabilities = 49; // bit 9: LBA supported
constexpr unsigned lba28_sectors = 60; // two words, low first
constexpr unsigned command_sets_supported = 83; // bit 10: 48-bit addressing
constexpr unsigned command_sets_enabled = 86; // bit 10: 48-bit addressing enabled
constexpr unsigned lba48_sectors = 100; // four words, low first
constexpr unsigned logical_sector_info = 106; // bit 14 set, bit 15 clear: valid; bit 12: long logical sectors
constexpr unsigned logical_sector_words = 117; // two words: logical sector size in words
} // namespace identify

} // namespace ata
