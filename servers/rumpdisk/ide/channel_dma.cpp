// Bus-master DMA on an IDE channel, through the channel's bounce buffer and PRD table.
#include "ide/channel.h"

#include "ata/ide_completion.h"
#include "ata/ide_prd.h"
#include "ide/channel_internal.h"
#include "runtime/console.h"
#include "runtime/msg.h"

namespace rumpdisk::ide {

using namespace layout;
using namespace channel_internal;
using ata::ide::Direction;
using ata::ide::DmaState;
using ata::ide::Registers;
using ata::ide::Settled;

namespace {

// The CPU's stores to DMA memory happen before the engine starts, and its loads after it
// stopped: the port accesses themselves are ordered on x86, the compiler is told here.
void memory_barrier()
{
    asm volatile("" ::: "memory");
}

} // namespace

void Channel::stop_dma()
{
    if (!m_ports.bus_master)
        return;
    m_bus_master.write<BusMasterCommand>(0);
    m_engine_command = {};
    m_bus_master.write<BusMasterStatus>(m_bus_master.read<BusMasterStatus>());
}

base::Result<void> Channel::enable_dma(uint32_t bounce_bytes)
{
    if (!m_ports.bus_master)
        return base::Error(D_NO_SUCH_DEVICE, "the controller has no bus-master registers");
    if (dma_enabled())
        return {};
    m_prd_table = TRY(runtime::DmaBuffer::allocate(0x1000));
    m_bounce = TRY(runtime::DmaBuffer::allocate(bounce_bytes));
    // Writing ones clears the interrupt and error bits; the drive-capable bits keep the value
    // written.
    m_engine_clear = base::RegisterValue<BusMasterStatus>(m_bus_master.read<BusMasterStatus>().word()
        & (BusMasterStatus::Drive0DmaCapable::mask | BusMasterStatus::Drive1DmaCapable::mask))
                         .set<BusMasterStatus::Interrupt>(1)
                         .set<BusMasterStatus::Error>(1);
    return {};
}

namespace {

ata::ide::EngineStatus engine_bits(base::RegisterValue<BusMasterStatus> e)
{
    ata::ide::EngineStatus seen;
    seen.active = e.has<BusMasterStatus::Active>();
    seen.error = e.has<BusMasterStatus::Error>();
    seen.interrupt = e.has<BusMasterStatus::Interrupt>();
    return seen;
}

bool device_done(uint8_t status)
{
    return !(status & (busy | drq));
}

} // namespace

base::Result<void> Channel::dma(Position p, const Registers& r, Direction direction, uint32_t bytes,
    const ata::ide::PhysicalRun* runs, size_t run_count)
{
    if (!dma_enabled())
        return base::Error(D_INVALID_OPERATION, "DMA is not enabled on this channel");
    auto* table = static_cast<ata::ide::PrdEntry*>(m_prd_table.data());
    size_t capacity = m_prd_table.size() / sizeof *table;
    if (runs) {
        auto filled = TRY(ata::ide::build_prd_table(runs, run_count, table, capacity));
        // A table longer or shorter than the command would end the transfer wrong (judge_dma).
        if (filled.bytes != bytes)
            return base::Error(D_INVALID_SIZE, "the reply's memory and the DMA transfer differ in length");
    } else {
        if (bytes > m_bounce.size())
            return base::Error(D_INVALID_SIZE, "a DMA transfer larger than the bounce buffer");
        TRY(ata::ide::build_prd_table(m_bounce.physical(), bytes, table, capacity));
    }
    memory_barrier();

    auto& engine = m_bus_master;
    auto command
        = base::RegisterValue<BusMasterCommand>().set<BusMasterCommand::ToMemory>(direction == Direction::Read);
    begin_quiet_command();
    TRY(select(p, r.device));
    // The direction is set while the engine is stopped (it always is between commands).
    if (command.word() != m_engine_command.word()) {
        engine.write(command);
        m_engine_command = command;
    }
    if (!m_prd_loaded) {
        engine.write<PrdTable>(static_cast<uint32_t>(m_prd_table.physical()));
        m_prd_loaded = true;
    }
    engine.write(m_engine_clear);
    write_registers(r);
    m_command_block.write<layout::Command>(r.command);
    engine.write(command.set<BusMasterCommand::Start>(1));
    command.set<BusMasterCommand::Start>(0);

    // Each look reads the engine first, then the device: the transfer may end between the two
    // reads, and only in this order does that look like a transfer still running (the other
    // would show a device still offering data to an engine already idle). The look that ends the
    // wait decides, judged as lib/ata does; a device seen done once with the engine still active
    // (and no interrupt latched) is a short transfer at the next look.
    DmaState state = DmaState::Running;
    base::RegisterValue<BusMasterStatus> engine_status;
    bool settled = false;
    auto judge = [&state, &engine_status, &settled](base::RegisterValue<BusMasterStatus> e, uint8_t status) {
        engine_status = e;
        state = ata::ide::judge_dma(status, engine_bits(e), settled ? Settled::Yes : Settled::No);
        settled = settled || device_done(status);
        return state != DmaState::Running;
    };
    // QEMU often completes a transfer within the write that starts the engine. The device's
    // interrupt is off for the first look, so that a transfer it finds complete costs no
    // interrupt, notification or acknowledgement (an RPC through the arbiter); the status
    // register's read is the look. Only when the transfer is still running does the wait turn the
    // interrupt on and use the line.
    auto first = engine.read<BusMasterStatus>();
    uint8_t status = take_status();
    if (!judge(first, status)) {
        await_interrupt();
        auto done = wait_on_engine(
            [this, &judge](base::RegisterValue<BusMasterStatus> e) { return judge(e, alternate_status()); },
            Wake::Interrupt, command_timeout_ms, "waiting for a DMA transfer");
        if (done.is_error())
            return done.error();
        status = done.value();
    }
    // Stopped, the engine keeps its direction for the next command; its status bits are cleared
    // before that one starts.
    engine.write(command);
    memory_barrier();
    switch (state) {
    case DmaState::Complete:
        return {};
    case DmaState::DeviceFailed:
        return device_error(status);
    case DmaState::EngineFailed:
        runtime::report(
            "ide {}: the bus-master engine reports an error (status {:#04x})", m_name, engine_status.word());
        m_last_failure = Failure::Engine;
        if (status & (busy | drq))
            (void)reset();
        return base::Error(D_IO_ERROR, "the DMA engine reported an error");
    case DmaState::Short:
        runtime::report("ide {}: the device ended a DMA transfer of {} bytes before its PRD table was used up "
                        "(status {:#04x}, bus-master status {:#04x})",
            m_name, bytes, status, engine_status.word());
        m_last_failure = Failure::Short;
        return base::Error(D_IO_ERROR, "the device moved fewer bytes than the DMA transfer asked for");
    case DmaState::TableExhausted:
        return protocol_error("the device has more data than the DMA transfer asked for");
    case DmaState::NotDone:
    case DmaState::Running:
        break;
    }
    return protocol_error("the device is not done after its DMA interrupt");
}

} // namespace rumpdisk::ide
