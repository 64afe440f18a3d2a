// What the files of ide::Channel share: the bounds of its waits, the status bits its conditions
// test, and the string instructions that move a data block. Private to the channel.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ata/ata_layout.h"

namespace rumpdisk::ide::channel_internal {

// Bounds. A disk answers a command within milliseconds; these only end waits for a device
// that stopped answering, so they are generous for a slow emulator and short enough that a
// client's request fails within seconds.
constexpr unsigned command_timeout_ms = 5000;
constexpr unsigned reset_timeout_ms = 5000;

constexpr uint8_t busy = ata::status::busy;
constexpr uint8_t drq = ata::status::data_request;
constexpr uint8_t failed = ata::status::error | ata::status::device_fault;

inline void read_words(uint16_t port, void* to, size_t words)
{
    asm volatile("cld; rep insw" : "+D"(to), "+c"(words) : "d"(port) : "memory");
}

inline void write_words(uint16_t port, const void* from, size_t words)
{
    asm volatile("cld; rep outsw" : "+S"(from), "+c"(words) : "d"(port) : "memory");
}

} // namespace rumpdisk::ide::channel_internal
