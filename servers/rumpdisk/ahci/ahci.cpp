// The AHCI driver's entry: which functions it takes, and the probe that brings a controller up
// and finds the devices on its ports.
#include "ahci/ahci.h"

#include "ahci/ata_disk.h"
#include "ahci/atapi_disk.h"
#include "ahci/controller.h"
#include "ahci/port.h"
#include "ata/ata_layout.h"
#include "base/own.h"
#include "runtime/console.h"

namespace rumpdisk::ahci {

namespace {

constexpr pci::ClassCode ahci_class { 0x01, 0x06, 0x01 }; // mass storage, SATA, AHCI 1.0
// The bounce buffer of each port with a device: 1 MiB moves a 1 MiB request in one command.
constexpr size_t transfer_buffer = 1 << 20;
// Signatures of what is not a disk nor a drive: a port multiplier, an enclosure processor.
constexpr uint32_t signature_port_multiplier = 0x96690101;
constexpr uint32_t signature_enclosure = 0xc33c0101;

// Brings up one port with a device and returns the disk on it.
base::Result<Disk*> probe_port(Controller& controller, unsigned index)
{
    // The port's memory is the HBA's from now on: the Port is never freed, even on failure.
    Port* port = TRY(base::create<Port>(controller, index)).leak();
    TRY(port->attach());
    TRY(port->wait_ready());
    uint32_t signature = port->signature();
    if (signature == signature_port_multiplier)
        return base::Error(D_NO_SUCH_DEVICE, "a port multiplier (not supported)");
    if (signature == signature_enclosure)
        return base::Error(D_NO_SUCH_DEVICE, "an enclosure management bridge, not a disk");
    bool atapi = signature == ata::signature_atapi;
    TRY(port->start(atapi ? PortKind::Atapi : PortKind::Ata));
    TRY(port->allocate_buffer(transfer_buffer));
    if (atapi)
        return static_cast<Disk*>(TRY(AtapiDisk::identify(*port)));
    return static_cast<Disk*>(TRY(AtaDisk::identify(*port)));
}

} // namespace

bool matches(const pci::Function& f)
{
    return f.class_code == ahci_class;
}

base::Result<void> probe(const pci::Function& function, pciaccess::Device device, DiskList& disks)
{
    Controller* controller = TRY(Controller::bring_up(function, static_cast<pciaccess::Device&&>(device)));
    controller->enable_interrupts();
    uint32_t implemented = controller->implemented_ports();
    unsigned ports = 0, devices = 0;
    for (unsigned index = 0; index < reg::max_ports; ++index) {
        if (!(implemented & (1u << index)))
            continue;
        ++ports;
        // Empty ports get no memory: presence needs only the link status.
        if (!Port::link_up(*controller, index))
            continue;
        ++devices;
        auto disk = probe_port(*controller, index);
        if (disk.is_error()) {
            runtime::report("ahci {} port {}: {}; skipped", function.address, index, disk.error());
            continue;
        }
        if (!disks.add(*disk.value())) {
            runtime::report("ahci {} port {}: no room for more disks; skipped", function.address, index);
            break;
        }
    }
    if (devices > 0)
        controller->verify_interrupts();
    uint32_t version = controller->version();
    if (controller->completion() == Completion::Interrupt)
        runtime::report("ahci {}: AHCI {}.{}, {} ports, completion by interrupt (irq {})", function.address,
            version >> 16, (version >> 8) & 0xff, ports, controller->irq());
    else
        runtime::report("ahci {}: AHCI {}.{}, {} ports, completion by polling", function.address, version >> 16,
            (version >> 8) & 0xff, ports);
    return {};
}

} // namespace rumpdisk::ahci
