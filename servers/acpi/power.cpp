// S5 and reset through the FADT's registers.
#include "power.h"

#include "acpi/layout.h"
#include "runtime/console.h"
#include "runtime/hardware.h"
#include "runtime/io.h"
#include "runtime/msg.h"
#include "runtime/runtime.h"

namespace acpi_link {

namespace {

namespace C = acpi::layout::pm1_control;

// The specification gives firmware no deadline for the hand-over to ACPI mode; real firmware
// takes milliseconds. Three seconds is far beyond that and still ends a broken wait.
constexpr uint64_t acpi_enable_bound_ms = 3000;
// How long the machine has to go off or reset once told to.
constexpr unsigned settle_ms = 2000;

base::Result<void> enable_acpi_mode(const acpi::Fadt& f)
{
    uint16_t pm1a = static_cast<uint16_t>(f.pm1a_control);
    if (runtime::in16(pm1a) & C::sci_enable)
        return {};
    if (f.smi_command == 0 || f.acpi_enable == 0)
        return base::Error(KERN_FAILURE, "SCI_EN is clear and the FADT gives no way to enter ACPI mode");
    runtime::out8(static_cast<uint16_t>(f.smi_command), f.acpi_enable);
    runtime::PollBound bound(acpi_enable_bound_ms);
    while (!(runtime::in16(pm1a) & C::sci_enable)) {
        if (bound.expired())
            return base::Error(KERN_TIMEDOUT, "SCI_EN still clear 3 s after ACPI_ENABLE");
        bound.pause();
    }
    return {};
}

void write_sleep(uint32_t port, uint8_t type)
{
    uint16_t p = static_cast<uint16_t>(port);
    uint16_t value = static_cast<uint16_t>(runtime::in16(p) & ~(C::sleep_type_mask | C::sleep_enable));
    value = static_cast<uint16_t>(value | ((type << C::sleep_type_shift) & C::sleep_type_mask));
    // SLP_TYP first, then SLP_EN with it: some chipsets latch the type only before the enable.
    runtime::out16(p, value);
    runtime::out16(p, static_cast<uint16_t>(value | C::sleep_enable));
}

} // namespace

base::Result<void> enter_s5(const acpi::Fadt& f, acpi::SleepType s5)
{
    if (f.pm1a_control == 0 || f.pm1a_control > 0xffff)
        return base::Error(KERN_FAILURE, "the FADT has no PM1a control port");
    auto enabled = enable_acpi_mode(f);
    if (enabled.is_error())
        runtime::report("{}; writing SLP_EN anyway", enabled.error());
    write_sleep(f.pm1a_control, s5.a);
    if (f.pm1b_control != 0 && f.pm1b_control <= 0xffff)
        write_sleep(f.pm1b_control, s5.b);
    runtime::sleep_ms(settle_ms);
    return base::Error(KERN_FAILURE, "the machine is still on 2 s after SLP_EN");
}

base::Result<void> reset(const acpi::Fadt& f)
{
    if (!f.has_reset)
        return base::Error(KERN_FAILURE, "the FADT has no reset register");
    if (f.reset.space != acpi::layout::gas::space_io)
        return base::Error(KERN_FAILURE, "the FADT's reset register is not in I/O space");
    runtime::out8(static_cast<uint16_t>(f.reset.address), f.reset_value);
    runtime::sleep_ms(settle_ms);
    return base::Error(KERN_FAILURE, "the machine did not reset 2 s after the reset register was written");
}

} // namespace acpi_link
