// The acpi port: acpi.defs.
#include "service.h"

#include "pciaccess/pciaccess.h"
#include "power.h"
#include "runtime/console.h"
#include "runtime/runtime.h"

extern "C" {
#include "acpi_S.h"
boolean_t acpi_server(mach_msg_header_t*, mach_msg_header_t*);
}

namespace acpi_link {

namespace {

// PCI configuration space: the interrupt line register.
constexpr uint16_t interrupt_line = 0x3c;
constexpr int rb_autoboot = 0; // GNU Mach's host_reboot flags: 0 reboots

} // namespace

base::Result<void> Service::serve(runtime::Server& server)
{
    m_port = TRY(runtime::ServedPort::create(server, service_port, *this));
    server.add_demux(acpi_server);
    return {};
}

base::Result<runtime::SendRight> Service::open(base::StringView, dev_mode_t)
{
    return m_port.make_send();
}

kern_return_t Service::sleep(int state)
{
    if (state != 5) {
        runtime::report("acpi_sleep({}) refused: only S5 (power-off) is supported", state);
        return KERN_INVALID_ARGUMENT;
    }
    if (!m_platform.has_fadt || !m_platform.has_s5) {
        runtime::report("acpi_sleep(5) refused: {}", m_platform.has_fadt ? "no \\_S5 package" : "no FADT");
        return KERN_FAILURE;
    }
    runtime::println("acpi: entering S5 (SLP_TYPa {}, SLP_TYPb {})", m_platform.s5.a, m_platform.s5.b);
    runtime::console().flush();
    auto off = enter_s5(m_platform.fadt, m_platform.s5);
    runtime::report("power-off through ACPI failed: {}", off.error());
    return KERN_FAILURE;
}

kern_return_t Service::reset()
{
    runtime::println("acpi: reset");
    runtime::console().flush();
    if (m_platform.has_fadt) {
        auto r = acpi_link::reset(m_platform.fadt);
        runtime::report("{}; the kernel reboots instead", r.error());
    } else {
        runtime::report("no FADT: the kernel reboots instead");
    }
    auto host = runtime::privileged_ports().host_priv;
    if (!MACH_PORT_VALID(host))
        return KERN_FAILURE;
    return host_reboot(host, rb_autoboot);
}

kern_return_t Service::pci_irq(int bus, int device, int function, int* irq)
{
    if (bus < 0 || bus > 255 || device < 0 || device > 31 || function < 0 || function > 7)
        return KERN_INVALID_ARGUMENT;
    auto pci = pciaccess::Bus::open(pciaccess::Bus::Access::ReadOnly);
    if (pci.is_error())
        return D_INVALID_OPERATION;
    pci::Address address { static_cast<uint8_t>(bus), static_cast<uint8_t>(device), static_cast<uint8_t>(function) };
    auto f = pci.value().open(address);
    if (f.is_error())
        return f.error().code();
    auto line = f.value().read8(interrupt_line);
    if (line.is_error())
        return line.error().code();
    // 0xff: no line is connected; with the kernel's 8259 PIC the firmware's line is the route.
    if (line.value() == 0xff)
        return D_INVALID_OPERATION;
    *irq = line.value();
    return KERN_SUCCESS;
}

} // namespace acpi_link

namespace {

template<typename F> kern_return_t on_port(mach_port_t port, F call)
{
    acpi_link::Service* s = runtime::served(port, acpi_link::service_port);
    return s ? call(*s) : KERN_INVALID_ARGUMENT;
}

} // namespace

extern "C" {

kern_return_t S_acpi_sleep(acpi_t master, int state)
{
    return on_port(master, [&](acpi_link::Service& s) { return s.sleep(state); });
}

kern_return_t S_acpi_get_pci_irq(acpi_t master, int bus, int dev, int func, int* irq)
{
    return on_port(master, [&](acpi_link::Service& s) { return s.pci_irq(bus, dev, func, irq); });
}

kern_return_t S_acpi_reset(acpi_t master)
{
    return on_port(master, [&](acpi_link::Service& s) { return s.reset(); });
}
}
