// x86 I/O port access for modules: permission from the device master (i386_io_perm_create,
// forwarded down the chain to the kernel), then in/out instructions.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

namespace runtime {

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

// The I/O ports from `base` on, for a base::RegisterSpace.
struct PortAccess {
    uint16_t base;
    template<typename Word> Word read(size_t offset) const
    {
        uint16_t port = static_cast<uint16_t>(base + offset);
        if constexpr (sizeof(Word) == 1)
            return in8(port);
        else if constexpr (sizeof(Word) == 2)
            return in16(port);
        else
            return in32(port);
    }
    template<typename Word> void write(size_t offset, Word value) const
    {
        uint16_t port = static_cast<uint16_t>(base + offset);
        if constexpr (sizeof(Word) == 1)
            out8(port, value);
        else if constexpr (sizeof(Word) == 2)
            out16(port, value);
        else
            out32(port, value);
    }
};

} // namespace runtime
