// A monotonic time stamp (the kernel's uptime) and sleeping.
#pragma once

#include <stdint.h>

namespace runtime {

// Nanoseconds since the kernel started; 0 if the kernel cannot tell.
uint64_t uptime_ns();
inline uint64_t uptime_ms()
{
    return uptime_ns() / 1000000;
}

} // namespace runtime
