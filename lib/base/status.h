// Mach's status codes that portable code returns, named once (the numbers are those of
// mach/kern_return.h and device/device_types.h, which host code cannot include). The guest's
// MIG code uses the kernel's own macros; base::status_name prints either.
#pragma once

namespace base::status {

constexpr int invalid_address = 1; // KERN_INVALID_ADDRESS
constexpr int invalid_argument = 4; // KERN_INVALID_ARGUMENT
constexpr int resource_shortage = 6; // KERN_RESOURCE_SHORTAGE
constexpr int timed_out = 27; // KERN_TIMEDOUT
constexpr int device_io_error = 2500; // D_IO_ERROR

} // namespace base::status
