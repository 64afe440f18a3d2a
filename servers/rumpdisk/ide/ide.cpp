// The IDE driver: finds the channels the controller's class and BARs describe, the devices on
// them, and makes a Disk of each: ATA disks read and written, ATAPI drives read-only.
#include "ide/ide.h"

#include "ata/ata_layout.h"
#include "ata/identify.h"
#include "base/own.h"
#include "ide/ata_disk.h"
#include "ide/atapi_disk.h"
#include "ide/channel.h"
#include "ide/ide_layout.h"
#include "pci/config_layout.h"
#include "runtime/console.h"
#include "runtime/interrupt_line.h"

namespace rumpdisk::ide {

namespace {

constexpr uint8_t class_mass_storage = 0x01;
constexpr uint8_t subclass_ide = 0x01;
// The DMA bounce buffer of a channel, and so the largest DMA transfer.
constexpr uint32_t bounce_bytes = 128 * 1024;
// The most sectors per PIO data block (ATA allows 128; QEMU offers 16).
constexpr uint8_t max_multiple_sectors = 128;

TransferPolicy g_policy = TransferPolicy::Dma;

base::Result<void> enable_decoding(const pciaccess::Device& device, bool bus_master)
{
    using pci::config::Command;
    auto command = base::RegisterValue<Command>(TRY(device.read16(Command::offset)));
    auto wanted = command;
    wanted.set<Command::IoSpace>(1);
    if (bus_master)
        wanted.set<Command::BusMaster>(1);
    if (wanted.word() != command.word())
        TRY(device.write16(Command::offset, wanted.word()));
    return {};
}

Transfer choose_transfer(Channel& channel, const uint16_t* words)
{
    if (g_policy == TransferPolicy::PioOnly || !channel.has_bus_master())
        return Transfer::Pio;
    if (!(words[layout::identify_words::capabilities] & layout::identify_words::dma_supported))
        return Transfer::Pio;
    auto enabled = channel.enable_dma(bounce_bytes);
    if (enabled.is_error()) {
        runtime::report("ide {}: no DMA memory ({}); PIO", channel.name(), enabled.error());
        return Transfer::Pio;
    }
    return Transfer::Dma;
}

// Adds a disk just made to `disks`, where it is served for the server's life; one that could not
// be made, or finds no room, is reported and not served.
template<typename D>
void serve(const Channel& channel, Position position, base::Result<base::Own<D>> made, DiskList& disks)
{
    if (made.is_error()) {
        runtime::report("ide {} {}: {}", channel.name(), position_name(position), made.error());
        return;
    }
    if (!disks.add(*made.value())) {
        runtime::report("ide {} {}: too many disks; not served", channel.name(), position_name(position));
        return;
    }
    made.value().leak();
}

void add_ata_disk(const pci::Function& f, Channel& channel, Position position, DiskList& disks)
{
    static uint16_t words[ata::identify::words];
    auto read
        = channel.pio_in(position, ata::ide::simple(ata::command::identify_device), words, 1, ata::identify::words * 2);
    if (read.is_error()) {
        runtime::report("ide {} {}: IDENTIFY DEVICE failed: {}", channel.name(), position_name(position), read.error());
        return;
    }
    auto decoded = ata::decode_identify(words);
    if (decoded.is_error()) {
        runtime::report("ide {} {}: not served: {}", channel.name(), position_name(position), decoded.error());
        return;
    }
    const ata::Identity& id = decoded.value();
    DiskIdentity identity;
    identity.kind = DiskKind::Ata;
    identity.model = id.model;
    identity.sectors = id.sectors;
    identity.sector_size = id.sector_size;
    Transfer transfer = choose_transfer(channel, words);
    // The location tells how the disk is driven, so that a test can see which path it checks.
    identity.location = base::formatted<48>("ide {} {} {}, {}", f.address, channel.name(), position_name(position),
        transfer == Transfer::Dma ? "DMA" : "PIO");
    uint8_t multiple = ata::ide::multiple_block_sectors(words[layout::identify_words::multiple], max_multiple_sectors);
    serve(channel, position, base::create<AtaDisk>(channel, position, identity, id.lba48, transfer, multiple), disks);
}

void add_atapi_disk(const pci::Function& f, Channel& channel, Position position, DiskList& disks)
{
    auto identified = AtapiDisk::identify(channel, position);
    if (identified.is_error()) {
        runtime::report(
            "ide {} {}: an ATAPI drive, not served: {}", channel.name(), position_name(position), identified.error());
        return;
    }
    DiskIdentity identity = identified.value();
    identity.location = base::formatted<48>("ide {} {} {}", f.address, channel.name(), position_name(position));
    serve(channel, position, base::create<AtapiDisk>(channel, position, identity), disks);
}

// The channel's interrupt line, kept for the life of the server; null (and a console line)
// when the kernel does not deliver it, and the channel polls.
runtime::InterruptLine* attach_interrupt(const Channel& channel)
{
    auto line = runtime::InterruptLine::attach(channel.irq());
    if (line.is_error()) {
        runtime::report("ide {}: no interrupts (IRQ {}: {}); polling", channel.name(), channel.irq(), line.error());
        return nullptr;
    }
    auto kept = base::create<runtime::InterruptLine>(line.release_value());
    if (kept.is_error()) {
        runtime::report("ide {}: {}; polling", channel.name(), kept.error());
        return nullptr;
    }
    return kept.value().leak();
}

} // namespace

bool matches(const pci::Function& f)
{
    return f.class_code.base == class_mass_storage && f.class_code.sub == subclass_ide;
}

void set_transfer_policy(TransferPolicy policy)
{
    g_policy = policy;
}

base::Result<void> probe(const pci::Function& f, pciaccess::Device device, DiskList& disks)
{
    pci::Regions regions = TRY(device.regions());
    uint8_t interrupt_line = TRY(device.read8(pci::config::InterruptLine::offset));
    ata::ide::Ports ports = ata::ide::decode_ports(f.class_code.prog_if, regions, interrupt_line);
    bool bus_master = ports.channels[0].bus_master || ports.channels[1].bus_master;
    TRY(enable_decoding(device, bus_master && g_policy == TransferPolicy::Dma));

    const char* names[2] = { "primary", "secondary" };
    runtime::InterruptLine* lines[2] = {};
    for (unsigned i = 0; i < 2; ++i) {
        if (!ports.channels[i].present) {
            runtime::report("ide {}: native mode without its BARs or interrupt; not used", names[i]);
            continue;
        }
        // A channel without disks is freed on leaving this round; one with disks lives as long as
        // they do (the server's life).
        auto channel = TRY(base::create<Channel>(names[i], ports.channels[i]));
        auto started = channel->start();
        if (started.is_error()) {
            runtime::report("ide {}: {}", names[i], started.error());
            continue;
        }
        if (!channel->has_devices())
            continue;
        // Compatibility channels have IRQs 14 and 15; native ones share the function's.
        if (i == 1 && lines[0] && lines[0]->irq() == channel->irq())
            lines[1] = lines[0];
        else
            lines[i] = attach_interrupt(*channel);
        if (lines[i])
            channel->use_interrupt(*lines[i]);
        bool used = false;
        for (Position p : { Position::Master, Position::Slave }) {
            switch (channel->occupant(p)) {
            case Occupant::None:
                break;
            case Occupant::Ata:
                add_ata_disk(f, *channel, p, disks);
                used = true;
                break;
            case Occupant::Atapi:
                add_atapi_disk(f, *channel, p, disks);
                used = true;
                break;
            case Occupant::Unknown:
                runtime::report(
                    "ide {} {}: a device with an unknown signature; not served", names[i], position_name(p));
                break;
            }
        }
        if (used) {
            channel->verify_interrupt();
            channel.leak();
        }
    }
    return {};
}

} // namespace rumpdisk::ide
