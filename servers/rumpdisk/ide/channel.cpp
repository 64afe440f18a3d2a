// One IDE channel: its bring-up (which positions hold which device), the selection of a device
// and the writing of a command's registers, and the choice between the interrupt line and polling.
#include "ide/channel.h"

#include "ata/ata_layout.h"
#include "ata/atapi.h"
#include "ide/channel_internal.h"
#include "ide/ide_layout.h"
#include "runtime/io.h"

namespace rumpdisk::ide {

using namespace layout;
using namespace channel_internal;
using ata::ide::Registers;

namespace {

Occupant occupant_from_signature(uint8_t mid, uint8_t high)
{
    switch (ata::classify_signature(mid, high)) {
    case ata::DeviceClass::Ata:
        return Occupant::Ata;
    case ata::DeviceClass::Atapi:
        return Occupant::Atapi;
    case ata::DeviceClass::Unknown:
        break;
    }
    return Occupant::Unknown;
}

} // namespace

const char* position_name(Position p)
{
    return p == Position::Master ? "master" : "slave";
}

Channel::Channel(const char* name, const ata::ide::ChannelPorts& ports)
    : m_name(name)
    , m_ports(ports)
    , m_command_block(runtime::PortAccess { ports.command })
    , m_control_block(runtime::PortAccess { ports.control })
    , m_bus_master(runtime::PortAccess { ports.bus_master })
{
    m_control.set<DeviceControl::InterruptsDisabled>(1);
}

uint8_t Channel::alternate_status()
{
    return m_control_block.read<AlternateStatus>().word();
}

uint8_t Channel::read_status()
{
    return m_command_block.read<Status>().word();
}

void Channel::delay_400ns()
{
    // Each read of the alternate status takes at least 100 ns on an ISA-timed port.
    for (int i = 0; i < 5; ++i)
        (void)alternate_status();
}

void Channel::use_interrupt(runtime::InterruptLine& line)
{
    m_interrupt = &line;
    m_interrupt->drain();
    set_device_interrupt(true);
}

void Channel::verify_interrupt()
{
    if (m_interrupt && !m_interrupt->verify())
        fall_back_to_polling();
}

void Channel::fall_back_to_polling()
{
    m_interrupt = nullptr;
    set_device_interrupt(false);
}

void Channel::set_device_interrupt(bool enabled)
{
    if (m_control.has<DeviceControl::InterruptsDisabled>() == !enabled)
        return;
    m_control.set<DeviceControl::InterruptsDisabled>(!enabled);
    m_control_block.write(m_control);
}

void Channel::begin_command()
{
    m_last_failure = Failure::None;
    if (!m_interrupt)
        return;
    // The line may have been given up by the other channel's waits, on a line both share.
    if (m_interrupt->active())
        await_interrupt();
    else
        fall_back_to_polling();
}

void Channel::begin_quiet_command()
{
    m_last_failure = Failure::None;
    if (m_interrupt && !m_interrupt->active())
        fall_back_to_polling();
    set_device_interrupt(false);
}

void Channel::await_interrupt()
{
    if (!interrupts_on())
        return;
    // Notifications of interrupts whose completion a status register showed first are taken now,
    // so that the line is unmasked before the device can raise the interrupt awaited.
    m_interrupt->drain();
    set_device_interrupt(true);
}

base::Result<void> Channel::select(Position p, uint8_t device_bits)
{
    m_command_block.write(device_register(p, device_bits));
    if (m_selected != static_cast<int>(p)) {
        delay_400ns();
        m_selected = static_cast<int>(p);
    }
    TRY(wait([](uint8_t s) { return !(s & (busy | drq)); }, Wake::Poll, command_timeout_ms, "selecting the device"));
    return {};
}

void Channel::write_registers(const Registers& r)
{
    auto& block = m_command_block;
    // A 48-bit command writes each register twice, the high-order byte first.
    if (r.lba48) {
        block.write<Features>(r.previous.features);
        block.write<SectorCount>(r.previous.count);
        block.write<LbaLow>(r.previous.lba_low);
        block.write<LbaMid>(r.previous.lba_mid);
        block.write<LbaHigh>(r.previous.lba_high);
    }
    block.write<Features>(r.current.features);
    block.write<SectorCount>(r.current.count);
    block.write<LbaLow>(r.current.lba_low);
    block.write<LbaMid>(r.current.lba_mid);
    block.write<LbaHigh>(r.current.lba_high);
}

bool Channel::probe_position(Position p)
{
    auto& block = m_command_block;
    block.write(device_register(p));
    delay_400ns();
    m_selected = static_cast<int>(p);
    // A device keeps what is written to its registers; an empty position reads back 0 (QEMU)
    // or the floating bus's 0xFF.
    block.write<SectorCount>(0x55);
    block.write<LbaLow>(0xaa);
    block.write<SectorCount>(0xaa);
    block.write<LbaLow>(0x55);
    block.write<SectorCount>(0x55);
    block.write<LbaLow>(0xaa);
    return block.read<SectorCount>().word() == 0x55 && block.read<LbaLow>().word() == 0xaa;
}

base::Result<void> Channel::start()
{
    uint16_t base = m_ports.command;
    TRY(runtime::request_io_ports(base, base + 7));
    TRY(runtime::request_io_ports(m_ports.control, m_ports.control));
    if (m_ports.bus_master)
        TRY(runtime::request_io_ports(m_ports.bus_master, m_ports.bus_master + 7));

    // Interrupts stay off until the line is ours.
    m_control_block.write(m_control);
    stop_dma();

    // A channel with nothing attached floats: every register reads 0xFF.
    bool floating[2] = {};
    for (Position p : { Position::Master, Position::Slave }) {
        m_command_block.write(device_register(p));
        delay_400ns();
        floating[static_cast<int>(p)] = alternate_status() == 0xff;
        m_occupants[static_cast<int>(p)] = floating[static_cast<int>(p)] ? Occupant::None : Occupant::Unknown;
    }
    m_selected = -1;
    if (floating[0] && floating[1])
        return {};

    TRY(reset());
    for (Position p : { Position::Master, Position::Slave }) {
        Occupant& o = m_occupants[static_cast<int>(p)];
        if (o == Occupant::None)
            continue;
        // The signature first: the presence check overwrites the count and LBA low registers.
        m_command_block.write(device_register(p));
        delay_400ns();
        uint8_t mid = m_command_block.read<LbaMid>().word();
        uint8_t high = m_command_block.read<LbaHigh>().word();
        uint8_t status = alternate_status();
        o = occupant_from_signature(mid, high);
        // An empty position behind a present device: its registers may keep what is written
        // (QEMU's do) but its status reads 0 (no DRDY, which a disk has after reset) and its
        // signature floats (FF/FF in QEMU).
        if ((o == Occupant::Ata && status == 0) || (mid == 0xff && high == 0xff) || !probe_position(p)) {
            o = Occupant::None;
            continue;
        }
    }
    return {};
}

bool Channel::has_devices() const
{
    return m_occupants[0] != Occupant::None || m_occupants[1] != Occupant::None;
}

} // namespace rumpdisk::ide
