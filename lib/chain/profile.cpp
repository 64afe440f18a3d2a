// The boot profile: each link's start and ready times and resident memory, gathered up the
// chain (see defs/boot_profile.defs).
#include "chain/link.h"
#include "runtime/console.h"

extern "C" {
#include "boot_profile_S.h"
#include "boot_profile_U.h"
}

namespace chain {

static uint32_t resident_kib()
{
    struct task_basic_info info { };
    mach_msg_type_number_t count = TASK_BASIC_INFO_COUNT;
    if (task_info(mach_task_self(), TASK_BASIC_INFO, reinterpret_cast<task_info_t>(&info), &count) != KERN_SUCCESS)
        return 0;
    return static_cast<uint32_t>(info.resident_size / 1024);
}

size_t Link::profile(boot_profile_entry_t* out, size_t max)
{
    size_t n = 0;
    if (m_upstream.valid() && max > 1) {
        // The upstream answers from its own server loop; a link above that is not one of ours
        // (or too old) answers MIG_BAD_ID, and the profile starts here.
        boot_profile_entry_t entries[16];
        mach_msg_type_number_t count = 16;
        if (boot_profile_get(m_upstream.name(), entries, &count) == KERN_SUCCESS)
            for (mach_msg_type_number_t i = 0; i < count && n + 1 < max; ++i)
                out[n++] = entries[i];
    }
    if (n < max) {
        boot_profile_entry_t& own = out[n++];
        own = {};
        for (size_t i = 0; i < m_name.size() && i + 1 < sizeof own.name; ++i)
            own.name[i] = m_name[i];
        own.started_ms = static_cast<uint32_t>(m_started_ms);
        own.ready_ms = static_cast<uint32_t>(m_ready_ms);
        own.resident_kib = resident_kib();
        own.restarts = m_instance - 1;
    }
    return n;
}

} // namespace chain

extern "C" kern_return_t S_boot_profile_get(mach_port_t port, boot_profile_t entries, mach_msg_type_number_t* count)
{
    if (!chain::link().is_device_master(port) && !chain::link().is_bootstrap(port))
        return KERN_INVALID_CAPABILITY;
    // MIG passes the reply's in-line array and its capacity in *count.
    *count = static_cast<mach_msg_type_number_t>(chain::link().profile(entries, *count));
    return KERN_SUCCESS;
}
