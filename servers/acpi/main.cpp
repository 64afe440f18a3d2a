// acpi, the link between pci-arbiter and rumpdisk in the Hurd's five-link chain. It reads the
// ACPI tables (lib/acpi) through the "mem" device the arbiter grants it for their ranges only,
// prints one line per table, and serves "acpi" to the links below (what else they ask goes to
// the arbiter's relay, which grants them the disk controllers, chain/link.h): acpi_sleep(5) powers the
// machine off through the FADT's PM1 control ports, acpi_get_pci_irq answers a function's
// interrupt line through the arbiter, and acpi_reset resets through the FADT's reset register.
// Missing or corrupt tables give a sentence each, and the link serves what it can: a chain that
// boots never depends on its firmware's tables being right.
#include "acpi/mapped_memory.h"
#include "acpi/needs.h"
#include "acpi/tables.h"
#include "base/options.h"
#include "chain/link.h"
#include "runtime/console.h"
#include "runtime/io.h"
#include "runtime/power.h"
#include "service.h"

namespace {

// Static: the platform is a few KiB and lives as long as the task.
acpi::Platform platform;
acpi::Needs needs;
acpi_link::Service service { platform, needs };

void print_tables()
{
    if (platform.has_rsdp)
        runtime::report("RSDP at {:#x}, revision {}, OEM '{}'", platform.rsdp_address, platform.rsdp_revision,
            platform.rsdp_oem_id);
    for (size_t i = 0; i < platform.table_count; ++i) {
        const acpi::TableInfo& t = platform.tables[i];
        runtime::report("{} at {:#x}, {} bytes, OEM '{}'{}", t.signature, t.address, t.length, t.oem_id,
            t.valid ? "" : " (not used)");
    }
    for (size_t i = 0; i < platform.finding_count; ++i)
        runtime::report("{}", platform.findings[i]);
    if (platform.findings_dropped)
        runtime::report("{} more defects not listed", platform.findings_dropped);
    if (platform.has_fadt) {
        const acpi::Fadt& f = platform.fadt;
        runtime::report(
            "FADT revision {}: PM1a control {:#x}, PM1b control {:#x}, SMI command {:#x}, reset register {}",
            f.revision, f.pm1a_control, f.pm1b_control, f.smi_command, f.has_reset ? "yes" : "none");
    }
    if (platform.has_s5)
        runtime::report("\\_S5: SLP_TYPa {}, SLP_TYPb {}", platform.s5.a, platform.s5.b);
}

} // namespace

int module_main(int argc, char** argv)
{
    base::OptionParser options("acpi");
    auto& link = chain::link();
    auto started = link.start(argc, argv, { "acpi", "disk-server-task" }, options);
    if (started.is_error())
        link.fail("{}", started.error());

    acpi::MappedMemory memory;
    acpi::discover(memory, platform);
    needs = acpi::needs(platform);
    print_tables();
    // The FADT's ports: a port that cannot be had is a sentence, and acpi_sleep says it failed.
    for (size_t i = 0; i < needs.port_count; ++i) {
        auto ports = runtime::request_io_ports(needs.ports[i].first, needs.ports[i].last);
        if (ports.is_error())
            runtime::report("no I/O permission for ports {:#x}-{:#x}: {}", needs.ports[i].first, needs.ports[i].last,
                ports.error());
    }

    // This link's own failure powers off through its own tables.
    runtime::set_power_off_method([] { (void)service.sleep(5); });

    auto served = service.serve(link.server());
    if (served.is_error())
        link.fail("cannot serve the acpi port: {}", served.error());
    link.add_provider(service);
    link.set_io_grants(service);
    link.run();
}
