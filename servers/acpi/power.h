// Turning the machine off and resetting it through the FADT's fixed hardware, as the ACPI
// specification describes (chapter 4.8 and 16): no AML is run.
//   - Power-off (S5): ACPI mode first if the firmware still owns the hardware (SCI_EN clear: the
//     FADT's ACPI_ENABLE value to its SMI command port, then a bounded wait for SCI_EN), then
//     SLP_TYPa with SLP_EN to PM1a control and SLP_TYPb with SLP_EN to PM1b control, if there is
//     one. The machine is off before the next instruction; returning is the failure.
//   - Reset: RESET_VALUE to the reset register when the FADT has one in I/O space.
// The task must hold I/O permission for the ports (acpi::needs).
#pragma once

#include "acpi/tables.h"
#include "base/result.h"

namespace acpi_link {

// Only returns when the machine did not go off, with why.
base::Result<void> enter_s5(const acpi::Fadt&, acpi::SleepType);
// Only returns when the machine did not reset.
base::Result<void> reset(const acpi::Fadt&);

} // namespace acpi_link
