// links: the chain's links, one line each, as MINIX's `service` lists its drivers: each link's
// state, its instance and how often the link above restarted it, its resident memory, and when
// it started and was ready (ms since the kernel started). The chain answers through the device
// master (boot_profile_get, defs/boot_profile.defs): each link gives its own line, so a link
// being restarted answers once its new instance serves.
//
//   links
#include "program/program.h"

extern "C" {
#include "boot_profile_U.h"
}

int program_main(int, char**)
{
    boot_profile_entry_t entries[16] = {};
    mach_msg_type_number_t count = 16;
    kern_return_t kr = KERN_INVALID_CAPABILITY;
    if (MACH_PORT_VALID(program::self().device_master()))
        kr = boot_profile_get(program::self().device_master(), entries, &count);
    if (kr != KERN_SUCCESS) {
        program::complain(
            "the chain does not answer (boot_profile_get on the device master): {}", program::ErrorText { kr });
        return 1;
    }
    program::println("{:<14} {:<9} {:>8} {:>8} {:>10} {:>9} {:>9}", "link", "state", "instance", "restarts", "resident",
        "started", "ready");
    for (mach_msg_type_number_t i = 0; i < count && i < 16; ++i) {
        const auto& e = entries[i];
        size_t n = 0;
        while (n < sizeof e.name && e.name[n])
            ++n;
        auto resident = base::formatted<16>("{} KiB", e.resident_kib);
        program::println("{:<14} {:<9} {:>8} {:>8} {:>10} {:>9} {:>9}", base::StringView(e.name, n),
            e.ready_ms ? "serving" : "starting", e.restarts + 1, e.restarts, resident.view(), e.started_ms, e.ready_ms);
    }
    return 0;
}
