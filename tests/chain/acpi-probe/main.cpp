// acpi-probe: a tester in a link's place in the Hurd's five-link chain, for the boot tests of
// what each link holds (tests/chain/test_acpi_grants.py). The arbiter gives acpi and the disk
// server below it a share each (servers/pci-arbiter/grants.h):
//   --place=acpi:      started by the arbiter as "acpi". It reads the ACPI tables through its own
//                      "mem" as acpi does, and must be refused the disk controller's registers,
//                      I/O ports and interrupts; the relay it forwards to carries the controller
//                      and not the tables.
//   --place=rumpdisk:  started by the real acpi in rumpdisk's place. It must get the controller
//                      through acpi and be refused the tables' pages (--table=ADDRESS, as the
//                      first boot printed them: --rsdt, --facp, --dsdt) and the FADT's ports
//                      (--fadt-port=PORT). It asks acpi for the controller's interrupt line
//                      (acpi_get_pci_irq) and compares it with the arbiter's, and for functions
//                      that are not there.
// It prints one line per failed check and a summary, then powers off with status 0 when every
// check passed and 1 otherwise.
#include "acpi/mapped_memory.h"
#include "acpi/tables.h"
#include "base/options.h"
#include "chain/link.h"
#include "pci/config_layout.h"
#include "pciaccess/pciaccess.h"
#include "runtime/console.h"
#include "runtime/power.h"
#include "runtime/runtime.h"

extern "C" {
#include "acpi_U.h"
}

namespace {

unsigned checks;
unsigned failures;

void check(bool ok, base::StringView what)
{
    ++checks;
    if (!ok) {
        ++failures;
        runtime::report("FAIL {}", what);
    }
}

void check_code(kern_return_t got, kern_return_t want, base::StringView what)
{
    ++checks;
    if (got != want) {
        ++failures;
        runtime::report("FAIL {}: got {}, want {}", what, base::Status { got }, base::Status { want });
    }
}

// The disk controller as the arbiter lists it, with its first memory and I/O BARs.
struct Controller {
    pci::Function function;
    pci::Region memory;
    pci::Region io;
};

Controller find_controller()
{
    Controller c {};
    auto bus = pciaccess::Bus::open(pciaccess::Bus::Access::ReadOnly);
    if (bus.is_error())
        chain::link().fail("cannot reach the PCI arbiter: {}", bus.error());
    static pci::FunctionTable functions;
    auto listed = bus.value().list(functions);
    if (listed.is_error())
        chain::link().fail("{}", listed.error());
    for (const pci::Function& f : functions) {
        if (f.class_code.base != pci::classes::mass_storage)
            continue;
        c.function = f;
        auto device = bus.value().open(f.address);
        auto regions = device.is_error() ? base::Result<pci::Regions>(device.error()) : device.value().regions();
        if (regions.is_error())
            chain::link().fail("the regions of {}: {}", f.address, regions.error());
        for (const pci::Region& bar : regions.value().bars) {
            if (bar.kind == pci::RegionKind::Memory && c.memory.size == 0)
                c.memory = bar;
            if (bar.kind == pci::RegionKind::Io && c.io.size == 0)
                c.io = bar;
        }
        return c;
    }
    chain::link().fail("no mass-storage controller is listed");
}

kern_return_t open_on(mach_port_t master, const char* name, dev_mode_t mode, mach_port_t* device)
{
    return device_open(master, mode, const_cast<char*>(name), device);
}

kern_return_t map_page(mach_port_t mem, uint64_t address)
{
    mach_port_t pager = MACH_PORT_NULL;
    kern_return_t r = device_map(mem, VM_PROT_READ, address & ~uint64_t(0xfff), 0x1000, &pager, 0);
    if (r == KERN_SUCCESS)
        mach_port_deallocate(mach_task_self(), pager);
    return r;
}

kern_return_t io_permission(mach_port_t master, uint16_t from, uint16_t to)
{
    mach_port_t perm = MACH_PORT_NULL;
    kern_return_t r = i386_io_perm_create(master, from, to, &perm);
    if (r == KERN_SUCCESS)
        mach_port_deallocate(mach_task_self(), perm);
    return r;
}

// Static: a few KiB.
acpi::Platform platform;

// In acpi's place: the tables and the FADT's ports, nothing of the controller; the relay the
// reverse.
void check_acpi_place(const Controller& c)
{
    mach_port_t master = runtime::privileged_ports().device_master;
    acpi::MappedMemory memory;
    acpi::discover(memory, platform);
    check(platform.has_rsdp && platform.has_fadt && platform.has_s5, "the tables read through acpi's own mem");
    check(platform.finding_count == 0, "no table refused to acpi");
    for (size_t i = 0; i < platform.table_count; ++i)
        runtime::report("table {} at {:#x}", platform.tables[i].signature, platform.tables[i].address);
    runtime::report("FADT PM1a control {:#x}", platform.fadt.pm1a_control);

    mach_port_t mem = MACH_PORT_NULL;
    check_code(open_on(master, "mem", D_READ | D_WRITE, &mem), KERN_SUCCESS, "opening mem on acpi's master");
    check(c.memory.size != 0, "the controller has a memory BAR");
    check_code(map_page(mem, c.memory.base), KERN_INVALID_CAPABILITY, "acpi mapping the controller's memory BAR");
    check_code(map_page(mem, 0xfee00000), KERN_INVALID_CAPABILITY, "acpi mapping the local APIC");
    check(c.io.size != 0, "the controller has an I/O BAR");
    check_code(io_permission(master, uint16_t(c.io.base), uint16_t(c.io.base + c.io.size - 1)), KERN_INVALID_CAPABILITY,
        "acpi asking for the controller's I/O BAR");
    uint16_t pm1a = uint16_t(platform.fadt.pm1a_control);
    check_code(io_permission(master, pm1a, uint16_t(pm1a + 1)), KERN_SUCCESS, "acpi asking for PM1a control");
    mach_port_t irq = MACH_PORT_NULL;
    check_code(open_on(master, "irq", D_READ | D_WRITE, &irq), D_NO_SUCH_DEVICE, "acpi opening irq");
    mach_port_t pci = MACH_PORT_NULL;
    check_code(open_on(master, "pci", D_READ | D_WRITE, &pci), D_READ_ONLY, "acpi opening pci writable");
    check_code(open_on(master, "pci", D_READ, &pci), KERN_SUCCESS, "acpi opening pci read-only");

    // The relay: where acpi forwards what the disk server asks. It has the controller and not
    // the tables.
    mach_port_t relay = chain::link().forward_master();
    check(relay != master, "the arbiter gave acpi a relay for the link below it");
    mach_port_t below_mem = MACH_PORT_NULL;
    check_code(open_on(relay, "mem", D_READ | D_WRITE, &below_mem), KERN_SUCCESS, "opening mem on the relay");
    check_code(map_page(below_mem, c.memory.base), KERN_SUCCESS, "the relay mapping the controller's memory BAR");
    if (platform.table_count > 0)
        check_code(map_page(below_mem, platform.tables[0].address), KERN_INVALID_CAPABILITY,
            "the relay mapping the root table");
    check_code(
        io_permission(relay, pm1a, uint16_t(pm1a + 1)), KERN_INVALID_CAPABILITY, "the relay asking for PM1a control");
}

// In rumpdisk's place, below the real acpi: the controller, nothing of acpi's.
void check_disk_place(const Controller& c, const uint64_t* tables, size_t table_count, uint16_t fadt_port)
{
    mach_port_t master = runtime::privileged_ports().device_master;
    mach_port_t mem = MACH_PORT_NULL;
    check_code(open_on(master, "mem", D_READ | D_WRITE, &mem), KERN_SUCCESS, "opening mem through acpi");
    check(c.memory.size != 0, "the controller has a memory BAR");
    check_code(map_page(mem, c.memory.base), KERN_SUCCESS, "mapping the controller's memory BAR through acpi");
    check(table_count > 0, "table addresses given");
    for (size_t i = 0; i < table_count; ++i) {
        base::BufferSink<80> what;
        base::format(what, "mapping the table page at {:#x}", tables[i]);
        check_code(map_page(mem, tables[i]), KERN_INVALID_CAPABILITY, what.view());
    }
    check_code(map_page(mem, 0xe0000), KERN_INVALID_CAPABILITY, "mapping the BIOS area (the RSDP)");
    check(c.io.size != 0, "the controller has an I/O BAR");
    check_code(io_permission(master, uint16_t(c.io.base), uint16_t(c.io.base + c.io.size - 1)), KERN_SUCCESS,
        "asking for the controller's I/O BAR through acpi");
    check(fadt_port != 0, "the FADT's port given");
    check_code(io_permission(master, fadt_port, fadt_port), KERN_INVALID_CAPABILITY, "asking for the FADT's port");
    mach_port_t irq = MACH_PORT_NULL;
    check_code(open_on(master, "irq", D_READ | D_WRITE, &irq), KERN_SUCCESS, "opening irq through acpi");
}

// acpi_get_pci_irq, as the Hurd's rumpdisk asks it: the controller's line must be the interrupt
// line the arbiter reads in its configuration space; a function that is not there, or cannot be,
// is an error.
void check_pci_irq(const Controller& c)
{
    mach_port_t acpi = MACH_PORT_NULL;
    check_code(open_on(runtime::privileged_ports().device_master, "acpi", D_READ | D_WRITE, &acpi), KERN_SUCCESS,
        "opening acpi");
    const pci::Address& a = c.function.address;
    int irq = -1;
    check_code(
        acpi_get_pci_irq(acpi, a.bus, a.device, a.function, &irq), KERN_SUCCESS, "acpi_get_pci_irq of the controller");
    auto bus = pciaccess::Bus::open(pciaccess::Bus::Access::ReadOnly);
    auto device = bus.is_error() ? base::Result<pciaccess::Device>(bus.error()) : bus.value().open(a);
    auto line
        = device.is_error() ? base::Result<uint8_t>(device.error()) : device.value().read8(pci::config::interrupt_line);
    check(!line.is_error() && irq == line.value(), "acpi's answer is the arbiter's interrupt line");
    runtime::report("acpi_get_pci_irq {}: {}, interrupt line {}", a, irq, line.is_error() ? -1 : int(line.value()));

    // A slot with nothing in it: on q35 and pc, device 0x1e of bus 0 is empty.
    static pci::FunctionTable functions;
    check(!bus.is_error() && !bus.value().list(functions).is_error(), "listing the functions");
    uint8_t empty = 0;
    while (empty < 32 && functions.find({ 0, empty, 0 }))
        ++empty;
    check(empty < 32, "an empty slot on bus 0");
    irq = -1;
    check_code(acpi_get_pci_irq(acpi, 0, empty, 0, &irq), D_NO_SUCH_DEVICE, "acpi_get_pci_irq of an empty slot");
    check_code(acpi_get_pci_irq(acpi, 0, 32, 0, &irq), KERN_INVALID_ARGUMENT, "acpi_get_pci_irq of device 32");
    check_code(acpi_get_pci_irq(acpi, 0, 0, 8, &irq), KERN_INVALID_ARGUMENT, "acpi_get_pci_irq of function 8");
}

} // namespace

int module_main(int argc, char** argv)
{
    base::OptionParser options("acpi-probe");
    base::StringView place;
    options.add_text("place", place, "acpi or rumpdisk: whose place the tester takes");
    unsigned long long rsdt = 0, facp = 0, dsdt = 0, fadt_port = 0;
    options.add_number("rsdt", rsdt, "the RSDT's address, which the disk server must not map");
    options.add_number("facp", facp, "the FADT's address, likewise");
    options.add_number("dsdt", dsdt, "the DSDT's address, likewise");
    options.add_number("fadt-port", fadt_port, "a port of the FADT that the disk server must not have");
    auto& link = chain::link();
    auto started = link.start(argc, argv, { "acpi-probe", "" }, options);
    if (started.is_error())
        link.fail("{}", started.error());

    Controller c = find_controller();
    if (place == "acpi") {
        check_acpi_place(c);
    } else if (place == "rumpdisk") {
        uint64_t tables[] = { rsdt, facp, dsdt };
        check_disk_place(c, tables, rsdt && facp && dsdt ? 3 : 0, uint16_t(fadt_port));
        check_pci_irq(c);
    } else {
        link.fail("--place must be acpi or rumpdisk, not '{}'", place);
    }
    runtime::report("{} checks, {} failed", checks, failures);
    runtime::power_off(failures == 0 ? 0 : 1);
}
