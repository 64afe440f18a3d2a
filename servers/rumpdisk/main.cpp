// rumpdisk, the disk server, second link of the chain. It contains no rump kernel (these are the
// project's own AHCI and IDE drivers); it keeps the Hurd's name so that the Hurd's boot scripts
// name it unchanged. It finds its controllers only through the PCI arbiter (over its bootstrap
// port), drives them (AHCI, IDE), names the disks wd0, wd1, ... in controller and port order and
// their partitions wdNsM, and serves them with Mach's device interface on its port, which ext2fs
// gets as its device master.
#include "ahci/ahci.h"
#include "base/options.h"
#include "block_server.h"
#include "chain/link.h"
#include "ide/ide.h"
#include "partitions.h"
#include "pci/function.h"
#include "pci/listing.h"
#include "pciaccess/pciaccess.h"
#include "runtime/console.h"
#include "test_hooks.h"

namespace {

// Static: a full table is too large for the stack.
pci::FunctionTable functions;
rumpdisk::DiskList disks;
rumpdisk::BlockServer server;

void probe_controllers(const pciaccess::Bus& bus)
{
    for (const pci::Function& f : functions) {
        bool ahci = rumpdisk::ahci::matches(f);
        bool ide = !ahci && rumpdisk::ide::matches(f);
        if (!ahci && !ide)
            continue;
        auto device = bus.open(f.address);
        if (device.is_error()) {
            runtime::report("{:02x}:{:02x}.{}: cannot open it on the arbiter: {}", f.address.bus, f.address.device,
                f.address.function, device.error());
            continue;
        }
        auto probed = ahci ? rumpdisk::ahci::probe(f, device.release_value(), disks)
                           : rumpdisk::ide::probe(f, device.release_value(), disks);
        if (probed.is_error())
            runtime::report(
                "{:02x}:{:02x}.{}: {}", f.address.bus, f.address.device, f.address.function, probed.error());
    }
}

void name_disks()
{
    unsigned next_wd = 0, next_cd = 0;
    for (size_t i = 0; i < disks.size(); ++i) {
        rumpdisk::Disk& disk = disks[i];
        const rumpdisk::DiskIdentity& id = disk.identity();
        bool cd = id.kind == rumpdisk::DiskKind::Atapi;
        rumpdisk::Volume whole;
        whole.name = base::formatted<16>("{}{}", cd ? "cd" : "wd", cd ? next_cd++ : next_wd++);
        whole.disk = &disk;
        whole.sector_count = id.sectors;
        whole.read_only = id.read_only;
        if (!server.add_volume(whole)) {
            runtime::report("{}: too many volumes, not served", whole.name);
            continue;
        }
        uint64_t mib = id.sectors * id.sector_size >> 20;
        runtime::report("{}: {}, {} sectors of {} bytes ({} MiB){}, {}", whole.name, id.model, id.sectors,
            id.sector_size, mib, id.read_only ? ", read-only" : "", id.location);
        if (!cd)
            rumpdisk::add_partitions(server, whole);
    }
}

} // namespace

int module_main(int argc, char** argv)
{
    base::OptionParser options("rumpdisk");
    bool ide_pio = false;
    options.add_flag("ide-pio", ide_pio, "drive IDE disks by PIO only, never bus-master DMA (for comparison)");
    bool scattered_replies = false, copied_replies = false;
    options.add_flag("scattered-replies", scattered_replies,
        "read replies into scattered wired pages, never contiguous ones (for tests)");
    options.add_flag("copied-replies", copied_replies,
        "read replies into ordinary memory through the bounce buffer, never by DMA into them (for comparison)");
    rumpdisk::TestHooks hooks;
    options.add_number("fault-after", hooks.fault_after, "test hook: fault at the Nth transfer (first instance)");
    options.add_number("hang-after", hooks.hang_after, "test hook: stop serving at the Nth transfer (first instance)");
    options.add_flag("fault-at-start", hooks.fault_at_start, "test hook: fault as every instance starts");
    auto& link = chain::link();
    auto started = link.start(argc, argv, { "rumpdisk", "fs-server-task" }, options);
    if (started.is_error())
        link.fail("{}", started.error());
    rumpdisk::set_test_hooks(hooks, link.instance());
    rumpdisk::test_hook_at_start();

    auto bus = pciaccess::Bus::open();
    if (bus.is_error())
        link.fail("cannot reach the PCI arbiter: {}", bus.error());
    auto listed = bus.value().list(functions);
    if (listed.is_error())
        link.fail("{}", listed.error());

    size_t controllers = 0;
    for (const pci::Function& f : functions)
        if (f.class_code.base == pci::classes::mass_storage)
            ++controllers;
    runtime::report("{} mass storage {}", controllers, controllers == 1 ? "controller" : "controllers");
    for (const pci::Function& f : functions) {
        if (f.class_code.base != pci::classes::mass_storage)
            continue;
        base::BufferSink<160> line;
        pci::format_function_line(line, f);
        runtime::report("{}", line.view());
    }

    if (copied_replies)
        server.set_reply_memory(rumpdisk::BlockServer::ReplyMemory::Copied);
    else if (scattered_replies)
        server.set_reply_memory(rumpdisk::BlockServer::ReplyMemory::DmaScattered);
    if (ide_pio)
        rumpdisk::ide::set_transfer_policy(rumpdisk::ide::TransferPolicy::PioOnly);
    probe_controllers(bus.value());
    name_disks();
    link.add_provider(server);
    link.set_device_ports(server);
    link.run();
}
