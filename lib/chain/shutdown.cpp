// The chain's one way down (shutdown.h): the filesystem put away, then the power-off; and the
// registration that lets the links above the filesystem reach it (chain_shutdown.defs).
#include "chain/shutdown.h"

#include "chain/link.h"
#include "fsclient/status.h"
#include "runtime/console.h"
#include "runtime/msg.h"
#include "runtime/power.h"

extern "C" {
#include "acpi_U.h"
#include "chain_shutdown_S.h"
#include "chain_shutdown_U.h"
#include "fsys_U.h"

boolean_t chain_shutdown_server(mach_msg_header_t*, mach_msg_header_t*);
}

namespace chain {

namespace {

constexpr int acpi_power_off_state = 5; // S5

// The power-off of a link below acpi: acpi_sleep(5) on the "acpi" its device master forwards
// up to the acpi link. A chain without one answers D_NO_SUCH_DEVICE, and the kernel's halt
// follows.
void power_off_through_acpi()
{
    mach_port_t master = runtime::privileged_ports().device_master;
    mach_port_t acpi = MACH_PORT_NULL;
    char name[] = "acpi";
    if (!MACH_PORT_VALID(master) || device_open(master, D_READ | D_WRITE, name, &acpi) != KERN_SUCCESS)
        return;
    runtime::println("boot: power-off through acpi");
    runtime::console().flush();
    kern_return_t r = acpi_sleep(acpi, acpi_power_off_state);
    runtime::report("acpi_sleep(5) failed: {}", base::Status { r });
    mach_port_deallocate(mach_task_self(), acpi);
}

// The reset: acpi_reset on the acpi link (its reset register, or the kernel's reboot, which it
// holds the host port for); else this link's own host port; else the power-off.
[[noreturn]] void reboot(int status)
{
    mach_port_t master = runtime::privileged_ports().device_master;
    mach_port_t acpi = MACH_PORT_NULL;
    char name[] = "acpi";
    runtime::println("boot: reboot by {}", runtime::program_name());
    runtime::console().flush();
    if (MACH_PORT_VALID(master) && device_open(master, D_READ | D_WRITE, name, &acpi) == KERN_SUCCESS) {
        kern_return_t r = acpi_reset(acpi);
        runtime::report("acpi_reset failed: {}", base::Status { r });
        mach_port_deallocate(mach_task_self(), acpi);
    }
    mach_port_t host = runtime::privileged_ports().host_priv;
    if (MACH_PORT_VALID(host))
        host_reboot(host, 0);
    runtime::report("cannot reboot: no acpi link and no host port; powering off instead");
    runtime::power_off(status);
}

} // namespace

void Shutdown::use_acpi_power_off()
{
    runtime::set_power_off_method(power_off_through_acpi);
}

Shutdown& shutdown()
{
    static Shutdown instance;
    return instance;
}

base::Result<void> Shutdown::offer_filesystem(Link& link)
{
    m_port = TRY(runtime::ReceiveRight::allocate());
    TRY(link.server().add_port(m_port.name()));
    if (!link.has_upstream())
        return {};
    // The links above keep their own copies: ours goes at the end of this function.
    auto right = TRY(m_port.make_send());
    char name[64] = {};
    base::StringView own = link.name();
    for (size_t i = 0; i < own.size() && i + 1 < sizeof(name); ++i)
        name[i] = own[i];
    MACH_TRY(shutdown_register(link.upstream(), right.name(), name),
        "registering the filesystem's shutdown port with the links above (shutdown_register)");
    return {};
}

void Shutdown::set_filesystem_port(runtime::SendRight port, base::StringView name)
{
    m_filesystem = static_cast<runtime::SendRight&&>(port);
    m_filesystem_name.assign(name);
}

kern_return_t Shutdown::registered(Link& link, mach_port_t port, runtime::SendRight filesystem, base::StringView name)
{
    // Only the link below holds the bootstrap port, and it registers once: nothing else can
    // become the filesystem a shutdown puts away.
    if (!link.is_bootstrap(port) || m_filesystem.valid() || link.filesystem()) {
        filesystem.release(); // the server loop releases what a refused request carried
        return KERN_INVALID_CAPABILITY;
    }
    set_filesystem_port(static_cast<runtime::SendRight&&>(filesystem), name);
    // And on up, so that every link above the filesystem can put it away.
    if (link.has_upstream()) {
        kern_return_t r = shutdown_register(link.upstream(), m_filesystem.name(), m_filesystem_name.c_str());
        if (r != KERN_SUCCESS)
            runtime::report(
                "cannot pass {}'s shutdown port up the chain: {}", m_filesystem_name.view(), base::Status { r });
    }
    return KERN_SUCCESS;
}

void Shutdown::put_filesystem_away(Link& link)
{
    if (Filesystem* fs = link.filesystem()) {
        auto away = fs->go_away(0);
        if (away.is_error())
            runtime::report("the root filesystem could not be put away: {}", fsclient::ErrorText { away.error() });
        return;
    }
    if (!m_filesystem.valid())
        return;
    // The reply wait is bounded by the RPC timeout, set to the filesystem's bound. Not a
    // ClientCallBound: that lets the link's other threads serve meanwhile (and may start one),
    // while nothing but the shutdown should run now. The send does not wait: the port is the
    // chain's own (the upstream's bootstrap port, or the shutdown port only links hold), so its
    // queue has room.
    unsigned previous = runtime::rpc_timeout();
    runtime::set_rpc_timeout(filesystem_bound_ms);
    kern_return_t r = fsys_goaway(m_filesystem.name(), 0);
    runtime::set_rpc_timeout(previous);
    base::StringView name = m_filesystem_name.view();
    if (r == KERN_SUCCESS)
        return;
    if (r == MACH_SEND_INVALID_DEST || r == MIG_SERVER_DIED || r == MACH_RCV_PORT_DIED)
        runtime::report("{} is gone: what it had not synced is lost, what it synced is on the disk", name);
    else if (r == MACH_RCV_TIMED_OUT)
        runtime::report(
            "{} did not put itself away within {} s: what it had not synced is lost", name, filesystem_bound_ms / 1000);
    else
        runtime::report("{} could not be put away: {}", name, fsclient::Status { r });
}

void Shutdown::shut_down(Link& link, int status, End end)
{
    if (m_going_down) {
        // A second way down while the first waits for the filesystem (on another thread of
        // this link): the first powers off within its bound; this one only if it does not.
        runtime::sleep_ms(filesystem_bound_ms + 2000);
        runtime::power_off(status);
    }
    m_going_down = true;
    put_filesystem_away(link);
    if (end == End::Reboot)
        reboot(status);
    runtime::power_off(status);
}

} // namespace chain

extern "C" kern_return_t S_shutdown_register(mach_port_t port, mach_port_t filesystem, const char* name)
{
    return chain::shutdown().registered(chain::link(), port, runtime::SendRight::adopt(filesystem), name);
}
