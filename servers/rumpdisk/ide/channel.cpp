// The ATA protocols on one IDE channel.
#include "ide/channel.h"

#include "ata/ata_layout.h"
#include "ata/atapi.h"
#include "ata/ide_prd.h"
#include "ide/ide_layout.h"
#include "runtime/clock.h"
#include "runtime/console.h"
#include "runtime/io.h"
#include "runtime/mach.h"
#include "runtime/msg.h"

namespace rumpdisk::ide {

using namespace layout;
using ata::ide::Direction;
using ata::ide::Registers;

namespace {

// Bounds. A disk answers a command within milliseconds; these only end waits for a device
// that stopped answering, so they are generous for a slow emulator and short enough that a
// client's request fails within seconds.
constexpr unsigned command_timeout_ms = 5000;
constexpr unsigned reset_timeout_ms = 5000;
// How long one wait for a notification lasts before the status is looked at again: a lost
// interrupt costs this much, not the whole bound.
constexpr unsigned interrupt_slice_ms = 20;
// After this many completions in a row that came without their interrupt, the channel polls.
constexpr unsigned missed_interrupt_limit = 8;
// Polling looks at the status without pause this long (a sector's PIO read under QEMU ends
// within a few hundred microseconds), then sleeps a millisecond between looks.
constexpr uint64_t polling_spin_ns = 5 * 1000 * 1000;

constexpr uint8_t busy = ata::status::busy;
constexpr uint8_t drq = ata::status::data_request;
constexpr uint8_t failed = ata::status::error | ata::status::device_fault;

void read_words(uint16_t port, void* to, size_t words)
{
    asm volatile("cld; rep insw" : "+D"(to), "+c"(words) : "d"(port) : "memory");
}

void write_words(uint16_t port, const void* from, size_t words)
{
    asm volatile("cld; rep outsw" : "+S"(from), "+c"(words) : "d"(port) : "memory");
}

// The CPU's stores to DMA memory happen before the engine starts, and its loads after it
// stopped: the port accesses themselves are ordered on x86, the compiler is told here.
void memory_barrier()
{
    asm volatile("" ::: "memory");
}

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
    , m_command_block(mach::PortAccess { ports.command })
    , m_control_block(mach::PortAccess { ports.control })
    , m_bus_master(mach::PortAccess { ports.bus_master })
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

template<typename Ready>
base::Result<uint8_t> Channel::wait(Ready ready, Wake wake, unsigned timeout_ms, const char* what)
{
    // How the time passes between two looks at the status: a slice of a wait for the channel's
    // interrupt, else spinning and, after polling_spin_ns, a millisecond's sleep. The clock is an
    // RPC: it is first read when the device is not ready at once (most waits end at the first
    // look), and while spinning only every 64 rounds.
    struct Bound {
        Channel& channel;
        Wake wake;
        uint64_t timeout_ns;
        uint64_t start_ns = 0;
        bool sleeping = false;
        bool expired_ = false;
        // The last pause was a slice that no notification ended.
        bool silent = false;
        unsigned notifications = 0;
        unsigned round = 0;
        // Should the kernel not tell the time (uptime 0), every look counts as a microsecond and
        // every pause as its length, so that the bound still holds, roughly.
        uint64_t counted_ns = 0;

        uint64_t elapsed() const
        {
            uint64_t now = mach::uptime_ns();
            return now ? now - start_ns : counted_ns + uint64_t(round) * 1000;
        }
        bool expired() const { return expired_; }
        void pause()
        {
            if (round++ == 0)
                start_ns = mach::uptime_ns();
            silent = false;
            if (wake == Wake::Interrupt && channel.m_interrupt) {
                auto woken = channel.m_interrupt->wait(interrupt_slice_ms);
                if (woken.is_error()) {
                    mach::report("ide {}: {}; polling from now on", channel.m_name, woken.error());
                    channel.fall_back_to_polling();
                    return;
                }
                if (woken.value() == InterruptLine::Outcome::Notified) {
                    channel.m_missed_interrupts = 0;
                    // A few notifications per wait are normal (a late one of the last command, the
                    // other channel's on a shared line); more make the clock worth reading.
                    expired_ = ++notifications > 4 && elapsed() > timeout_ns;
                    return;
                }
                silent = true;
                counted_ns += uint64_t(interrupt_slice_ms) * 1000000;
                expired_ = elapsed() > timeout_ns;
                return;
            }
            if (!sleeping && round % 64 != 0)
                return;
            uint64_t waited = elapsed();
            expired_ = waited > timeout_ns;
            sleeping = waited > polling_spin_ns;
            if (sleeping && !expired_) {
                mach::sleep_ms(1);
                counted_ns += 1000000;
            }
        }
    };
    static_assert(base::PollBound<Bound>);

    Bound bound { *this, wake, uint64_t(timeout_ms) * 1000000 };
    auto done = m_control_block.wait_until<AlternateStatus>(
        [&ready](base::RegisterValue<AlternateStatus> s) { return ready(s.word()); }, bound);
    if (done.is_error())
        return not_answering(what);
    // Complete after a slice that no notification ended: the interrupt went missing.
    if (bound.silent && ++m_missed_interrupts == missed_interrupt_limit) {
        mach::report(
            "ide {}: {} completions came without their interrupt; polling from now on", m_name, missed_interrupt_limit);
        fall_back_to_polling();
    }
    // Reading the status register (not the alternate one) clears the device's interrupt.
    m_last_status = read_status();
    m_last_error = m_last_status & ata::status::error ? m_command_block.read<layout::Error>().word() : 0;
    return m_last_status;
}

void Channel::fall_back_to_polling()
{
    m_interrupt = nullptr;
    m_control.set<DeviceControl::InterruptsDisabled>(1);
    m_control_block.write(m_control);
}

void Channel::begin_command()
{
    m_last_failure = Failure::None;
    if (m_interrupt)
        m_interrupt->drain();
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

void Channel::stop_dma()
{
    if (!m_ports.bus_master)
        return;
    m_bus_master.write<BusMasterCommand>(0);
    m_bus_master.write<BusMasterStatus>(m_bus_master.read<BusMasterStatus>());
}

base::Result<void> Channel::reset()
{
    stop_dma();
    ++m_resets;
    auto reset = m_control;
    m_control_block.write(reset.set<DeviceControl::SoftwareReset>(1));
    mach::sleep_ms(1); // SRST must stay set at least 5 us
    m_control_block.write(m_control);
    mach::sleep_ms(2);
    m_selected = -1;
    for (Position p : { Position::Master, Position::Slave }) {
        if (m_occupants[static_cast<int>(p)] == Occupant::None)
            continue;
        m_command_block.write(device_register(p));
        delay_400ns();
        m_selected = static_cast<int>(p);
        if (m_control_block.wait_for<AlternateStatus::Busy>(0, mach::PollBound(reset_timeout_ms)).is_error())
            return base::Error(D_IO_ERROR, "the device stays busy after a reset");
    }
    if (m_interrupt)
        m_interrupt->drain();
    return {};
}

base::Error Channel::not_answering(const char* what)
{
    m_last_failure = Failure::Timeout;
    mach::report("ide {}: {}: no answer within the bound (status {:#04x}); resetting the channel", m_name, what,
        alternate_status());
    auto reset_done = reset();
    if (reset_done.is_error())
        mach::report("ide {}: {}", m_name, reset_done.error());
    return base::Error(D_IO_ERROR, "the device did not answer in time");
}

base::Error Channel::protocol_error(const char* what)
{
    m_last_failure = Failure::Protocol;
    mach::report("ide {}: {}: unexpected status {:#04x}; resetting the channel", m_name, what, m_last_status);
    auto reset_done = reset();
    if (reset_done.is_error())
        mach::report("ide {}: {}", m_name, reset_done.error());
    return base::Error(D_IO_ERROR, "the device did not follow the protocol");
}

base::Error Channel::device_error(uint8_t status)
{
    // The device ended the command and is ready for the next one; only a device still busy or
    // still offering data needs the reset.
    m_last_failure = Failure::Device;
    if (status & (busy | drq)) {
        auto reset_done = reset();
        (void)reset_done;
    }
    return base::Error(D_IO_ERROR, "the device reported an error");
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
    TRY(mach::request_io_ports(base, base + 7));
    TRY(mach::request_io_ports(m_ports.control, m_ports.control));
    if (m_ports.bus_master)
        TRY(mach::request_io_ports(m_ports.bus_master, m_ports.bus_master + 7));

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

void Channel::use_interrupt(InterruptLine& line)
{
    m_interrupt = &line;
    m_interrupt->drain();
    m_control.set<DeviceControl::InterruptsDisabled>(0);
    m_control_block.write(m_control);
}

base::Result<void> Channel::pio_in(
    Position p, const Registers& r, void* buffer, uint32_t sectors, uint32_t sector_size, uint32_t per_block)
{
    begin_command();
    TRY(select(p, r.device));
    write_registers(r);
    m_command_block.write<layout::Command>(r.command);
    auto* to = static_cast<uint8_t*>(buffer);
    for (uint32_t done = 0; done < sectors;) {
        // The device raises its interrupt when each block is ready (or when it gives up).
        uint8_t status = TRY(wait([](uint8_t s) { return !(s & busy) && (s & (drq | failed)); }, Wake::Interrupt,
            command_timeout_ms, "waiting for data"));
        if (status & failed)
            return device_error(status);
        uint32_t n = sectors - done < per_block ? sectors - done : per_block;
        read_words(data_port(), to + size_t(done) * sector_size, size_t(n) * sector_size / 2);
        done += n;
    }
    delay_400ns();
    uint8_t status = TRY(
        wait([](uint8_t s) { return !(s & busy); }, Wake::Poll, command_timeout_ms, "waiting for the end of a read"));
    if (status & failed)
        return device_error(status);
    if (status & drq)
        return protocol_error("the device offers more data than asked for");
    return {};
}

base::Result<void> Channel::pio_out(
    Position p, const Registers& r, const void* buffer, uint32_t sectors, uint32_t sector_size, uint32_t per_block)
{
    begin_command();
    TRY(select(p, r.device));
    write_registers(r);
    m_command_block.write<layout::Command>(r.command);
    auto* from = static_cast<const uint8_t*>(buffer);
    for (uint32_t done = 0; done < sectors;) {
        // The first block is asked for without an interrupt; each later one with it.
        uint8_t status = TRY(wait([](uint8_t s) { return !(s & busy) && (s & (drq | failed)); },
            done == 0 ? Wake::Poll : Wake::Interrupt, command_timeout_ms, "waiting for the device to take data"));
        if (status & failed)
            return device_error(status);
        uint32_t n = sectors - done < per_block ? sectors - done : per_block;
        write_words(data_port(), from + size_t(done) * sector_size, size_t(n) * sector_size / 2);
        done += n;
    }
    uint8_t status = TRY(wait(
        [](uint8_t s) { return !(s & busy); }, Wake::Interrupt, command_timeout_ms, "waiting for the end of a write"));
    if (status & failed)
        return device_error(status);
    if (status & drq)
        return protocol_error("the device asks for more data than was sent");
    return {};
}

base::Result<void> Channel::non_data(Position p, const Registers& r, unsigned timeout_ms)
{
    begin_command();
    TRY(select(p, r.device));
    write_registers(r);
    m_command_block.write<layout::Command>(r.command);
    uint8_t status
        = TRY(wait([](uint8_t s) { return !(s & busy); }, Wake::Interrupt, timeout_ms, "waiting for a command to end"));
    if (status & failed)
        return device_error(status);
    if (status & drq)
        return protocol_error("a command without data offers data");
    return {};
}

base::Result<void> Channel::enable_dma(uint32_t bounce_bytes)
{
    if (!m_ports.bus_master)
        return base::Error(D_NO_SUCH_DEVICE, "the controller has no bus-master registers");
    if (dma_enabled())
        return {};
    m_prd_table = TRY(mach::DmaBuffer::allocate(0x1000));
    m_bounce = TRY(mach::DmaBuffer::allocate(bounce_bytes));
    return {};
}

base::Result<void> Channel::dma(Position p, const Registers& r, Direction direction, uint32_t bytes)
{
    if (!dma_enabled() || bytes > m_bounce.size())
        return base::Error(D_INVALID_SIZE, "a DMA transfer larger than the bounce buffer");
    auto* table = static_cast<ata::ide::PrdEntry*>(m_prd_table.data());
    TRY(ata::ide::build_prd_table(m_bounce.physical(), bytes, table, m_prd_table.size() / sizeof *table));
    memory_barrier();

    auto& engine = m_bus_master;
    auto command
        = base::RegisterValue<BusMasterCommand>().set<BusMasterCommand::ToMemory>(direction == Direction::Read);
    begin_command();
    TRY(select(p, r.device));
    engine.write(command);
    engine.write<PrdTable>(static_cast<uint32_t>(m_prd_table.physical()));
    // Writing ones clears the interrupt and error bits; the drive-capable bits keep their value.
    engine.write(engine.read<BusMasterStatus>().set<BusMasterStatus::Interrupt>(1).set<BusMasterStatus::Error>(1));
    write_registers(r);
    m_command_block.write<layout::Command>(r.command);
    engine.write(command.set<BusMasterCommand::Start>(1));
    command.set<BusMasterCommand::Start>(0);

    // Done when the device raised its interrupt (the engine latches it), or, as polling sees it
    // with the device's interrupt disabled, when the engine went idle and the device is neither
    // busy nor offering data; or when the device gave up.
    auto done = wait(
        [&engine](uint8_t s) {
            auto e = engine.read<BusMasterStatus>();
            return e.has<BusMasterStatus::Interrupt>() || (!e.has<BusMasterStatus::Active>() && !(s & (busy | drq)))
                || (!(s & busy) && (s & failed));
        },
        Wake::Interrupt, command_timeout_ms, "waiting for a DMA transfer");
    if (done.is_error())
        return done.error();
    uint8_t status = done.value();
    auto engine_status = engine.read<BusMasterStatus>();
    engine.write(command);
    auto cleared = engine_status;
    engine.write(cleared.set<BusMasterStatus::Interrupt>(1).set<BusMasterStatus::Error>(1));
    memory_barrier();
    if (status & failed)
        return device_error(status);
    if (engine_status.has<BusMasterStatus::Error>()) {
        mach::report("ide {}: the bus-master engine reports an error (status {:#04x})", m_name, engine_status.word());
        m_last_failure = Failure::Engine;
        return base::Error(D_IO_ERROR, "the DMA engine reported an error");
    }
    if (status & (busy | drq))
        return protocol_error("the device is not done after its DMA interrupt");
    return {};
}

base::Result<uint32_t> Channel::packet_in(
    Position p, const uint8_t* packet, void* buffer, uint32_t capacity, unsigned timeout_ms)
{
    // The most bytes the device may offer per data block; even, and below 64 KiB.
    constexpr uint32_t block_limit = 0xf800;
    uint32_t limit = capacity == 0 || capacity > block_limit ? block_limit : (capacity + 1) & ~1u;
    auto& task_file = m_command_block;

    begin_command();
    TRY(select(p, 0));
    task_file.write<Features>(0); // PIO data
    task_file.write<LbaMid>(static_cast<uint8_t>(limit));
    task_file.write<LbaHigh>(static_cast<uint8_t>(limit >> 8));
    task_file.write<layout::Command>(ata::command::packet);
    uint8_t status = TRY(wait([](uint8_t s) { return !(s & busy) && (s & (drq | failed)); }, Wake::Poll,
        command_timeout_ms, "waiting for the device to take a packet"));
    if (status & failed)
        return device_error(status);
    write_words(data_port(), packet, 6);
    delay_400ns();

    auto* to = static_cast<uint8_t*>(buffer);
    uint32_t received = 0;
    mach::Deadline deadline(timeout_ms);
    // Every data block carries at least two bytes: a device that offers more blocks than the
    // buffer and a margin can hold is not ending its command.
    uint32_t most_blocks = capacity / 2 + 16;
    for (uint32_t block = 0;; ++block) {
        if (block > most_blocks || deadline.passed())
            return not_answering("a packet command that does not end");
        status = TRY(
            wait([](uint8_t s) { return !(s & busy); }, Wake::Interrupt, timeout_ms, "waiting for a packet command"));
        if (status & failed)
            return device_error(status);
        if (!(status & drq))
            return received;
        auto reason = task_file.read<SectorCount>();
        if (!reason.has<SectorCount::Input>() || reason.has<SectorCount::CommandOrData>())
            return protocol_error("a packet command's data flows the wrong way");
        uint32_t bytes = uint32_t(task_file.read<LbaMid>().word()) | uint32_t(task_file.read<LbaHigh>().word()) << 8;
        if (bytes == 0)
            return protocol_error("a packet command's data block is empty");
        uint32_t words = (bytes + 1) / 2;
        uint32_t room = (capacity - received) / 2;
        uint32_t kept = words < room ? words : room;
        if (kept)
            read_words(data_port(), to + received, kept);
        for (uint32_t i = kept; i < words; ++i)
            (void)task_file.read<Data>();
        received += kept * 2;
    }
}

} // namespace rumpdisk::ide
