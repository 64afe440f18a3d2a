// Placeholder until the driver lands: the controller is listed but not driven.
#include "ide/ide.h"

namespace rumpdisk::ide {

bool matches(const pci::Function&)
{
    return false;
}

base::Result<void> probe(const pci::Function&, pciaccess::Device, DiskList&)
{
    return base::Error(D_NO_SUCH_DEVICE, "the ide driver is not written yet");
}

} // namespace rumpdisk::ide
