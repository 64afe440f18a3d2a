// The listing format the arbiter's --list and rumpdisk share, one line per function:
//
//   00:1f.2 8086:2922 class 010601 SATA controller (AHCI)
//
// address bb:dd.f, vendor:device, the 24-bit class code (class, subclass, programming
// interface), the class's name. The boot tests compare these lines with QEMU's `info pci`.
// With details, each present region follows on its own line:
//
//   00:1f.2 bar 5: memory 32-bit at 0xfea96000 size 0x1000
//   00:02.0 bar 2: io at 0xd040 size 0x20
//   00:01.0 rom: memory at 0x0 size 0x10000
#pragma once

#include "base/format.h"
#include "pci/function.h"

namespace pci {

void format_function_line(base::Sink&, const Function&);
// One region's line, without a newline: BAR `index` (present or not), or the ROM.
void format_bar_line(base::Sink&, const Function&, unsigned index);
void format_rom_line(base::Sink&, const Function&);
// The region lines of every present BAR and of the ROM, each ending with a newline.
void format_region_lines(base::Sink&, const Function&);
void format_region(base::Sink&, const Region&);

} // namespace pci
