// pci-probe: a client of the arbiter for the boot tests, started by pci-arbiter in rumpdisk's
// place. It goes through lib/pciaccess and the raw MIG stubs and checks what a client can see:
// configuration reads of every size agree with the list, the regions come back through the
// Hurd's struct pci_bar, a write reaches the device, and every wrong request (outside the
// space, bad size, misaligned, absent function, wrong kind of port) is refused with the
// documented code, not answered with garbage. It prints its checks, then powers off with
// status 0 when all passed and 1 otherwise.
#include <string.h>

#include "base/options.h"
#include "chain/link.h"
#include "pci/config_layout.h"
#include "pci/listing.h"
#include "pciaccess/pciaccess.h"
#include "runtime/console.h"
#include "runtime/power.h"

extern "C" {
#include "fsys_U.h"
#include "pci_U.h"
#include "pci_enum_U.h"
}

namespace {

pci::FunctionTable functions;
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

template<typename T> void check_equal(const base::Result<T>& got, T want, base::StringView what)
{
    ++checks;
    if (got.is_error()) {
        ++failures;
        runtime::report("FAIL {}: {}", what, got.error());
    } else if (got.value() != want) {
        ++failures;
        runtime::report("FAIL {}: got {:#x}, want {:#x}", what, got.value(), want);
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

kern_return_t raw_read(mach_port_t port, int reg, vm_size_t amount)
{
    pci_config_data_t data;
    mach_msg_type_number_t count = sizeof data;
    return pci_conf_read(port, reg, data, &count, amount);
}

kern_return_t raw_write(mach_port_t port, int reg, unsigned size)
{
    // Zeros to the vendor ID register (read-only in every device) when a bad request were let
    // through by mistake: harmless.
    pci_config_data_t data = {};
    vm_size_t written = 0;
    return pci_conf_write(port, reg, data, size, &written);
}

// What a client reads must be what the arbiter listed, at every access size.
void check_identity(const pciaccess::Device& d, const pci::Function& f)
{
    uint32_t ids = uint32_t(f.vendor_id) | uint32_t(f.device_id) << 16;
    check_equal(d.read32(pci::config::vendor_id), ids, "32-bit read of the IDs");
    check_equal(d.read16(pci::config::vendor_id), f.vendor_id, "16-bit read of the vendor ID");
    check_equal(d.read16(pci::config::device_id), f.device_id, "16-bit read of the device ID");
    check_equal(d.read8(pci::config::device_id + 1), uint8_t(f.device_id >> 8), "8-bit read of an odd offset");
    check_equal(d.read32(pci::config::revision_id), f.class_code.value() << 8 | f.revision,
        "32-bit read of class and revision");
    check_equal(d.read8(pci::config::class_code), f.class_code.base, "8-bit read of the class");
}

void print_regions(const pci::Function& listed, const pci::Regions& regions)
{
    pci::Function f = listed;
    f.regions = regions;
    for (unsigned i = 0; i < pci::max_bars; ++i) {
        if (!f.regions.bars[i].present())
            continue;
        base::BufferSink<160> line;
        pci::format_bar_line(line, f, i);
        runtime::report("{}", line.view());
    }
    if (f.regions.rom.present()) {
        base::BufferSink<160> line;
        pci::format_rom_line(line, f);
        runtime::report("{}", line.view());
    }
}

kern_return_t open_device(const char* name, mach_port_t* port)
{
    return device_open(runtime::privileged_ports().device_master, D_READ | D_WRITE, const_cast<char*>(name), port);
}

// What the arbiter lets the link below it have (chain/policy.h, pci-arbiter/grants.h): the
// privileged ports once, the controllers' hardware and the console, nothing else.
void check_privilege(const pciaccess::Bus& bus, const pci::Function* controller)
{
    mach_port_t bootstrap = MACH_PORT_NULL, host = MACH_PORT_NULL, master = MACH_PORT_NULL, task = MACH_PORT_NULL;
    task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &bootstrap);
    check(MACH_PORT_VALID(runtime::privileged_ports().host_priv), "the disk server's place has the host port");
    check_code(
        fsys_getpriv(bootstrap, &host, &master, &task), KERN_INVALID_CAPABILITY, "fsys_getpriv asked a second time");
    check_code(fsys_getpriv(runtime::privileged_ports().device_master, &host, &master, &task), KERN_INVALID_CAPABILITY,
        "fsys_getpriv on the device master");

    mach_port_t device = MACH_PORT_NULL;
    check_code(open_device("no-such-device", &device), D_NO_SUCH_DEVICE, "opening a name nobody serves");
    check_code(open_device("kbd", &device), D_NO_SUCH_DEVICE, "opening the kernel's kbd (not granted)");

    mach_port_t perm = MACH_PORT_NULL;
    mach_port_t master_port = runtime::privileged_ports().device_master;
    check_code(i386_io_perm_create(master_port, 0x60, 0x60, &perm), KERN_INVALID_CAPABILITY,
        "I/O permission for the keyboard controller");
    check_code(i386_io_perm_create(master_port, 0xcf8, 0xcff, &perm), KERN_INVALID_CAPABILITY,
        "I/O permission for PCI configuration space");
    // The list has identities only: the regions come from the function's port.
    pci::Regions regions;
    if (controller) {
        auto device = bus.open(controller->address);
        if (!device.is_error()) {
            auto got = device.value().regions();
            if (!got.is_error())
                regions = got.value();
        }
    }
    const pci::Region* io = nullptr;
    const pci::Region* memory = nullptr;
    for (const pci::Region& bar : regions.bars) {
        if (bar.kind == pci::RegionKind::Io && !io)
            io = &bar;
        if (bar.kind == pci::RegionKind::Memory && !memory)
            memory = &bar;
    }
    check(io != nullptr, "the controller has an I/O BAR");
    if (io)
        check_code(i386_io_perm_create(master_port, uint16_t(io->base), uint16_t(io->base + io->size - 1), &perm),
            KERN_SUCCESS, "I/O permission for the controller's I/O BAR");

    mach_port_t mem = MACH_PORT_NULL, pager = MACH_PORT_NULL;
    check_code(open_device("mem", &mem), KERN_SUCCESS, "opening the arbiter's mem");
    check_code(device_map(mem, VM_PROT_READ, 0, 0x1000, &pager, 0), KERN_INVALID_CAPABILITY, "mapping RAM at 0");
    check_code(device_map(mem, VM_PROT_READ, 0xfee00000, 0x1000, &pager, 0), KERN_INVALID_CAPABILITY,
        "mapping the local APIC");
    if (memory) {
        check_code(device_map(mem, VM_PROT_READ, memory->base, 0x1000, &pager, 0), KERN_SUCCESS,
            "mapping the controller's memory BAR");
        check_code(device_map(mem, VM_PROT_READ, memory->base, 0x100000, &pager, 0), KERN_INVALID_CAPABILITY,
            "mapping past the controller's memory BAR");
    }

    mach_port_t irq = MACH_PORT_NULL;
    check_code(open_device("irq", &irq), KERN_SUCCESS, "opening the arbiter's irq");
    auto receive = runtime::ReceiveRight::allocate();
    if (!receive.is_error())
        check_code(device_intr_register(irq, 1, 0, receive.value().name(), MACH_MSG_TYPE_MAKE_SEND),
            KERN_INVALID_CAPABILITY, "registering for the keyboard's interrupt line");
}

} // namespace

int module_main(int argc, char** argv)
{
    base::OptionParser options("pci-probe");
    auto& link = chain::link();
    auto started = link.start(argc, argv, { "pci-probe", "" }, options);
    if (started.is_error())
        link.fail("{}", started.error());

    auto opened = pciaccess::Bus::open();
    if (opened.is_error())
        link.fail("cannot reach the PCI arbiter: {}", opened.error());
    const pciaccess::Bus& bus = opened.value();
    auto listed = bus.list(functions);
    if (listed.is_error())
        link.fail("{}", listed.error());
    check_equal(bus.count(), functions.size(), "pci_get_ndevs against the list");
    check(!functions.empty(), "the list has functions");

    // Per function: identity at every access size, and the regions as the arbiter sends them.
    const pci::Function* scratch = nullptr;
    for (const pci::Function& f : functions) {
        base::BufferSink<160> line;
        pci::format_function_line(line, f);
        runtime::report("{}", line.view());
        auto device = bus.open(f.address);
        check(!device.is_error(), "pci_enum_open of a listed function");
        if (device.is_error())
            continue;
        check_identity(device.value(), f);
        auto regions = device.value().regions();
        check(!regions.is_error(), "pci_get_dev_regions and pci_get_dev_rom");
        if (!regions.is_error())
            print_regions(f, regions.value());
        // Configuration writes are granted for the mass-storage controllers only.
        if (!scratch && f.layout == pci::config::HeaderLayout::General
            && f.class_code.base == pci::classes::mass_storage)
            scratch = &f;
    }

    // A write reaches the device: the interrupt line register is the driver's scratch byte.
    if (scratch) {
        auto device = bus.open(scratch->address);
        if (!device.is_error()) {
            const pciaccess::Device& d = device.value();
            auto before = d.read8(pci::config::interrupt_line);
            if (!before.is_error()) {
                uint8_t probe = uint8_t(before.value() ^ 0x5a);
                check(!d.write8(pci::config::interrupt_line, probe).is_error(), "8-bit write");
                check_equal(d.read8(pci::config::interrupt_line), probe, "read back of an 8-bit write");
                check(!d.write8(pci::config::interrupt_line, before.value()).is_error(), "restoring write");
            }
        }
    }

    // Requests the arbiter must refuse, sent with the raw stubs so that nothing on this side
    // filters them first. The first listed function's port is the target.
    auto first = bus.open(functions[0].address);
    if (first.is_error())
        link.fail("cannot open {}: {}", functions[0].address, first.error());
    mach_port_t root = bus.root();
    mach_port_t port = first.value().port();

    check_code(raw_read(port, 0x100, 1), KERN_INVALID_ARGUMENT, "read at offset 256");
    check_code(raw_read(port, 0xfc, 8), KERN_INVALID_ARGUMENT, "read of 8 bytes");
    check_code(raw_read(port, -4, 4), KERN_INVALID_ARGUMENT, "read at a negative offset");
    check_code(raw_read(port, 0x1000, 4), KERN_INVALID_ARGUMENT, "read in the extended space");
    check_code(raw_read(port, 0, 3), KERN_INVALID_ARGUMENT, "read of 3 bytes");
    check_code(raw_read(port, 0, 0), KERN_INVALID_ARGUMENT, "read of 0 bytes");
    check_code(raw_read(port, 2, 4), KERN_INVALID_ARGUMENT, "misaligned 4-byte read");
    check_code(raw_read(port, 0x3d, 2), KERN_INVALID_ARGUMENT, "misaligned 2-byte read");
    check_code(raw_read(port, 0xfc, 4), KERN_SUCCESS, "read of the last dword");
    // Writes: refused on a function that is not granted (the host bridge) whatever the request;
    // checked on a granted one.
    check(functions[0].class_code.base != pci::classes::mass_storage, "the first function is not granted");
    check_code(raw_write(port, pci::config::interrupt_line, 1), KERN_INVALID_CAPABILITY,
        "write to a function that is not granted");
    check(scratch != nullptr, "a mass-storage controller to write to");
    auto granted = bus.open(scratch ? scratch->address : functions[0].address);
    mach_port_t writable = granted.is_error() ? MACH_PORT_NULL : granted.value().port();
    check_code(raw_write(writable, 0x100, 4), KERN_INVALID_ARGUMENT, "write at offset 256");
    check_code(raw_write(writable, 0, 3), KERN_INVALID_ARGUMENT, "write of 3 bytes");
    check_code(raw_write(writable, 1, 2), KERN_INVALID_ARGUMENT, "misaligned write");

    // The read-only root (what programs get): listing and reads, never a write.
    auto read_only = pciaccess::Bus::open(pciaccess::Bus::Access::ReadOnly);
    check(!read_only.is_error(), "opening pci read-only");
    if (!read_only.is_error() && scratch) {
        auto device = read_only.value().open(scratch->address);
        check(!device.is_error(), "pci_enum_open on the read-only root");
        if (!device.is_error()) {
            check(!device.value().read8(pci::config::interrupt_line).is_error(), "a read through the read-only root");
            check_code(raw_write(device.value().port(), pci::config::interrupt_line, 1), KERN_INVALID_CAPABILITY,
                "a write through the read-only root");
        }
    }
    check_code(raw_read(root, 0, 4), KERN_INVALID_ARGUMENT, "configuration read on the root port");
    vm_size_t n = 0;
    check_code(pci_get_ndevs(port, &n), KERN_INVALID_ARGUMENT, "pci_get_ndevs on a function's port");
    uint32_t total = 0;
    pci_enum_entries_t entries;
    mach_msg_type_number_t count = 64;
    check_code(
        pci_enum_list(port, 0, entries, &count, &total), KERN_INVALID_ARGUMENT, "pci_enum_list on a function's port");
    count = 64;
    check_code(pci_enum_list(root, uint32_t(functions.size()), entries, &count, &total), KERN_SUCCESS,
        "pci_enum_list past the end");
    check(count == 0 && total == functions.size(), "an empty page past the end");

    // Functions that are not there.
    uint8_t empty_slot = 0;
    while (empty_slot < 32 && functions.find({ 0, empty_slot, 0 }))
        ++empty_slot;
    mach_port_t absent = MACH_PORT_NULL;
    check_code(pci_enum_open(root, 0, empty_slot, 0, &absent), D_NO_SUCH_DEVICE, "opening an empty slot");
    check_code(pci_enum_open(root, 0xff, 0x1f, 7, &absent), D_NO_SUCH_DEVICE, "opening on an unscanned bus");
    check_code(pci_enum_open(root, 0, 32, 0, &absent), KERN_INVALID_ARGUMENT, "opening device 32");
    check_code(pci_enum_open(root, 0, 0, 8, &absent), KERN_INVALID_ARGUMENT, "opening function 8");
    check_code(pci_enum_open(root, 256, 0, 0, &absent), KERN_INVALID_ARGUMENT, "opening bus 256");
    check_code(pci_enum_open(port, 0, 0, 0, &absent), KERN_INVALID_ARGUMENT, "pci_enum_open on a function's port");

    check_privilege(bus, scratch);

    runtime::report("{} checks on {} functions, {} failed", checks, functions.size(), failures);
    runtime::power_off(failures == 0 ? 0 : 1);
}
