// Powering the machine off with a status the host can read. Under QEMU with
// `-device isa-debug-exit,iobase=0xf4,iosize=0x04` a byte written to port 0xf4 ends QEMU with
// status (byte << 1) | 1, which the runner turns back into the byte. Without that device a
// link's own way is tried next (the chain's: acpi_sleep(5) on the acpi link, lib/chain), and
// last the host is halted with host_reboot, where the status is lost (the console line says it).
#pragma once

namespace runtime {

// A way to turn the machine off that returns only when it failed.
using PowerOffMethod = void (*)();
// Tried after QEMU's test device and before the kernel's halt (one method; the last set wins).
void set_power_off_method(PowerOffMethod);

[[noreturn]] void power_off(int status);

} // namespace runtime
