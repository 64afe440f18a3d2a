// AHCI HBA bring-up and the wait for events (AHCI 1.3 §10.1, §10.6).
#include "ahci/controller.h"

#include "runtime/clock.h"
#include "runtime/console.h"
#include "runtime/mach.h"
#include "runtime/msg.h"

namespace rumpdisk::ahci {

namespace {

constexpr unsigned abar = 5;
// The firmware may take up to 25 ms to give the HBA up, 2 s when it says it is busy (§10.6.3).
constexpr unsigned handoff_ms = 25;
constexpr unsigned handoff_busy_ms = 2000;
constexpr unsigned reset_ms = 1000; // GHC.HR must clear within 1 s (§10.4.3)

} // namespace

base::Result<Controller*> Controller::bring_up(const pci::Function& function, pciaccess::Device device)
{
    // From the function itself: the arbiter's listing carries identity only.
    namespace config = pci::config;
    using config::Command;
    uint8_t interrupt_pin = TRY(device.read8(config::InterruptPin::offset));
    uint8_t interrupt_line = TRY(device.read8(config::InterruptLine::offset));
    auto command = base::RegisterValue<Command>(TRY(device.read16(Command::offset)));
    command.set<Command::MemorySpace>(1).set<Command::BusMaster>(1).set<Command::InterruptDisable>(0);
    TRY(device.write16(Command::offset, command.word()));

    pci::Regions regions = TRY(device.regions());
    const pci::Region& bar = regions.bars[abar];
    if (bar.kind != pci::RegionKind::Memory || bar.size < reg::port_first + reg::port_stride)
        return base::Error(D_NO_SUCH_DEVICE, "BAR5 (ABAR) is not a memory region large enough for AHCI");

    // Freed on the way out should the bring-up fail.
    auto controller = TRY(base::create<Controller>());
    Controller& c = *controller;
    c.m_address = function.address;
    c.m_mapping = TRY(runtime::MmioRegion::map(bar.base, static_cast<size_t>(bar.size)));
    c.m_registers = HbaRegisters(c.m_mapping.access());

    // A function that decodes nothing reads all ones.
    if (c.m_registers.read<reg::Cap>().word() == 0xffffffff && c.m_registers.read<reg::Ghc>().word() == 0xffffffff)
        return base::Error(D_DEVICE_DOWN, "the AHCI registers read all ones: the controller does not answer");
    TRY(c.take_from_firmware());
    TRY(c.reset());

    // Only a function that raises INTx and whose line the firmware routed to a PIC input can use
    // the kernel's irq device (this kernel runs the 8259 PIC: lines 0-15).
    if (interrupt_pin != 0 && interrupt_line > 0 && interrupt_line < 16) {
        auto line = runtime::InterruptLine::attach(interrupt_line);
        if (line.is_error())
            runtime::report("ahci {}: no interrupts ({}), polling", c.m_address, line.error());
        else
            c.m_line = line.release_value();
    } else {
        runtime::report(
            "ahci {}: no interrupt line (pin {}, line {}), polling", c.m_address, interrupt_pin, interrupt_line);
    }
    return controller.leak();
}

base::Result<void> Controller::take_from_firmware()
{
    auto& r = m_registers;
    if (!r.read<reg::Cap2::BiosHandoff>())
        return {};
    r.write<reg::Bohc::OsOwned>(1);
    if (!r.wait_for<reg::Bohc::BiosOwned>(0, runtime::PollBound(handoff_ms)).is_error())
        return {};
    if (r.read<reg::Bohc::BiosBusy>()
        && !r.wait_for<reg::Bohc::BiosOwned>(0, runtime::PollBound(handoff_busy_ms)).is_error())
        return {};
    return base::Error(D_DEVICE_DOWN, "the firmware does not give the AHCI controller up (BOHC.BOS stays set)");
}

base::Result<void> Controller::reset()
{
    // AHCI mode first: on controllers that also speak legacy IDE the other registers mean nothing
    // until GHC.AE is set.
    auto& r = m_registers;
    r.write<reg::Ghc::AhciEnable>(1);
    // The reset leaves every port idle with its link renegotiated, whatever the firmware left
    // running (SeaBIOS boots from this controller).
    r.write<reg::Ghc::Reset>(1);
    if (r.wait_for<reg::Ghc::Reset>(0, runtime::PollBound(reset_ms)).is_error())
        return base::Error(D_DEVICE_DOWN, "the AHCI controller does not finish its reset (GHC.HR stays set)");
    r.write<reg::Ghc>(base::RegisterValue<reg::Ghc>().set<reg::Ghc::AhciEnable>(1));
    m_capabilities = r.read<reg::Cap>();
    m_ports_implemented = r.read<reg::Pi>().word();
    m_version = r.read<reg::Vs>().word();
    if (m_ports_implemented == 0)
        return base::Error(D_NO_SUCH_DEVICE, "the AHCI controller implements no ports");
    return {};
}

void Controller::enable_interrupts()
{
    m_registers.write<reg::Is>(m_registers.read<reg::Is>());
    if (m_line.active()) {
        m_registers.write<reg::Ghc::InterruptEnable>(1);
        m_interrupts_enabled = true;
    }
}

void Controller::disable_interrupts()
{
    if (!m_interrupts_enabled)
        return;
    m_registers.write<reg::Ghc::InterruptEnable>(0);
    m_interrupts_enabled = false;
}

Woken Controller::wait_for_event(unsigned remaining_ms)
{
    if (!m_line.active()) {
        swtch_pri(0);
        return Woken::Yielded;
    }
    // Never a zero timeout: that would be a look, and the caller looks after every wake-up.
    auto woken = m_line.wait(remaining_ms > 0 ? remaining_ms : 1);
    return woken == runtime::InterruptLine::Wake::Notified ? Woken::Notified : Woken::Silent;
}

uint32_t Controller::collect(unsigned port)
{
    // Port status first, then the HBA's summary of it, else the summary is set again at once.
    uint32_t status = port_registers(port).read<reg::port::Is>().word();
    if (status)
        port_registers(port).write<reg::port::Is>(status);
    uint32_t pending = m_registers.read<reg::Is>().word();
    // Only one command runs at a time, so any other port's status is a stray event (a link
    // change); cleared so that it does not hold the line.
    for (unsigned p = 0; p < reg::max_ports; ++p) {
        if (p == port || !(pending & (1u << p)))
            continue;
        PortRegisters other = port_registers(p);
        other.write<reg::port::Is>(other.read<reg::port::Is>());
    }
    if (pending)
        m_registers.write<reg::Is>(pending);
    m_line.acknowledge();
    return status;
}

void Controller::finish_command()
{
    if (!m_line.active()) {
        disable_interrupts();
        return;
    }
    if (!m_line.end_wait(runtime::InterruptLine::Queued::Leave))
        disable_interrupts();
}

void Controller::verify_interrupts()
{
    if (!m_waited)
        return;
    if (!m_line.verify())
        disable_interrupts();
}

} // namespace rumpdisk::ahci
