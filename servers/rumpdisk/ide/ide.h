// The IDE driver (QEMU -M pc: PIIX3 at 00:01.1; controllers of class 01.01.xx).
#pragma once

#include "base/result.h"
#include "disk.h"
#include "pci/function.h"
#include "pciaccess/pciaccess.h"

namespace rumpdisk::ide {

// Whether the function is an IDE controller this driver takes.
bool matches(const pci::Function&);

// Brings the controller up and adds every disk on its channels to `disks` (primary master, primary slave, secondary
// master, secondary slave). The device port is the function's port on the arbiter (config space and regions).
base::Result<void> probe(const pci::Function&, pciaccess::Device, DiskList& disks);

// How disks move data: by bus-master DMA where the controller and the disk have it (the
// default), or by PIO only (to compare, or for a controller whose DMA misbehaves). Takes effect
// for the controllers probed after the call.
enum class TransferPolicy : uint8_t { Dma, PioOnly };
void set_transfer_policy(TransferPolicy);

} // namespace rumpdisk::ide
