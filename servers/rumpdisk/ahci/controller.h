// One AHCI HBA: its registers (ABAR, BAR5), its bring-up (BIOS/OS hand-off, reset, AHCI mode),
// and how a waiting command learns that something happened: an interrupt notification from the
// kernel where the line delivers them, else polling.
#pragma once

#include <stdint.h>

#include "ahci/ahci_layout.h"
#include "base/own.h"
#include "base/result.h"
#include "pci/function.h"
#include "pciaccess/pciaccess.h"
#include "runtime/hardware.h"
#include "runtime/interrupt_line.h"

namespace rumpdisk::ahci {

enum class Completion { Interrupt, Polling };
// How a wait for the HBA ended: a notification came, a slice of the line went silent, or (polling)
// the processor was yielded once.
enum class Woken { Notified, Silent, Yielded };

using HbaRegisters = base::RegisterSpace<reg::HbaSpace, runtime::MmioRegion::Access>;
using PortRegisters = base::RegisterSpace<reg::PortSpace, runtime::MmioRegion::Access>;

class Controller {
public:
    // Enables the function (memory space, bus mastering, INTx), maps its registers, takes the
    // HBA from the firmware and resets it into AHCI mode. The interrupt line is attached but the
    // HBA's interrupts stay off until enable_interrupts(). The controller is never freed: its ports
    // and disks refer to it for the server's life.
    static base::Result<Controller*> bring_up(const pci::Function&, pciaccess::Device);

    pci::Address address() const { return m_address; }
    uint32_t implemented_ports() const { return m_ports_implemented; }
    base::RegisterValue<reg::Cap> capabilities() const { return m_capabilities; }
    uint32_t version() const { return m_version; }

    const HbaRegisters& registers() const { return m_registers; }
    PortRegisters port_registers(unsigned port) const { return PortRegisters(m_mapping.access(reg::port_base(port))); }

    void enable_interrupts();
    Completion completion() const { return m_line.active() ? Completion::Interrupt : Completion::Polling; }
    unsigned irq() const { return m_line.irq(); }

    // Before a running command's interrupt is unmasked: the command's wait begins.
    void begin_command()
    {
        m_waited = true;
        m_line.begin_wait();
    }
    // Waits until something may have happened on the HBA, `remaining_ms` and one slice of the line
    // at most: for an interrupt notification where interrupts work, else a yield of the processor.
    Woken wait_for_event(unsigned remaining_ms);
    // The one look at the HBA after a wake-up: returns the interrupt status of `port` and clears it,
    // clears whatever else is pending on the HBA, and then, with the line's condition clear,
    // acknowledges the notifications taken.
    uint32_t collect(unsigned port);
    // At the end of a command that completed, its status collected: lets the line judge whether its
    // interrupt arrived (a late notification stays queued, and costs the next command one more
    // look); polls from now on when the line is given up.
    void finish_command();
    // After the first commands: polls from now on if no notification ever came to a command that
    // waited for one. Commands that all ended within their poll (Port::execute) awaited none, and
    // leave the judgement to the line's count of missed waits.
    void verify_interrupts();

private:
    template<typename T, typename... Args> friend base::Result<base::Own<T>> base::create(Args&&...);
    Controller() = default;
    base::Result<void> take_from_firmware();
    base::Result<void> reset();
    void disable_interrupts();

    pci::Address m_address;
    runtime::MmioRegion m_mapping;
    HbaRegisters m_registers;
    base::RegisterValue<reg::Cap> m_capabilities;
    uint32_t m_ports_implemented = 0;
    uint32_t m_version = 0;
    runtime::InterruptLine m_line; // not attached: polling
    bool m_interrupts_enabled = false; // GHC.IE
    bool m_waited = false; // some command has waited for its interrupt
};

} // namespace rumpdisk::ahci
