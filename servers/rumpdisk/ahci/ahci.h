// The AHCI driver (QEMU -M q35: ICH9 at 00:1f.2; any controller of class 01.06.01).
#pragma once

#include "base/result.h"
#include "disk.h"
#include "pci/function.h"
#include "pciaccess/pciaccess.h"

namespace rumpdisk::ahci {

// Whether the function is an AHCI controller this driver takes.
bool matches(const pci::Function&);

// Brings the controller up and adds every disk on its ports to `disks`, in port order.
// The device port is the function's port on the arbiter (config space and regions).
base::Result<void> probe(const pci::Function&, pciaccess::Device, DiskList& disks);

} // namespace rumpdisk::ahci
