// The class table, after the PCI Code and ID Assignment Specification; the wording is ours.
#include "pci/class_names.h"

namespace pci {

namespace {

constexpr int any = -1;

struct ClassName {
    int base;
    int sub;
    int prog_if;
    const char* name;
};

// Ordered from specific to general within each class: the first match wins.
constexpr ClassName names[] = {
    { 0x00, 0x01, any, "VGA-compatible unclassified device" },
    { 0x00, any, any, "unclassified device" },

    { 0x01, 0x00, any, "SCSI controller" },
    { 0x01, 0x01, any, "IDE controller" },
    { 0x01, 0x02, any, "floppy disk controller" },
    { 0x01, 0x03, any, "IPI bus controller" },
    { 0x01, 0x04, any, "RAID controller" },
    { 0x01, 0x05, any, "ATA controller" },
    { 0x01, 0x06, 0x01, "SATA controller (AHCI)" },
    { 0x01, 0x06, any, "SATA controller" },
    { 0x01, 0x07, any, "SAS controller" },
    { 0x01, 0x08, 0x02, "NVM Express controller" },
    { 0x01, 0x08, any, "non-volatile memory controller" },
    { 0x01, any, any, "mass storage controller" },

    { 0x02, 0x00, any, "Ethernet controller" },
    { 0x02, 0x01, any, "Token Ring controller" },
    { 0x02, 0x02, any, "FDDI controller" },
    { 0x02, 0x03, any, "ATM controller" },
    { 0x02, any, any, "network controller" },

    { 0x03, 0x00, 0x00, "VGA controller" },
    { 0x03, 0x00, any, "VGA-compatible controller" },
    { 0x03, 0x01, any, "XGA controller" },
    { 0x03, 0x02, any, "3D controller" },
    { 0x03, any, any, "display controller" },

    { 0x04, 0x00, any, "video device" },
    { 0x04, 0x01, any, "audio device" },
    { 0x04, 0x02, any, "telephony device" },
    { 0x04, 0x03, any, "HD audio device" },
    { 0x04, any, any, "multimedia device" },

    { 0x05, 0x00, any, "RAM controller" },
    { 0x05, 0x01, any, "flash controller" },
    { 0x05, any, any, "memory controller" },

    { 0x06, 0x00, any, "host bridge" },
    { 0x06, 0x01, any, "ISA bridge" },
    { 0x06, 0x02, any, "EISA bridge" },
    { 0x06, 0x03, any, "MicroChannel bridge" },
    { 0x06, 0x04, any, "PCI-to-PCI bridge" },
    { 0x06, 0x05, any, "PCMCIA bridge" },
    { 0x06, 0x06, any, "NuBus bridge" },
    { 0x06, 0x07, any, "CardBus bridge" },
    { 0x06, 0x08, any, "RACEway bridge" },
    { 0x06, 0x09, any, "semi-transparent PCI-to-PCI bridge" },
    { 0x06, 0x0a, any, "InfiniBand-to-PCI host bridge" },
    { 0x06, any, any, "bridge" },

    { 0x07, 0x00, any, "serial controller" },
    { 0x07, 0x01, any, "parallel controller" },
    { 0x07, 0x03, any, "modem" },
    { 0x07, any, any, "communication controller" },

    { 0x08, 0x00, any, "interrupt controller" },
    { 0x08, 0x01, any, "DMA controller" },
    { 0x08, 0x02, any, "timer" },
    { 0x08, 0x03, any, "real-time clock" },
    { 0x08, 0x05, any, "SD host controller" },
    { 0x08, 0x06, any, "IOMMU" },
    { 0x08, any, any, "system peripheral" },

    { 0x09, any, any, "input device controller" },
    { 0x0a, any, any, "docking station" },
    { 0x0b, any, any, "processor" },

    { 0x0c, 0x00, any, "FireWire controller" },
    { 0x0c, 0x03, 0x00, "USB controller (UHCI)" },
    { 0x0c, 0x03, 0x10, "USB controller (OHCI)" },
    { 0x0c, 0x03, 0x20, "USB controller (EHCI)" },
    { 0x0c, 0x03, 0x30, "USB controller (xHCI)" },
    { 0x0c, 0x03, any, "USB controller" },
    { 0x0c, 0x04, any, "Fibre Channel controller" },
    { 0x0c, 0x05, any, "SMBus controller" },
    { 0x0c, any, any, "serial bus controller" },

    { 0x0d, any, any, "wireless controller" },
    { 0x0e, any, any, "intelligent I/O controller" },
    { 0x0f, any, any, "satellite communication controller" },
    { 0x10, any, any, "encryption controller" },
    { 0x11, any, any, "signal processing controller" },
    { 0x12, any, any, "processing accelerator" },
    { 0x13, any, any, "non-essential instrumentation" },
    { 0x40, any, any, "coprocessor" },
    { 0xff, any, any, "unassigned class" },
};

bool matches(int want, uint8_t have)
{
    return want == any || want == have;
}

} // namespace

const char* class_name(ClassCode c)
{
    for (const ClassName& n : names)
        if (n.base == c.base && matches(n.sub, c.sub) && matches(n.prog_if, c.prog_if))
            return n.name;
    return "unknown class";
}

} // namespace pci
