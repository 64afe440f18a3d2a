// One IDE channel: its two device positions and the ATA protocols on them (PIO data in and
// out, non-data, bus-master DMA, ATAPI packets with PIO data), each wait bounded and completed
// by the channel's interrupt when the kernel delivers it (polling otherwise), and recovery by
// software reset when a device stops answering. One command at a time: rumpdisk serves its
// requests one after the other, and both disks of a channel share it.
//
// The class is defined in files of one concern each: channel.cpp (bring-up, selection, the
// interrupt line), channel_wait.cpp (the wait engine), channel_reset.cpp (reset and the errors
// that lead to it), channel_pio.cpp, channel_dma.cpp and channel_packet.cpp (the protocols).
#pragma once

#include <stdint.h>

#include "ata/ide_completion.h"
#include "ata/ide_ports.h"
#include "ata/ide_prd.h"
#include "ata/ide_task_file.h"
#include "base/result.h"
#include "ide/ide_layout.h"
#include "runtime/hardware.h"
#include "runtime/interrupt_line.h"
#include "runtime/io.h"

namespace rumpdisk::ide {

enum class Position : uint8_t { Master = 0, Slave = 1 };
const char* position_name(Position);

// Why the last command failed.
enum class Failure : uint8_t {
    None,
    Device, // the device ended it with ERR or DF: the request's own failure
    Timeout, // the device did not answer in time; the channel was reset
    Protocol, // the device's status made no sense; the channel was reset
    Engine, // the bus-master engine reported an error
    Short, // the device ended the command having moved fewer bytes than asked
};

// What a position holds after the channel's reset.
enum class Occupant : uint8_t { None, Ata, Atapi, Unknown };

class Channel {
public:
    // `name` is "primary" or "secondary".
    Channel(const char* name, const ata::ide::ChannelPorts& ports);

    const char* name() const { return m_name; }
    uint8_t irq() const { return m_ports.irq; }

    // Takes the channel's I/O ports, finds out quickly whether anything is attached (a
    // floating bus reads 0xFF; a position whose registers do not keep what is written holds
    // no device), and if so resets the channel and reads each device's signature. The channel
    // polls until use_interrupt.
    base::Result<void> start();
    bool has_devices() const;
    Occupant occupant(Position p) const { return m_occupants[static_cast<int>(p)]; }

    // Completion by the interrupt line from now on. Both channels of a native-mode controller
    // share one line (and one notification port): rumpdisk runs one command at a time, so a
    // notification for the channel that is not waiting is only a late one, and the status
    // registers, not the notification, say which command ended.
    void use_interrupt(runtime::InterruptLine&);
    // After the first commands: polls from now on if the line never delivered.
    void verify_interrupt();

    // Commands. Device errors (ERR or DF in the status) give D_IO_ERROR and leave the channel
    // usable; a device that does not answer in time gives D_IO_ERROR after the channel was
    // reset. last_status() and last_error() tell what the device said last.

    // A PIO data-in command of `sectors` sectors of `sector_size` bytes (IDENTIFY, READ SECTORS,
    // READ MULTIPLE), `per_block` sectors to a data block (1 but for the multiple commands).
    base::Result<void> pio_in(Position, const ata::ide::Registers&, void* buffer, uint32_t sectors,
        uint32_t sector_size, uint32_t per_block = 1);
    base::Result<void> pio_out(Position, const ata::ide::Registers&, const void* buffer, uint32_t sectors,
        uint32_t sector_size, uint32_t per_block = 1);
    base::Result<void> non_data(Position, const ata::ide::Registers&, unsigned timeout_ms);

    // Bus-master DMA through the channel's bounce buffer, which the caller fills before a write
    // and reads after a read. enable_dma allocates it (and the PRD table) once.
    bool has_bus_master() const { return m_ports.bus_master != 0; }
    base::Result<void> enable_dma(uint32_t bounce_bytes);
    bool dma_enabled() const { return m_bounce.size() != 0; }
    uint32_t dma_bytes() const { return static_cast<uint32_t>(m_bounce.size()); }
    uint8_t* dma_buffer() const { return static_cast<uint8_t*>(m_bounce.data()); }
    // A bus-master DMA transfer of `bytes` through the bounce buffer, or, given `runs`, straight
    // to or from that memory (the physical runs of wired memory, in order).
    base::Result<void> dma(Position, const ata::ide::Registers&, ata::ide::Direction, uint32_t bytes,
        const ata::ide::PhysicalRun* runs = nullptr, size_t run_count = 0);

    // An ATAPI PACKET command with a PIO data-in phase (or none) of at most `capacity` bytes to
    // `buffer`; a device that offers more fails the command. Returns how many bytes the device
    // sent (the caller judges a short answer).
    base::Result<uint32_t> packet_in(
        Position, const uint8_t* packet, void* buffer, uint32_t capacity, unsigned timeout_ms);

    // How many times the channel was reset: a device forgets settings such as SET MULTIPLE
    // MODE in a reset, and its disk makes them again when this changed.
    unsigned resets() const { return m_resets; }

    Failure last_failure() const { return m_last_failure; }
    uint8_t last_status() const { return m_last_status; }
    uint8_t last_error() const { return m_last_error; }

private:
    // Whether a wait may end by the channel's interrupt; waits the device raises no interrupt for
    // poll.
    enum class Wake : uint8_t { Interrupt, Poll };

    // The bound of one wait on the status (channel_wait.cpp), and how the time passes between two
    // looks at it: a slice of a wait for the channel's interrupt, else spinning and then sleeping.
    class WaitBound {
    public:
        WaitBound(Channel&, Wake, unsigned timeout_ms);
        bool expired() const { return m_expired; }
        void pause();
        // Whether the wait is one of the interrupt line's (begun with it, to be ended with it).
        bool on_line() const { return m_on_line; }

    private:
        uint64_t elapsed();

        Channel& m_channel;
        bool m_on_line;
        uint64_t m_timeout_ns;
        uint64_t m_start_ns = 0; // the clock's first reading in this wait, 0 before it
        bool m_sleeping = false;
        bool m_expired = false;
        unsigned m_notifications = 0;
        unsigned m_round = 0;
        // Should the kernel not tell the time (uptime 0), every look counts as a microsecond and
        // every pause as its length, so that the bound still holds, roughly.
        uint64_t m_counted_ns = 0;
    };

    // Waits until `ready(status)` holds, `timeout_ms` at most, and returns the status register
    // (whose read clears the device's interrupt). A timeout resets the channel (not_answering).
    template<typename Ready> base::Result<uint8_t> wait(Ready ready, Wake wake, unsigned timeout_ms, const char* what)
    {
        WaitBound bound(*this, wake, timeout_ms);
        auto done = m_control_block.wait_until<layout::AlternateStatus>(
            [&ready](base::RegisterValue<layout::AlternateStatus> s) { return ready(s.word()); }, bound);
        return end_wait(bound, !done.is_error(), what);
    }
    // The same on the bus-master engine's status: `ready(engine_status)` reads the device's own.
    template<typename Ready>
    base::Result<uint8_t> wait_on_engine(Ready ready, Wake wake, unsigned timeout_ms, const char* what)
    {
        WaitBound bound(*this, wake, timeout_ms);
        auto done = m_bus_master.wait_until<layout::BusMasterStatus>(ready, bound);
        return end_wait(bound, !done.is_error(), what);
    }
    base::Result<uint8_t> end_wait(const WaitBound&, bool ready, const char* what);
    bool interrupts_on() const { return m_interrupt && m_interrupt->active(); }
    // Reads the status register (which clears the device's interrupt) and, after ERR, the error
    // register, as last_status() and last_error() tell them.
    uint8_t take_status();

    base::Result<void> select(Position, uint8_t device_bits);
    void write_registers(const ata::ide::Registers&);
    // A command whose end the channel's interrupt tells (when the line is in use).
    void begin_command();
    // A command whose end is looked for first with the device's interrupt disabled (DMA), and
    // await_interrupt() when that look does not find it: it turns the device's interrupt on.
    void begin_quiet_command();
    void await_interrupt();
    void set_device_interrupt(bool enabled);
    void fall_back_to_polling();
    base::Result<void> reset();
    base::Error device_error(uint8_t status);
    base::Result<bool> pio_step(const ata::ide::PioProgress&, uint8_t status);
    base::Error not_answering(const char* what);
    base::Error protocol_error(const char* what);
    void stop_dma();
    void delay_400ns();
    // The device register's value that selects `p`, with `bits` (LBA, LBA 27:24) besides.
    static base::RegisterValue<layout::Device> device_register(Position p, uint8_t bits = 0)
    {
        return base::RegisterValue<layout::Device>(layout::Device::obsolete | bits)
            .set<layout::Device::Slave>(p == Position::Slave);
    }
    // The data port, for the string instructions that move a block.
    uint16_t data_port() const { return static_cast<uint16_t>(m_ports.command + layout::Data::offset); }
    uint8_t alternate_status();
    uint8_t read_status();
    bool probe_position(Position);

    const char* m_name;
    ata::ide::ChannelPorts m_ports;
    base::RegisterSpace<layout::CommandSpace, runtime::PortAccess> m_command_block;
    base::RegisterSpace<layout::ControlSpace, runtime::PortAccess> m_control_block;
    base::RegisterSpace<layout::BusMasterSpace, runtime::PortAccess> m_bus_master;
    // The device control register's value: nIEN when polling.
    base::RegisterValue<layout::DeviceControl> m_control;
    int m_selected = -1; // the position the device register names, -1 when unknown
    Occupant m_occupants[2] = {};
    runtime::InterruptLine* m_interrupt = nullptr; // null: polling
    runtime::DmaBuffer m_prd_table;
    runtime::DmaBuffer m_bounce;
    // The engine's registers as last written, so that a command writes only what changes: the
    // command register with the engine stopped (its direction), whether the PRD table's address
    // is loaded, and the status value that clears the interrupt and error bits (keeping the
    // drive-capable bits the firmware set).
    base::RegisterValue<layout::BusMasterCommand> m_engine_command;
    bool m_prd_loaded = false;
    base::RegisterValue<layout::BusMasterStatus> m_engine_clear;
    unsigned m_resets = 0;
    Failure m_last_failure = Failure::None;
    uint8_t m_last_status = 0;
    uint8_t m_last_error = 0;
};

} // namespace rumpdisk::ide
