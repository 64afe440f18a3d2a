// Names of Mach's status codes, so that the console never shows an error as a bare number.
// The numbers are those of mach/kern_return.h, mach/message.h, mach/mig_errors.h and
// device/device_types.h; kept here so that host code can name them too.
#include "base/error.h"

namespace base {

namespace {
struct Name {
    int code;
    const char* name;
};

constexpr Name names[] = {
    { 0, "KERN_SUCCESS" },
    { 1, "KERN_INVALID_ADDRESS" },
    { 2, "KERN_PROTECTION_FAILURE" },
    { 3, "KERN_NO_SPACE" },
    { 4, "KERN_INVALID_ARGUMENT" },
    { 5, "KERN_FAILURE" },
    { 6, "KERN_RESOURCE_SHORTAGE" },
    { 7, "KERN_NOT_RECEIVER" },
    { 8, "KERN_NO_ACCESS" },
    { 9, "KERN_MEMORY_FAILURE" },
    { 10, "KERN_MEMORY_ERROR" },
    { 12, "KERN_NOT_IN_SET" },
    { 13, "KERN_NAME_EXISTS" },
    { 14, "KERN_ABORTED" },
    { 15, "KERN_INVALID_NAME" },
    { 16, "KERN_INVALID_TASK" },
    { 17, "KERN_INVALID_RIGHT" },
    { 18, "KERN_INVALID_VALUE" },
    { 19, "KERN_UREFS_OVERFLOW" },
    { 20, "KERN_INVALID_CAPABILITY" },
    { 21, "KERN_RIGHT_EXISTS" },
    { 22, "KERN_INVALID_HOST" },
    { 23, "KERN_MEMORY_PRESENT" },
    { 24, "KERN_WRITE_PROTECTION_FAILURE" },
    { 26, "KERN_TERMINATED" },
    { 27, "KERN_TIMEDOUT" },
    { 28, "KERN_INTERRUPTED" },
    { 0x10000001, "MACH_SEND_IN_PROGRESS" },
    { 0x10000002, "MACH_SEND_INVALID_DATA" },
    { 0x10000003, "MACH_SEND_INVALID_DEST" },
    { 0x10000004, "MACH_SEND_TIMED_OUT" },
    { 0x10000005, "MACH_SEND_WILL_NOTIFY" },
    { 0x10000006, "MACH_SEND_NOTIFY_IN_PROGRESS" },
    { 0x10000007, "MACH_SEND_INTERRUPTED" },
    { 0x10000008, "MACH_SEND_MSG_TOO_SMALL" },
    { 0x10000009, "MACH_SEND_INVALID_REPLY" },
    { 0x1000000a, "MACH_SEND_INVALID_RIGHT" },
    { 0x1000000b, "MACH_SEND_INVALID_NOTIFY" },
    { 0x1000000c, "MACH_SEND_INVALID_MEMORY" },
    { 0x1000000d, "MACH_SEND_NO_BUFFER" },
    { 0x1000000e, "MACH_SEND_NO_NOTIFY" },
    { 0x1000000f, "MACH_SEND_INVALID_TYPE" },
    { 0x10000010, "MACH_SEND_INVALID_HEADER" },
    { 0x10004001, "MACH_RCV_IN_PROGRESS" },
    { 0x10004002, "MACH_RCV_INVALID_NAME" },
    { 0x10004003, "MACH_RCV_TIMED_OUT" },
    { 0x10004004, "MACH_RCV_TOO_LARGE" },
    { 0x10004005, "MACH_RCV_INTERRUPTED" },
    { 0x10004006, "MACH_RCV_PORT_CHANGED" },
    { 0x10004007, "MACH_RCV_INVALID_NOTIFY" },
    { 0x10004008, "MACH_RCV_INVALID_DATA" },
    { 0x10004009, "MACH_RCV_PORT_DIED" },
    { 0x1000400a, "MACH_RCV_IN_SET" },
    { 0x1000400b, "MACH_RCV_HEADER_ERROR" },
    { 0x1000400c, "MACH_RCV_BODY_ERROR" },
    { -300, "MIG_TYPE_ERROR" },
    { -301, "MIG_REPLY_MISMATCH" },
    { -302, "MIG_REMOTE_ERROR" },
    { -303, "MIG_BAD_ID" },
    { -304, "MIG_BAD_ARGUMENTS" },
    { -305, "MIG_NO_REPLY" },
    { -306, "MIG_EXCEPTION" },
    { -307, "MIG_ARRAY_TOO_LARGE" },
    { -308, "MIG_SERVER_DIED" },
    { -309, "MIG_DESTROY_REQUEST" },
    { 2500, "D_IO_ERROR" },
    { 2501, "D_WOULD_BLOCK" },
    { 2502, "D_NO_SUCH_DEVICE" },
    { 2503, "D_ALREADY_OPEN" },
    { 2504, "D_DEVICE_DOWN" },
    { 2505, "D_INVALID_OPERATION" },
    { 2506, "D_INVALID_RECNUM" },
    { 2507, "D_INVALID_SIZE" },
    { 2508, "D_NO_MEMORY" },
    { 2509, "D_READ_ONLY" },
};
} // namespace

const char* status_name(int code)
{
    for (const Name& n : names)
        if (n.code == code)
            return n.name;
    return nullptr;
}

} // namespace base
