// The AHCI HBA's registers (AHCI 1.3 §3): the generic host control block at the start of ABAR
// (BAR5), then one block of 0x80 bytes per port from 0x100. Offsets and bits only.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rumpdisk::ahci::reg {

// Generic host control.
constexpr size_t cap = 0x00;
constexpr size_t ghc = 0x04;
constexpr size_t is = 0x08; // one bit per port with an interrupt pending
constexpr size_t pi = 0x0c; // ports implemented
constexpr size_t vs = 0x10;
constexpr size_t cap2 = 0x24;
constexpr size_t bohc = 0x28;

namespace cap_bits {
constexpr uint32_t port_count_mask = 0x1f; // NP: ports minus one
constexpr unsigned slot_count_shift = 8; // NCS: command slots minus one
constexpr uint32_t slot_count_mask = 0x1f;
constexpr uint32_t command_list_override = 1u << 24; // SCLO
constexpr uint32_t staggered_spin_up = 1u << 27; // SSS
constexpr uint32_t ncq = 1u << 30; // SNCQ
constexpr uint32_t addressing_64 = 1u << 31; // S64A
} // namespace cap_bits

namespace ghc_bits {
constexpr uint32_t reset = 1u << 0; // HR
constexpr uint32_t interrupt_enable = 1u << 1;
constexpr uint32_t ahci_enable = 1u << 31;
} // namespace ghc_bits

namespace cap2_bits {
constexpr uint32_t bios_handoff = 1u << 0; // BOH
} // namespace cap2_bits

namespace bohc_bits {
constexpr uint32_t bios_owned = 1u << 0; // BOS
constexpr uint32_t os_owned = 1u << 1; // OOS
constexpr uint32_t bios_busy = 1u << 4; // BB
} // namespace bohc_bits

// Port registers, relative to port_base(n).
constexpr size_t port_first = 0x100;
constexpr size_t port_stride = 0x80;
constexpr size_t max_ports = 32;
constexpr size_t port_base(unsigned n)
{
    return port_first + port_stride * n;
}

namespace port {
constexpr size_t clb = 0x00; // command list base, 1 KiB aligned
constexpr size_t clbu = 0x04;
constexpr size_t fb = 0x08; // received FIS base, 256-byte aligned
constexpr size_t fbu = 0x0c;
constexpr size_t is = 0x10; // interrupt status, write one to clear
constexpr size_t ie = 0x14;
constexpr size_t cmd = 0x18;
constexpr size_t tfd = 0x20; // task file data: status (7:0) and error (15:8)
constexpr size_t sig = 0x24;
constexpr size_t ssts = 0x28; // SStatus
constexpr size_t sctl = 0x2c; // SControl
constexpr size_t serr = 0x30; // SError, write one to clear
constexpr size_t sact = 0x34;
constexpr size_t ci = 0x38; // command issue
} // namespace port

namespace is_bits {
constexpr uint32_t d2h_register_fis = 1u << 0; // DHRS
constexpr uint32_t pio_setup_fis = 1u << 1; // PSS
constexpr uint32_t dma_setup_fis = 1u << 2; // DSS
constexpr uint32_t set_device_bits = 1u << 3; // SDBS
constexpr uint32_t unknown_fis = 1u << 4; // UFS
constexpr uint32_t descriptor_processed = 1u << 5;
constexpr uint32_t port_connect_change = 1u << 6;
constexpr uint32_t phy_ready_change = 1u << 22;
constexpr uint32_t overflow = 1u << 24; // OFS
constexpr uint32_t interface_non_fatal = 1u << 26; // INFS
constexpr uint32_t interface_fatal = 1u << 27; // IFS
constexpr uint32_t host_bus_data_error = 1u << 28; // HBDS
constexpr uint32_t host_bus_fatal = 1u << 29; // HBFS
constexpr uint32_t task_file_error = 1u << 30; // TFES
constexpr uint32_t cold_presence = 1u << 31; // CPDS

// What ends a command: its completion FISes, and the errors that stop the port.
constexpr uint32_t completion = d2h_register_fis | pio_setup_fis | dma_setup_fis | set_device_bits;
constexpr uint32_t errors
    = task_file_error | host_bus_fatal | host_bus_data_error | interface_fatal | overflow | unknown_fis;
} // namespace is_bits

namespace cmd_bits {
constexpr uint32_t start = 1u << 0; // ST
constexpr uint32_t spin_up = 1u << 1; // SUD
constexpr uint32_t power_on = 1u << 2; // POD
constexpr uint32_t fis_receive = 1u << 4; // FRE
constexpr uint32_t fis_running = 1u << 14; // FR
constexpr uint32_t list_running = 1u << 15; // CR
constexpr uint32_t atapi = 1u << 24;
} // namespace cmd_bits

namespace tfd_bits {
constexpr uint32_t error = 1u << 0;
constexpr uint32_t data_request = 1u << 3;
constexpr uint32_t busy = 1u << 7;
constexpr unsigned error_shift = 8;
} // namespace tfd_bits

namespace ssts_bits {
constexpr uint32_t detection_mask = 0xf;
constexpr uint32_t device_no_phy = 1;
constexpr uint32_t device_and_phy = 3;
} // namespace ssts_bits

namespace sctl_bits {
constexpr uint32_t detection_mask = 0xf;
constexpr uint32_t detection_reset = 1; // COMRESET while set
constexpr uint32_t no_partial_or_slumber = 3u << 8; // IPM: stay active
} // namespace sctl_bits

// What rumpdisk asks the HBA to interrupt for.
constexpr uint32_t port_interrupts = is_bits::completion | is_bits::errors | is_bits::interface_non_fatal;

} // namespace rumpdisk::ahci::reg
