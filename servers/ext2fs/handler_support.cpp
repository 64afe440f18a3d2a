// The handlers' shared helpers (handler_support.h).
#include "handler_support.h"

#include "runtime/mach.h"

namespace ext2fs {

kern_return_t check_name(const char* name)
{
    size_t n = 0;
    while (n <= FS_NAME_MAX && name[n])
        ++n;
    if (n > FS_NAME_MAX)
        return FS_ENAMETOOLONG;
    if (n == 0)
        return FS_ENOENT;
    return KERN_SUCCESS;
}

size_t bounded_length(const char* s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        ++n;
    return n;
}

uint32_t wall_clock_seconds()
{
    time_value64_t t {};
    static mach_port_t host = mach_host_self();
    if (host_get_time64(host, &t) != KERN_SUCCESS)
        return 0;
    return static_cast<uint32_t>(t.seconds);
}

} // namespace ext2fs
