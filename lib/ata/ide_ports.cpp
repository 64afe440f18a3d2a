// Decoding of an IDE controller's channel resources.
#include "ata/ide_ports.h"

namespace ata::ide {

// In a native channel's control block BAR (4 ports), the device control register is the third.
static constexpr uint16_t native_control_offset = 2;
static constexpr uint64_t command_block_ports = 8;
static constexpr uint64_t control_block_ports = 4;
static constexpr uint64_t bus_master_ports = 16;
static constexpr uint16_t bus_master_channel_stride = 8;

static bool io_bar_fits(const pci::Region& r, uint64_t ports)
{
    return r.kind == pci::RegionKind::Io && r.base != 0 && r.size >= ports && r.base + ports <= 0x10000;
}

Ports decode_ports(uint8_t prog_if, const pci::Regions& regions, uint8_t interrupt_line)
{
    Ports ports;
    struct Legacy {
        uint16_t command, control;
        uint8_t irq;
    };
    const Legacy legacy_channels[2] = {
        { legacy::primary_command, legacy::primary_control, legacy::primary_irq },
        { legacy::secondary_command, legacy::secondary_control, legacy::secondary_irq },
    };
    const uint8_t native_bits[2] = { prog_if::primary_native, prog_if::secondary_native };
    bool has_interrupt = interrupt_line != 0 && interrupt_line != 0xff;
    const pci::Region& bus_master = regions.bars[4];
    bool has_bus_master = io_bar_fits(bus_master, bus_master_ports);

    for (unsigned i = 0; i < 2; ++i) {
        ChannelPorts& c = ports.channels[i];
        if (prog_if & native_bits[i]) {
            const pci::Region& command = regions.bars[2 * i];
            const pci::Region& control = regions.bars[2 * i + 1];
            c.native = true;
            if (!io_bar_fits(command, command_block_ports) || !io_bar_fits(control, control_block_ports)
                || !has_interrupt)
                continue;
            c.command = static_cast<uint16_t>(command.base);
            c.control = static_cast<uint16_t>(control.base + native_control_offset);
            c.irq = interrupt_line;
        } else {
            c.command = legacy_channels[i].command;
            c.control = legacy_channels[i].control;
            c.irq = legacy_channels[i].irq;
        }
        c.present = true;
        if (has_bus_master)
            c.bus_master = static_cast<uint16_t>(bus_master.base + i * bus_master_channel_stride);
    }
    return ports;
}

} // namespace ata::ide
