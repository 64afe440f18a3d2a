// Placeholder until the driver lands: the controller is listed but not driven.
#include "ahci/ahci.h"

namespace rumpdisk::ahci {

bool matches(const pci::Function&)
{
    return false;
}

base::Result<void> probe(const pci::Function&, pciaccess::Device, DiskList&)
{
    return base::Error(D_NO_SUCH_DEVICE, "the ahci driver is not written yet");
}

} // namespace rumpdisk::ahci
