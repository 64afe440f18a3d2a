// What the acpi link serves: the device name "acpi" on its port, answering the Hurd's acpi.defs
// (acpi_sleep, acpi_get_pci_irq) and the project's acpi_reset; and the I/O ports it forwards
// down, which are never its own.
#pragma once

#include "acpi/needs.h"
#include "acpi/tables.h"
#include "chain/link.h"
#include "runtime/port_objects.h"

namespace acpi_link {

class Service final : public chain::DeviceProvider, public chain::IoGrants, public runtime::PortObject {
public:
    Service(const acpi::Platform& platform, const acpi::Needs& needs)
        : m_platform(platform)
        , m_needs(needs)
    {
    }

    // Makes the served port and adds acpi.defs to the server.
    base::Result<void> serve(runtime::Server&);

    // chain::DeviceProvider: "acpi".
    bool owns(base::StringView name) const override { return name == "acpi"; }
    base::Result<runtime::SendRight> open(base::StringView name, dev_mode_t mode) override;

    // chain::IoGrants: every range but the FADT's ports goes on to the link above's relay,
    // which checks it against rumpdisk's share; the FADT's ports stay with this link (also
    // under a link above that gives no relay).
    bool allows(uint16_t from, uint16_t to) const override { return !m_needs.overlaps_ports(from, to); }

    // The routines, for the MIG entry points.
    kern_return_t sleep(int state);
    kern_return_t pci_irq(int bus, int device, int function, int* irq);
    kern_return_t reset();

private:
    const acpi::Platform& m_platform;
    const acpi::Needs& m_needs;
    runtime::ServedPort m_port;
};

inline constexpr runtime::PortKind<Service> service_port { "the acpi port" };

} // namespace acpi_link
