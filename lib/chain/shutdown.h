// The one way down of the chain. Whatever ends it — init's end, a link that fails, a next link
// that crashed or ended, a driver given up — goes through shut_down(), which writes the rule
// once:
//   1. the root filesystem, if it is alive, writes everything and marks itself clean
//      (fsys_goaway: its sync ends with DEV_FLUSH_CACHE, so the disk server flushes the disk's
//      write cache too);
//   2. the machine powers off with the status: QEMU's test device first (the status reaches the
//      host), then acpi_sleep(5) on the acpi link when the chain has one, then the kernel's halt.
// The filesystem is reached in one of three ways, whichever this link has:
//   - it is this link (ext2fs): its Filesystem is called directly;
//   - it is below this link (pci-arbiter, rumpdisk): when its link starts serving, it makes a
//     port on which only fsys_syncfs and fsys_goaway are answered and registers a send right to
//     it with the links above (chain_shutdown.defs, forwarded link by link);
//   - it is above this link (exec): the upstream port, which answers fsys_goaway
//     (LinkConfig::upstream = Upstream::Filesystem).
// The call is bounded (filesystem_bound_ms): a filesystem that died fails it at once, one that
// hangs costs that long, never more. A filesystem that died cannot save what it had not synced:
// the shutdown says so, and what it synced before is on the disk.
#pragma once

#include "base/result.h"
#include "base/string_view.h"
#include "runtime/rights.h"

namespace chain {

class Link;

class Shutdown {
public:
    // How long a filesystem has to write everything and go away.
    static constexpr unsigned filesystem_bound_ms = 20000;

    // The filesystem's link, when it starts serving: the port for the links above, and its
    // registration with them.
    base::Result<void> offer_filesystem(Link&);
    // The filesystem is reached through `port` (registered from below, or the upstream).
    void set_filesystem_port(runtime::SendRight port, base::StringView name);
    bool has_filesystem_port() const { return m_filesystem.valid(); }
    // Whether fsys_syncfs and fsys_goaway on `port` reach this link's filesystem.
    bool is_filesystem_port(mach_port_t port) const { return m_port.valid() && port == m_port.name(); }

    // shutdown_register on this link's port `port`.
    kern_return_t registered(Link&, mach_port_t port, runtime::SendRight filesystem, base::StringView name);

    // The power-off asks the acpi link above, if there is one, when QEMU's test device is absent
    // (runtime/power.h). Every link below acpi; Link::start sets it.
    static void use_acpi_power_off();

    // How the way down ends: the power-off, or a reset (a shell's `reboot`, through init and
    // exec: the acpi link's reset register where it has one, else the kernel's host_reboot).
    enum class End { PowerOff, Reboot };
    // The status init ends with to ask for End::Reboot (program::reboot_request).
    static constexpr int reboot_request = 0x200;

    // The rule above; `status` is the power-off status.
    [[noreturn]] void shut_down(Link&, int status, End = End::PowerOff);

private:
    void put_filesystem_away(Link&);

    runtime::ReceiveRight m_port; // the filesystem's link: the port registered above
    runtime::SendRight m_filesystem; // a filesystem below or above
    base::BoundedString<64> m_filesystem_name;
    bool m_going_down = false;
};

Shutdown& shutdown();

} // namespace chain
