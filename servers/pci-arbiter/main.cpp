// pci-arbiter, the first link of the chain: it owns PCI configuration space. It takes I/O
// permission for the mechanism #1 ports from the kernel, finds every function (following
// bridges), sizes their regions, and serves "pci" to the links below: the root port lists the
// functions and hands out a port per function, on which the Hurd's pci.defs is served. It grants
// the disk server the memory, I/O ports and interrupt lines of the mass-storage controllers, and
// nothing else of the machine; when acpi is the next link, acpi gets its tables and ports and the
// disk server below it its controllers, each on its own device master (grants.h).
#include "acpi/mapped_memory.h"
#include "acpi/needs.h"
#include "arbiter.h"
#include "base/options.h"
#include "chain/link.h"
#include "grants.h"
#include "mechanism1.h"
#include "pci/config_layout.h"
#include "pci/listing.h"
#include "runtime/console.h"
#include "runtime/io.h"

namespace {

void print_listing(const pci::FunctionTable& functions)
{
    for (const pci::Function& f : functions) {
        base::BufferSink<160> line;
        pci::format_function_line(line, f);
        runtime::report("{}", line.view());
        for (unsigned i = 0; i < pci::max_bars; ++i) {
            if (!f.regions.bars[i].present())
                continue;
            line.clear();
            pci::format_bar_line(line, f, i);
            runtime::report("{}", line.view());
        }
        if (f.regions.rom.present()) {
            line.clear();
            pci::format_rom_line(line, f);
            runtime::report("{}", line.view());
        }
    }
}

// Static: the function table and its ports are large for a stack, and live as long as the task.
pci_arbiter::Mechanism1 mechanism1;
pci_arbiter::Arbiter the_arbiter { mechanism1, pci_arbiter::is_granted };
pci_arbiter::Grants disk_grants;
pci_arbiter::Grants acpi_grants;
pci_arbiter::ReadOnlyPci read_only_pci { the_arbiter };
acpi::Platform acpi_platform;

// The acpi link below reads the firmware's tables and writes the FADT's ports: the arbiter finds
// them the same way (it holds the kernel's "mem") and grants acpi exactly those, on the device
// master it hands down, with "pci" read-only. What the disk server below acpi needs goes on the
// relay, where acpi forwards rumpdisk's requests.
base::Result<void> grant_acpi(chain::Link& link)
{
    acpi::MappedMemory memory;
    acpi::discover(memory, acpi_platform);
    acpi::Needs needs = acpi::needs(acpi_platform);
    TRY(acpi_grants.grant_platform(needs, link.server()));
    TRY(link.serve_relay());
    link.add_provider(read_only_pci);
    link.add_provider(acpi_grants);
    link.set_device_ports(acpi_grants);
    link.set_io_grants(acpi_grants);
    runtime::report("granted acpi {} memory ranges and {} port ranges; the disk controllers go to the link below it",
        needs.memory_count, needs.port_count);
    return {};
}

// When rumpdisk dies, its controllers stop DMA into memory that is no longer its.
struct StopDma final : chain::DeathHook {
    void next_link_died() override
    {
        size_t stopped = the_arbiter.stop_bus_mastering();
        runtime::report("bus mastering stopped on {} {} until the disk server sets {} up again", stopped,
            stopped == 1 ? "controller" : "controllers", stopped == 1 ? "it" : "them");
    }
} stop_dma;

} // namespace

int module_main(int argc, char** argv)
{
    base::OptionParser options("pci-arbiter");
    bool list = false;
    options.add_flag("list", list, "print every function and its regions at start");
    auto& link = chain::link();
    auto started = link.start(argc, argv, { "pci-arbiter", "disk-server-task" }, options);
    if (started.is_error())
        link.fail("{}", started.error());

    auto ports = runtime::request_io_ports(pci::config::mechanism1::address_port, pci::config::mechanism1::last_port);
    if (ports.is_error())
        link.fail("no access to the PCI configuration ports: {}", ports.error());
    if (!mechanism1.present())
        link.fail("the host bridge does not answer configuration mechanism #1 at {:#x}",
            pci::config::mechanism1::address_port);

    pci::EnumerationReport report = the_arbiter.enumerate();
    runtime::report("{} functions on {} {}", the_arbiter.functions().size(), report.buses_scanned,
        report.buses_scanned == 1 ? "bus" : "buses");
    if (report.status != pci::Status::Ok)
        runtime::report("only the first {} functions are served: {}", the_arbiter.functions().size(), report.status);
    if (report.unnumbered_bridges)
        runtime::report(
            "{} bridges have no secondary bus number; what is behind them is not served", report.unnumbered_bridges);
    if (report.repeated_buses)
        runtime::report("{} bridges lead to a bus already scanned; ignored", report.repeated_buses);
    if (list)
        print_listing(the_arbiter.functions());

    auto served = the_arbiter.serve_on(link.server());
    if (served.is_error())
        link.fail("cannot serve the functions' ports: {}", served.error());
    // What the disk server may use of the hardware: the mass-storage controllers'. It is the next
    // link, or the one below acpi, which gets a share of its own.
    auto granted = disk_grants.grant(the_arbiter.functions(), link.server());
    if (granted.is_error())
        link.fail("cannot serve the granted devices: {}", granted.error());
    chain::Holder disk_server = chain::Holder::NextLink;
    if (link.next_name() == "acpi") {
        auto acpi = grant_acpi(link);
        if (acpi.is_error())
            link.fail("cannot serve acpi's share: {}", acpi.error());
        disk_server = chain::Holder::BelowNextLink;
    }
    link.add_provider(the_arbiter, disk_server);
    link.add_provider(disk_grants, disk_server);
    link.set_device_ports(disk_grants, disk_server);
    link.set_io_grants(disk_grants, disk_server);
    link.next().set_death_hook(stop_dma);
    link.run();
}
