// x86 I/O port access for modules: permission from the device master (i386_io_perm_create,
// forwarded down the chain to the kernel), then in/out instructions.
#pragma once

#include <stdint.h>

#include "base/result.h"

namespace mach {

// Grants this task the ports [from, to], inclusive.
base::Result<void> request_io_ports(uint16_t from, uint16_t to);

inline void out8(uint16_t port, uint8_t v)
{
    asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
inline void out16(uint16_t port, uint16_t v)
{
    asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
inline void out32(uint16_t port, uint32_t v)
{
    asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
inline uint8_t in8(uint16_t port)
{
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline uint16_t in16(uint16_t port)
{
    uint16_t v;
    asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline uint32_t in32(uint16_t port)
{
    uint32_t v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

} // namespace mach
