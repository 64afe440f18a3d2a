// One AHCI HBA: its registers (ABAR, BAR5), its bring-up (BIOS/OS hand-off, reset, AHCI mode),
// and how a waiting command learns that something happened: an interrupt notification from the
// kernel where the line delivers them, else polling.
#pragma once

#include <stdint.h>

#include "ahci/ahci_layout.h"
#include "ahci/allocate.h"
#include "ahci/interrupt.h"
#include "base/result.h"
#include "pci/function.h"
#include "pciaccess/pciaccess.h"
#include "runtime/hardware.h"

namespace rumpdisk::ahci {

enum class Completion { interrupt, polling };

using HbaRegisters = base::RegisterSpace<reg::HbaSpace, mach::MmioRegion::Access>;
using PortRegisters = base::RegisterSpace<reg::PortSpace, mach::MmioRegion::Access>;

class Controller {
public:
    // Enables the function (memory space, bus mastering, INTx), maps its registers, takes the
    // HBA from the firmware and resets it into AHCI mode. The interrupt line is attached but the
    // HBA's interrupts stay off until enable_interrupts().
    static base::Result<Controller*> bring_up(const pci::Function&, pciaccess::Device);

    pci::Address address() const { return m_address; }
    uint32_t implemented_ports() const { return m_ports_implemented; }
    base::RegisterValue<reg::Cap> capabilities() const { return m_capabilities; }
    uint32_t version() const { return m_version; }

    const HbaRegisters& registers() const { return m_registers; }
    PortRegisters port_registers(unsigned port) const { return PortRegisters(m_mapping.access(reg::port_base(port))); }

    void enable_interrupts();
    Completion completion() const { return m_line_valid ? Completion::interrupt : Completion::polling; }
    unsigned irq() const { return m_line.irq(); }

    // Waits until something may have happened on the HBA, `remaining_ms` at most: for an interrupt
    // notification where interrupts work (true when one came), else a yield of the processor
    // (polling; false).
    bool wait_for_event(unsigned remaining_ms);
    // Returns the interrupt status of `port` and clears it, clears whatever else is pending on the
    // HBA, and acknowledges the notifications received meanwhile.
    uint32_t collect(unsigned port);
    // Notifications received so far: a command notes the count when it is issued.
    uint64_t notifications() const { return m_line.notifications(); }
    // At the end of a command: takes the notifications already queued, so that the next command
    // starts with the line unmasked, and judges whether interrupts really arrive: a command that
    // waited out a slice and saw no notification at all since `issued_at` (notifications() when
    // it was issued) counts as one missed.
    void finish_command(unsigned port, bool waited_out, uint64_t issued_at);
    // After the first commands: if no notification ever came, falls back to polling.
    void verify_interrupts();

private:
    template<typename T, typename... Args> friend T* create(Args&&...);
    Controller() = default;
    base::Result<void> take_from_firmware();
    base::Result<void> reset();
    void fall_back_to_polling(const char* why);

    pci::Address m_address;
    mach::MmioRegion m_mapping;
    HbaRegisters m_registers;
    base::RegisterValue<reg::Cap> m_capabilities;
    uint32_t m_ports_implemented = 0;
    uint32_t m_version = 0;
    InterruptLine m_line;
    bool m_line_valid = false;
    unsigned m_missed_in_a_row = 0;
};

} // namespace rumpdisk::ahci
