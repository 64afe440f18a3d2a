// Running commands on an AHCI port, and recovering it after errors (AHCI 1.3 §5.5, §6.2.2, §10.1).
#include "ahci/port.h"

#include "runtime/clock.h"
#include "runtime/interrupt_line.h"
#include "runtime/mach.h"
#include "runtime/msg.h"

namespace rumpdisk::ahci {

namespace {

// Where the pieces sit in the port's memory: the command list and received FIS in the first
// page, the command table after it, with a PRD for every page of the largest transfer into
// scattered memory and then some.
constexpr size_t command_list_offset = 0x000;
constexpr size_t received_fis_offset = 0x400;
constexpr size_t command_table_offset = 0x1000;
constexpr size_t port_memory_bytes = 0x3000;
constexpr size_t prd_capacity = (port_memory_bytes - command_table_offset - table::prdt) / sizeof(PrdEntry);
static_assert(command_list_offset % command_list_alignment == 0);
static_assert(received_fis_offset % received_fis_alignment == 0);
static_assert(received_fis_offset >= command_list_offset + command_list_bytes);
static_assert(command_table_offset % table::alignment == 0);
static_assert(command_table_offset >= received_fis_offset + received_fis_bytes);
static_assert(prd_capacity >= max_segments);

constexpr unsigned engine_stop_ms = 500; // PxCMD.CR and FR clear within 500 ms (§10.1.2)
constexpr unsigned link_ms = 1000; // a link that is present but not up yet
constexpr unsigned ready_ms = 5000; // BSY/DRQ after reset: QEMU at once, real disks spin up
constexpr uint32_t min_buffer = 64 * 1024;

// How long a command is polled for before its interrupt is waited for, in rounds of a few reads
// of PxCI and one yield of the processor. Waking on the interrupt costs about 300 us more than
// seeing the completion in a poll under QEMU/TCG (the kernel's delivery of the notification, then
// device_intr_ack, an RPC through the arbiter). Measured there: a read of PxCI takes about 85 ns,
// swtch_pri about 3 us, so a round of 32 reads and a yield about 6 us; 4 KiB and 64 KiB reads
// end within 50 rounds nearly always, a 1 MiB read within a few hundred. 256 rounds (about
// 1.5 ms) spend at most five times what the interrupt would have cost, and reach the interrupt
// only on a command that is slow anyway (a flush, an error, a timeout, a loaded host).
constexpr unsigned reads_per_round = 32;
constexpr unsigned spin_rounds = 256;

// How long a command has been running, known without reading the clock (an RPC) until a wake-up
// does not end it: a silent slice counts its length, any other wake-up a floor, and the clock,
// read from the first such wake-up on, can only lengthen that. Most commands end at their first
// wake-up and never read it.
class CommandTime {
public:
    explicit CommandTime(unsigned timeout_ms)
        : m_timeout_us(uint64_t(timeout_ms) * 1000)
    {
    }
    unsigned remaining_ms() const { return static_cast<unsigned>((m_timeout_us - m_elapsed_us + 999) / 1000); }
    // After a wake-up that did not end the command (remaining_ms() was the wait's bound).
    bool expired_after(Woken woken)
    {
        unsigned waited_ms
            = remaining_ms() < runtime::InterruptLine::slice_ms ? remaining_ms() : runtime::InterruptLine::slice_ms;
        m_counted_us += woken == Woken::Silent ? uint64_t(waited_ms) * 1000
            : woken == Woken::Notified         ? notified_floor_us
                                               : yield_floor_us;
        uint64_t now = runtime::uptime_ns() / 1000;
        if (now && !m_started_us)
            m_started_us = now > m_counted_us ? now - m_counted_us : 1;
        uint64_t clock_us = now && now > m_started_us ? now - m_started_us : 0;
        m_elapsed_us = clock_us > m_counted_us ? clock_us : m_counted_us;
        if (m_elapsed_us >= m_timeout_us) {
            m_elapsed_us = m_timeout_us;
            return true;
        }
        return false;
    }

private:
    // What a wake-up that was not a silent slice counts at least, so that the wait is bounded even
    // by a clock that does not run: a stray notification, a yield of the processor.
    static constexpr uint64_t notified_floor_us = 1000;
    static constexpr uint64_t yield_floor_us = 10;
    uint64_t m_timeout_us;
    uint64_t m_counted_us = 0;
    uint64_t m_started_us = 0; // by the clock, from the first wake-up that did not end the command
    uint64_t m_elapsed_us = 0;
};

void fence()
{
    // The HBA reads the command table and header by DMA: they must be in memory before PxCI is
    // written (x86 keeps stores in order; this keeps the compiler from moving them).
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

} // namespace

using namespace reg::port;

base::Result<void> Port::stop()
{
    PortRegisters r = registers();
    auto cmd = r.read<Cmd>();
    if (cmd.has<Cmd::Start>() || cmd.has<Cmd::ListRunning>()) {
        r.write(cmd.set<Cmd::Start>(0));
        if (r.wait_for<Cmd::ListRunning>(0, runtime::PollBound(engine_stop_ms)).is_error())
            return base::Error(D_IO_ERROR, "the port's command engine does not stop (PxCMD.CR stays set)");
    }
    return {};
}

base::Result<void> Port::attach()
{
    // No interrupts until the port runs: the device's first D2H FIS is not a completion.
    PortRegisters r = registers();
    r.write<Ie>(0);
    TRY(stop());
    auto cmd = r.read<Cmd>();
    if (cmd.has<Cmd::FisReceive>() || cmd.has<Cmd::FisRunning>()) {
        r.write(cmd.set<Cmd::FisReceive>(0));
        if (r.wait_for<Cmd::FisRunning>(0, runtime::PollBound(engine_stop_ms)).is_error())
            return base::Error(D_IO_ERROR, "the port's FIS receive engine does not stop (PxCMD.FR stays set)");
    }
    if (!m_memory.data())
        m_memory = TRY(runtime::DmaBuffer::allocate(port_memory_bytes));
    uint64_t list = m_memory.physical() + command_list_offset;
    uint64_t fis = m_memory.physical() + received_fis_offset;
    r.write<Clb>(static_cast<uint32_t>(list));
    r.write<Clbu>(static_cast<uint32_t>(list >> 32));
    r.write<Fb>(static_cast<uint32_t>(fis));
    r.write<Fbu>(static_cast<uint32_t>(fis >> 32));
    r.write<Serr>(0xffffffff);
    r.write<Is>(0xffffffff);
    cmd = r.read<Cmd>().set<Cmd::FisReceive>(1);
    if (m_controller.capabilities().has<reg::Cap::StaggeredSpinUp>())
        cmd.set<Cmd::SpinUp>(1).set<Cmd::PowerOn>(1);
    r.write(cmd);
    return {};
}

bool Port::link_up(const Controller& controller, unsigned index)
{
    PortRegisters r = controller.port_registers(index);
    if (r.read<Ssts::Detection>() == Ssts::device_no_phy)
        (void)r.wait_for<Ssts::Detection>(Ssts::device_and_phy, runtime::PollBound(link_ms));
    return r.read<Ssts::Detection>() == Ssts::device_and_phy;
}

base::Result<void> Port::wait_ready() const
{
    if (registers().wait_for<Tfd::Busy, Tfd::DataRequest>(0, runtime::PollBound(ready_ms)).is_error())
        return base::Error(D_IO_ERROR, "the device stays busy (PxTFD.BSY or DRQ)");
    return {};
}

base::Result<void> Port::start(PortKind kind)
{
    m_kind = kind;
    TRY(wait_ready());
    PortRegisters r = registers();
    auto cmd = r.read<Cmd>().set<Cmd::FisReceive>(1).set<Cmd::Start>(1);
    cmd.set<Cmd::Atapi>(kind == PortKind::Atapi ? 1 : 0);
    r.write(cmd);
    r.write<Is>(0xffffffff);
    // Masked until a command outlasts its spin (execute).
    r.write<Ie>(0);
    return {};
}

base::Result<void> Port::allocate_buffer(size_t preferred)
{
    // Contiguous memory may be scarce; a smaller buffer only means more commands per request.
    for (size_t size = preferred; size >= min_buffer; size /= 2) {
        auto buffer = runtime::DmaBuffer::allocate(size);
        if (!buffer.is_error()) {
            m_data = buffer.release_value();
            return {};
        }
    }
    return base::Error(D_NO_MEMORY, "no contiguous memory for the port's transfer buffer");
}

base::Result<void> Port::reset_link()
{
    // COMRESET (§10.4.2): DET = 1 for at least 1 ms, then 0; the device answers with a D2H FIS.
    PortRegisters r = registers();
    auto sctl = r.read<Sctl>().set<Sctl::NoPartial>(1).set<Sctl::NoSlumber>(1);
    r.write(sctl.set<Sctl::Detection>(Sctl::detection_reset));
    runtime::sleep_ms(2);
    r.write(sctl.set<Sctl::Detection>(0));
    if (r.wait_for<Ssts::Detection>(Ssts::device_and_phy, runtime::PollBound(link_ms)).is_error())
        return base::Error(D_IO_ERROR, "the link does not come back after COMRESET");
    r.write<Serr>(0xffffffff);
    return {};
}

base::Result<void> Port::recover(Recovery how)
{
    // §6.2.2.2: stop the engine (which drops the command), clear the errors, reset the link if the
    // device is still busy, start again.
    m_broken = true;
    PortRegisters r = registers();
    bool stopped = !stop().is_error();
    r.write<Serr>(0xffffffff);
    r.write<Is>(0xffffffff);
    m_controller.collect(m_index);
    auto tfd = r.read<Tfd>();
    if (how == Recovery::ResetLink || !stopped || tfd.has<Tfd::Busy>() || tfd.has<Tfd::DataRequest>()) {
        TRY(stop());
        TRY(reset_link());
    }
    TRY(start(m_kind));
    // An HBA clears PxCI when ST drops; QEMU's does not, and runs a dropped command again when ST
    // is set. The command table is unchanged, so that run repeats the same transfer: let it end
    // before slot 0 is reused.
    if (r.wait_for<Ci::Slots>(0, runtime::PollBound(engine_stop_ms)).is_error())
        return base::Error(D_IO_ERROR, "a dropped command stays issued (PxCI)");
    m_controller.collect(m_index);
    m_broken = false;
    return {};
}

bool Port::spin(PortRegisters r) const
{
    // The yield lets whatever else this processor has to run go first: reads alone would keep it
    // from every other thread for the whole spin.
    for (unsigned round = 0; round < spin_rounds; ++round) {
        for (unsigned i = 0; i < reads_per_round; ++i)
            if (!r.read<Ci::Slot0>())
                return true;
        swtch_pri(0);
    }
    return false;
}

uint32_t Port::collect_port(PortRegisters r)
{
    uint32_t status = r.read<Is>().word();
    if (status)
        r.write<Is>(status);
    return status;
}

uint32_t Port::wait_for_interrupt(PortRegisters r, unsigned timeout_ms, bool& done)
{
    m_controller.begin_command();
    // Raised at once should the command have ended since the spin's last look: PxIS holds its
    // completion, and the HBA interrupts for PxIS & PxIE.
    bool interrupts = m_controller.completion() == Completion::Interrupt;
    if (interrupts)
        r.write<Ie>(Is::wanted);
    CommandTime time(timeout_ms);
    uint32_t status = 0;
    done = false;
    for (;;) {
        Woken woken = m_controller.wait_for_event(time.remaining_ms());
        // Issue first: once it reads clear, the status holds all the command set.
        bool issued = r.read<Ci::Slot0>();
        status |= m_controller.collect(m_index);
        if (status & Is::errors)
            break;
        if (!issued) {
            done = true;
            break;
        }
        if (time.expired_after(woken))
            break;
    }
    if (interrupts)
        r.write<Ie>(0);
    if (done)
        m_controller.finish_command();
    return status;
}

base::Result<size_t> Port::execute(const Command& command)
{
    if (!command.segments && command.bytes > m_data.size())
        return base::Error(D_INVALID_SIZE, "a command larger than the port's buffer");
    PortRegisters r = registers();
    if (m_broken || r.read<Ci>().word() != 0) {
        auto recovered = recover(Recovery::ResetLink);
        if (recovered.is_error())
            return base::Error(D_IO_ERROR, "the port does not recover");
    }

    uint8_t* memory = static_cast<uint8_t*>(m_memory.data());
    uint8_t* table = memory + command_table_offset;
    for (size_t i = 0; i < table::prdt; ++i)
        table[i] = 0;
    encode_register_h2d(command.task, table + table::command_fis);
    if (command.packet)
        for (size_t i = 0; i < table::atapi_packet_bytes; ++i)
            table[table::atapi_packet + i] = command.packet[i];
    uint16_t prd_count = 0;
    if (command.bytes > 0) {
        Segment buffer { m_data.physical(), command.bytes };
        const Segment* data = command.segments ? command.segments : &buffer;
        size_t count = command.segments ? command.segment_count : 1;
        auto* prdt = reinterpret_cast<PrdEntry*>(table + table::prdt);
        prd_count = static_cast<uint16_t>(TRY(build_prdt(data, count, prdt, prd_capacity)));
    }
    auto* header = reinterpret_cast<volatile CommandHeader*>(memory + command_list_offset);
    CommandHeader h = command_header(fis::register_h2d_dwords, command.direction,
        command.packet ? Protocol::Atapi : Protocol::Ata, prd_count, m_memory.physical() + command_table_offset);
    header->flags = h.flags;
    header->transferred = 0;
    header->table_low = h.table_low;
    header->table_high = h.table_high;
    fence();

    // The last command's look left the port's status clear: nothing to collect before this one.
    r.write<Ci>(base::RegisterValue<Ci>().set<Ci::Slot0>(1));

    // Most commands end while polled: no notification, no acknowledgement through the arbiter.
    // A task file error clears PxCI on QEMU's HBA (with TFES set, found below) and stops the
    // command with PxCI still set on others: then the spin runs out and the wait finds the error.
    uint32_t status = 0;
    bool done = spin(r);
    if (done) {
        // PxIE was clear throughout, so the port's status is all there is to clear: the HBA did
        // not summarise it in IS, nor raise the line.
        status = collect_port(r);
        if (status & Is::errors)
            done = false;
    } else {
        status = wait_for_interrupt(r, command.timeout_ms, done);
    }
    if (done) {
        fence();
        return static_cast<size_t>(header->transferred);
    }
    auto tfd = r.read<Tfd>();
    bool timed_out = !(status & Is::errors);
    m_failure.timed_out = timed_out;
    m_failure.interrupt_status = status;
    m_failure.status = static_cast<uint8_t>(tfd.get<Tfd::Status>());
    m_failure.error = static_cast<uint8_t>(tfd.get<Tfd::Error>());
    // After a timeout the device may still be working on the command: only a link reset makes
    // sure it is dropped.
    (void)recover(timed_out ? Recovery::ResetLink : Recovery::Restart);
    return base::Error(D_IO_ERROR, timed_out ? "the command did not complete in time" : "the device reported an error");
}

} // namespace rumpdisk::ahci
