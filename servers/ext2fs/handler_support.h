// Small helpers that the file protocol's handlers share (directory.cpp, io.cpp, file.cpp, ...).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "ext2/filesystem.h"
#include "fs_types.h"
#include "runtime/mach.h"

namespace ext2fs {

constexpr uint64_t page_size = 4096;

inline uint64_t round_to_page(uint64_t n)
{
    return (n + page_size - 1) & ~(page_size - 1);
}

inline bool is_type(uint16_t mode, uint16_t type)
{
    return (mode & ext2::mode_type_mask) == type;
}

// The protocol's code for any error the library, the disk or Mach gave (protocol_errors.cpp).
int protocol_code(const base::Error&);

// A name argument: zero-terminated within the protocol's bound, without '/' (the library
// refuses '/' too; checked here so that the answer does not depend on it).
kern_return_t check_name(const char* name);

// The length of s, at most max.
size_t bounded_length(const char* s, size_t max);

// The time of day in seconds, for the times a change sets (0 if the kernel does not say).
uint32_t wall_clock_seconds();

} // namespace ext2fs
