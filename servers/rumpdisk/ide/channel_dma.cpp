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
using ata::ide::DeviceInterrupt;
using ata::ide::Direction;
using ata::ide::DmaState;
using ata::ide::Registers;

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

    // The look that ended the wait decides: the device's status with the engine's, judged as
    // lib/ata does (a short transfer shows as the engine still active after the interrupt).
    DmaState state = DmaState::Running;
    base::RegisterValue<BusMasterStatus> engine_status;
    auto done = wait(
        [this, &engine, &state, &engine_status](uint8_t s) {
            engine_status = engine.read<BusMasterStatus>();
            ata::ide::EngineStatus seen;
            seen.active = engine_status.has<BusMasterStatus::Active>();
            seen.error = engine_status.has<BusMasterStatus::Error>();
            seen.interrupt = engine_status.has<BusMasterStatus::Interrupt>();
            state = ata::ide::judge_dma(s, seen,
                m_control.has<DeviceControl::InterruptsDisabled>() ? DeviceInterrupt::Disabled
                                                                   : DeviceInterrupt::Enabled);
            return state != DmaState::Running;
        },
        Wake::Interrupt, command_timeout_ms, "waiting for a DMA transfer");
    if (done.is_error())
        return done.error();
    uint8_t status = done.value();
    engine.write(command);
    auto cleared = engine_status;
    engine.write(cleared.set<BusMasterStatus::Interrupt>(1).set<BusMasterStatus::Error>(1));
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
