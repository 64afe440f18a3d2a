// The client side of pci.defs and pci_enum.defs.
#include "pciaccess/pciaccess.h"

#include <string.h>

#include "chain/link.h"
#include "pci/enum_layout.h"
#include "pci/hurd_layout.h"
#include "runtime/runtime.h"

extern "C" {
#include "pci_U.h"
#include "pci_enum_U.h"
}

namespace pciaccess {

base::Result<Bus> Bus::open(Access access)
{
    mach_port_t root = MACH_PORT_NULL;
    dev_mode_t mode = access == Access::ReadWrite ? D_READ | D_WRITE : D_READ;
    MACH_TRY(device_open(runtime::privileged_ports().device_master, mode, const_cast<char*>("pci"), &root),
        "opening pci on the device master");
    if (chain::link().has_upstream())
        chain::link().note_bootstrap_use("pci");
    return Bus(runtime::SendRight::adopt(root));
}

base::Result<void> Bus::list(pci::FunctionTable& out) const
{
    out.clear();
    uint32_t first = 0;
    uint32_t total = 0;
    do {
        pci_enum_entries_t entries;
        mach_msg_type_number_t count = pci::enumeration::max_entries_per_call;
        MACH_TRY(pci_enum_list(m_root.name(), first, entries, &count, &total), "listing the PCI functions");
        if (count == 0)
            break; // The list shrank under us, or a broken server: stop rather than loop.
        for (mach_msg_type_number_t i = 0; i < count; ++i) {
            pci::enumeration::Entry e;
            memcpy(e.words, entries[i], sizeof e.words);
            if (out.insert(pci::enumeration::decode(e)) != pci::Status::Ok)
                return base::Error(KERN_RESOURCE_SHORTAGE, "more PCI functions than the table holds");
        }
        first += count;
    } while (first < total);
    return {};
}

base::Result<size_t> Bus::count() const
{
    vm_size_t n = 0;
    MACH_TRY(pci_get_ndevs(m_root.name(), &n), "asking how many PCI functions there are");
    return size_t(n);
}

base::Result<Device> Bus::open(pci::Address a) const
{
    mach_port_t port = MACH_PORT_NULL;
    MACH_TRY(pci_enum_open(m_root.name(), a.bus, a.device, a.function, &port), "opening a PCI function");
    return Device(a, runtime::SendRight::adopt(port));
}

base::Result<uint32_t> Device::read(uint16_t offset, unsigned size) const
{
    pci_config_data_t data = {};
    mach_msg_type_number_t count = sizeof data;
    MACH_TRY(pci_conf_read(m_port.name(), offset, data, &count, size), "reading PCI configuration space");
    if (count != size)
        return base::Error(MIG_TYPE_ERROR, "a PCI configuration read answered the wrong size");
    uint32_t value = 0;
    memcpy(&value, data, size);
    return value;
}

base::Result<void> Device::write(uint16_t offset, unsigned size, uint32_t value) const
{
    pci_config_data_t data;
    memcpy(data, &value, size);
    vm_size_t written = 0;
    MACH_TRY(pci_conf_write(m_port.name(), offset, data, size, &written), "writing PCI configuration space");
    if (written != size)
        return base::Error(MIG_TYPE_ERROR, "a PCI configuration write was cut short");
    return {};
}

base::Result<uint8_t> Device::read8(uint16_t offset) const
{
    return uint8_t(TRY(read(offset, 1)));
}

base::Result<uint16_t> Device::read16(uint16_t offset) const
{
    return uint16_t(TRY(read(offset, 2)));
}

base::Result<uint32_t> Device::read32(uint16_t offset) const
{
    return read(offset, 4);
}

base::Result<void> Device::write8(uint16_t offset, uint8_t v) const
{
    return write(offset, 1, v);
}

base::Result<void> Device::write16(uint16_t offset, uint16_t v) const
{
    return write(offset, 2, v);
}

base::Result<void> Device::write32(uint16_t offset, uint32_t v) const
{
    return write(offset, 4, v);
}

base::Result<pci::Regions> Device::regions() const
{
    pci::Regions regions;
    pci_regions_data_t bars;
    mach_msg_type_number_t count = sizeof bars;
    MACH_TRY(pci_get_dev_regions(m_port.name(), bars, &count), "asking for the PCI regions");
    if (count != pci::hurd::regions_bytes)
        return base::Error(MIG_TYPE_ERROR, "the PCI regions answer has the wrong size");
    for (unsigned i = 0; i < pci::max_bars; ++i) {
        pci::hurd::Bar bar;
        memcpy(&bar, bars + i * sizeof bar, sizeof bar);
        regions.bars[i] = pci::hurd::from_bar(bar);
    }
    pci_rom_data_t rom_bytes;
    count = sizeof rom_bytes;
    MACH_TRY(pci_get_dev_rom(m_port.name(), rom_bytes, &count), "asking for the PCI ROM");
    if (count != sizeof(pci::hurd::XromBar))
        return base::Error(MIG_TYPE_ERROR, "the PCI ROM answer has the wrong size");
    pci::hurd::XromBar rom;
    memcpy(&rom, rom_bytes, sizeof rom);
    if (rom.size != 0) {
        regions.rom.kind = pci::RegionKind::Memory;
        regions.rom.base = rom.base_addr;
        regions.rom.size = rom.size;
    }
    return regions;
}

} // namespace pciaccess
