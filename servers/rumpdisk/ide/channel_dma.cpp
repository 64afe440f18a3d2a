// Bus-master DMA on an IDE channel, through the channel's bounce buffer and PRD table.
#include "ide/channel.h"

#include "ata/ide_prd.h"
#include "ide/channel_internal.h"
#include "runtime/console.h"
#include "runtime/msg.h"

namespace rumpdisk::ide {

using namespace layout;
using namespace channel_internal;
using ata::ide::Direction;
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
        runtime::report(
            "ide {}: the bus-master engine reports an error (status {:#04x})", m_name, engine_status.word());
        m_last_failure = Failure::Engine;
        return base::Error(D_IO_ERROR, "the DMA engine reported an error");
    }
    if (status & (busy | drq))
        return protocol_error("the device is not done after its DMA interrupt");
    return {};
}

} // namespace rumpdisk::ide
