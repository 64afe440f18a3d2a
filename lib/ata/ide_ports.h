// Where an IDE controller's channels answer, from its class code and BARs (PCI IDE Controller
// Specification): a channel in compatibility mode sits at the legacy ISA ports and IRQ
// (primary 0x1F0-0x1F7, 0x3F6, IRQ 14; secondary 0x170-0x177, 0x376, IRQ 15); a channel in
// native mode at the I/O BARs (primary BAR0 and BAR1, secondary BAR2 and BAR3) with the
// function's PCI interrupt. The bus-master (SFF-8038i) registers are BAR4, 8 ports a channel.
#pragma once

#include <stdint.h>

#include "pci/region.h"

namespace ata::ide {

namespace prog_if {
constexpr uint8_t primary_native = 0x01;
constexpr uint8_t secondary_native = 0x04;
constexpr uint8_t bus_master = 0x80;
} // namespace prog_if

struct ChannelPorts {
    bool present = false;
    bool native = false;
    uint16_t command = 0; // the command block: data ... status/command, 8 ports
    uint16_t control = 0; // the device control / alternate status register, 1 port
    uint8_t irq = 0;
    uint16_t bus_master = 0; // this channel's 8 bus-master ports; 0 when there are none
};

struct Ports {
    ChannelPorts channels[2]; // primary, secondary
};

namespace legacy {
constexpr uint16_t primary_command = 0x1f0;
constexpr uint16_t primary_control = 0x3f6;
constexpr uint8_t primary_irq = 14;
constexpr uint16_t secondary_command = 0x170;
constexpr uint16_t secondary_control = 0x376;
constexpr uint8_t secondary_irq = 15;
} // namespace legacy

// interrupt_line: the function's interrupt line register (used only by native channels; 0 and
// 0xFF mean none, and a native channel without an interrupt or without its I/O BARs is left
// absent).
Ports decode_ports(uint8_t prog_if, const pci::Regions&, uint8_t interrupt_line);

} // namespace ata::ide
