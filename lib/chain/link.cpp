// The chain link: start-up, privileged ports, hand-off, and the serving loop.
#include "chain/link.h"

#include "chain/shutdown.h"
#include "runtime/clock.h"
#include "runtime/console.h"
#include "runtime/power.h"
#include "runtime/runtime.h"
#include "runtime/threads.h"

extern "C" {
#include "device_S.h"
#include "exc_S.h"
#include "fsys_S.h"
#include "fsys_U.h"
#include "link_S.h"
#include "link_U.h"
#include "mach_i386_forward_S.h"
#include "notify_S.h"
#include <mach/notify.h>

// The demux functions MIG generates with the server stubs (their headers do not declare them).
boolean_t device_server(mach_msg_header_t*, mach_msg_header_t*);
boolean_t fsys_server(mach_msg_header_t*, mach_msg_header_t*);
boolean_t mach_i386_forward_server(mach_msg_header_t*, mach_msg_header_t*);
boolean_t exc_server(mach_msg_header_t*, mach_msg_header_t*);
boolean_t notify_server(mach_msg_header_t*, mach_msg_header_t*);
boolean_t boot_profile_server(mach_msg_header_t*, mach_msg_header_t*);
boolean_t link_server(mach_msg_header_t*, mach_msg_header_t*);
boolean_t chain_shutdown_server(mach_msg_header_t*, mach_msg_header_t*);
}

namespace chain {

Link& link()
{
    static Link instance;
    return instance;
}

// Whether `name` is a send right in this task: what a port option must name.
static bool is_send_right(mach_port_t name)
{
    mach_port_type_t type = 0;
    return MACH_PORT_VALID(name) && mach_port_type(mach_task_self(), name, &type) == KERN_SUCCESS
        && (type & MACH_PORT_TYPE_SEND);
}

base::Result<void> Link::take_privileged_ports(unsigned long long host, unsigned long long device)
{
    auto& ports = runtime::privileged_ports();
    if (host)
        ports.host_priv = static_cast<mach_port_t>(host);
    if (device)
        ports.device_master = static_cast<mach_port_t>(device);
    if (host && device)
        return {};
    if (!m_upstream.valid())
        return {};
    // The Hurd's protocol: ask the bootstrap port (the upstream link) for the privileged ports.
    // The reply waits in the upstream's queue until it has finished its own set-up.
    mach_port_t host_priv = MACH_PORT_NULL, device_master = MACH_PORT_NULL, upstream_task = MACH_PORT_NULL;
    MACH_TRY(fsys_getpriv(m_upstream.name(), &host_priv, &device_master, &upstream_task),
        "asking the bootstrap port for the privileged ports (fsys_getpriv)");
    if (!host)
        ports.host_priv = host_priv;
    else if (MACH_PORT_VALID(host_priv))
        mach_port_deallocate(mach_task_self(), host_priv);
    if (!device) {
        ports.device_master = device_master;
        m_device_master_from_upstream = true;
    } else if (MACH_PORT_VALID(device_master))
        mach_port_deallocate(mach_task_self(), device_master);
    if (MACH_PORT_VALID(upstream_task))
        mach_port_deallocate(mach_task_self(), upstream_task);
    return {};
}

base::Result<void> Link::start(int argc, char** argv, const LinkConfig& config, base::OptionParser& options)
{
    m_started_ms = runtime::uptime_ms();
    m_name = !config.name.empty() ? config.name : base::StringView(argc > 0 ? argv[0] : "link");
    m_policy = &policy_for(m_name);

    unsigned long long host = 0, device = 0, next = 0;
    options.add_number("host-priv-port", host, "name of the privileged host port (first link)");
    options.add_number("device-master-port", device, "name of the device master port (first link)");
    if (!config.next_option.empty()) {
        options.add_number(config.next_option, next, "task port of the next server of the chain");
        options.add_alias("next-task", config.next_option);
    }
    auto parsed = options.parse(argc, argv);

    mach_port_t bootstrap = MACH_PORT_NULL;
    if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &bootstrap) == KERN_SUCCESS
        && MACH_PORT_VALID(bootstrap))
        m_upstream = runtime::SendRight::adopt(bootstrap);
    // From here on, whatever fails puts the filesystem above away first.
    if (config.upstream == Upstream::Filesystem && m_upstream.valid()) {
        auto copy = m_upstream.copy();
        if (!copy.is_error())
            shutdown().set_filesystem_port(copy.release_value(), "the root filesystem");
    }

    // The console comes first so that every later error can be read. Port options are checked
    // before they are used: a wrong name must give a sentence, not a fault.
    base::BufferSink<256> port_error;
    if (host && !is_send_right(static_cast<mach_port_t>(host))) {
        base::format(port_error, "--host-priv-port={} does not name a send right of this task", host);
        host = 0;
    }
    if (device && !is_send_right(static_cast<mach_port_t>(device))) {
        base::format(port_error, "--device-master-port={} does not name a send right of this task", device);
        device = 0;
    }
    auto privileged = take_privileged_ports(host, device);
    auto& ports = runtime::privileged_ports();
    if (MACH_PORT_VALID(ports.device_master)) {
        auto console = runtime::console().open(ports.device_master);
        if (console.is_error() && !privileged.is_error())
            fail("cannot open the console: {}", console.error());
    }
    if (privileged.is_error())
        fail("{}", privileged.error());
    if (parsed.is_error())
        fail("{}", options.error_message());
    if (!port_error.view().empty())
        fail("{}", port_error.view());
    if (!MACH_PORT_VALID(ports.device_master))
        fail("no device master: give --device-master-port or start me from a link of the chain");
    if (m_device_master_from_upstream)
        Shutdown::use_acpi_power_off();

    // The ports this link serves; a restarted instance gets its next link's task port back too.
    runtime::SendRight restored_next = TRY(take_ports());
    if (m_upstream.valid())
        take_relay();
    TRY(m_server.init());
    TRY(m_server.add_port(m_port.name()));
    TRY(m_server.add_port(m_bootstrap.name()));
    TRY(m_server.add_port(m_supervision.name()));
    m_server.add_demux(device_server);
    m_server.add_demux(fsys_server);
    m_server.add_demux(mach_i386_forward_server);
    m_server.add_demux(exc_server);
    m_server.add_demux(notify_server);
    m_server.add_demux(boot_profile_server);
    m_server.add_demux(link_server);
    m_server.add_demux(chain_shutdown_server);

    if (m_instance > 1) {
        // Restarted: the next link runs already and keeps its ports (they are the same); the
        // hand-off option of the module line is the first instance's.
        if (restored_next.valid()) {
            TRY(m_next.adopt_running(restored_next.release(), m_supervision.name()));
            runtime::println("boot: {} (instance {}) serves {} again", m_name, m_instance, m_next.name());
        }
    } else if (!config.next_option.empty() && options.seen(config.next_option)) {
        if (!is_send_right(static_cast<mach_port_t>(next)))
            fail("--{}={} does not name a task port of this task", options.spelling(config.next_option), next);
        auto handed = hand_off(static_cast<mach_port_t>(next));
        if (handed.is_error())
            fail("handing off to the task in --{}={}: {}", options.spelling(config.next_option), next, handed.error());
    } else if (!m_upstream.valid()) {
        if (config.next_option.empty())
            fail("no bootstrap port: I must be started by a link of the chain");
        fail("no next task (--{} or --next-task) and no bootstrap port: nothing could ever reach me",
            config.next_option);
    }
    return {};
}

base::Result<runtime::SendRight> Link::take_ports()
{
    if (m_upstream.valid()) {
        int instance = 0;
        mach_port_t device_master = MACH_PORT_NULL, bootstrap = MACH_PORT_NULL, supervision = MACH_PORT_NULL;
        mach_port_t next_task = MACH_PORT_NULL;
        kern_return_t r
            = link_ports(m_upstream.name(), &instance, &device_master, &bootstrap, &supervision, &next_task);
        if (r == KERN_SUCCESS) {
            m_instance = instance > 0 ? static_cast<unsigned>(instance) : 1;
            m_port = runtime::ReceiveRight::adopt(device_master);
            m_bootstrap = runtime::ReceiveRight::adopt(bootstrap);
            m_supervision = runtime::ReceiveRight::adopt(supervision);
            return runtime::SendRight::adopt(next_task);
        }
        // A link above that is not one of ours: this link makes its own ports.
        if (r != MIG_BAD_ID)
            return base::Error(r, "asking the link above for this link's ports (link_ports)");
    }
    m_port = TRY(runtime::ReceiveRight::allocate());
    m_bootstrap = TRY(runtime::ReceiveRight::allocate());
    m_supervision = TRY(runtime::ReceiveRight::allocate());
    return runtime::SendRight();
}

base::Result<void> Link::hand_off(mach_port_t next)
{
    TRY(m_next.make_ports(m_supervision.name(), m_policy->restart));
    TRY(m_next.adopt(next));
    TRY(m_next.start(m_bootstrap.name(), m_supervision.name()));
    runtime::println("boot: {} -> {}", m_name, m_next.name());
    if (m_next.restartable()) {
        TRY(runtime::start_thread([](void* next) { static_cast<NextLink*>(next)->watch(); }, &m_next));
    }
    // The link above keeps the next link's task port for a later instance of this link.
    if (m_upstream.valid()) {
        kern_return_t r = link_deposit_next_task(m_upstream.name(), next);
        if (r != KERN_SUCCESS && r != MIG_BAD_ID)
            return base::Error(r, "leaving the next task's port with the link above (link_deposit_next_task)");
    }
    return {};
}

void Link::below_died()
{
    m_next.run_death_hook();
    if (!m_upstream.valid())
        return;
    // Bounded like every RPC; a link above that does not know the call answers MIG_BAD_ID.
    kern_return_t r = link_below_died(m_upstream.name());
    if (r != KERN_SUCCESS && r != MIG_BAD_ID)
        runtime::report("telling the link above that a link below died: {}", base::Status { r });
}

void Link::add_provider(DeviceProvider& p, Holder holder)
{
    // A provider left out would make its names answer D_NO_SUCH_DEVICE: a bug, said at once.
    Share& s = share(holder);
    if (s.provider_count == max_providers)
        fail("more than {} device providers on one device master; raise Share::max_providers", max_providers);
    s.providers[s.provider_count++] = &p;
}

DeviceProvider* Share::provider_for(base::StringView name) const
{
    for (size_t i = 0; i < provider_count; ++i)
        if (providers[i]->owns(name))
            return providers[i];
    return nullptr;
}

DevicePorts* Link::device_ports_for(mach_port_t port) const
{
    for (const Share& s : m_shares)
        if (s.device_ports && s.device_ports->owns(port))
            return s.device_ports;
    return nullptr;
}

const Share* Link::share_for(mach_port_t port) const
{
    if (!MACH_PORT_VALID(port))
        return nullptr;
    if (port == m_port.name())
        return &m_shares[static_cast<int>(Holder::NextLink)];
    if (port == m_relay.name())
        return &m_shares[static_cast<int>(Holder::BelowNextLink)];
    return nullptr;
}

base::Result<void> Link::serve_relay()
{
    if (m_relay.valid())
        return {};
    m_relay = TRY(runtime::ReceiveRight::allocate());
    TRY(m_server.add_port(m_relay.name()));
    return {};
}

void Link::take_relay()
{
    // A link above that is not one of ours answers MIG_BAD_ID: then there is no relay, as when
    // it answers null.
    mach_port_t relay = MACH_PORT_NULL;
    if (link_relay(m_upstream.name(), &relay) == KERN_SUCCESS && MACH_PORT_VALID(relay))
        m_relay_above = runtime::SendRight::adopt(relay);
}

mach_port_t Link::forward_master() const
{
    return m_relay_above.valid() ? m_relay_above.name() : runtime::privileged_ports().device_master;
}

void Link::note_bootstrap_use(base::StringView what)
{
    if (m_noted_bootstrap_use)
        return;
    m_noted_bootstrap_use = true;
    runtime::println("boot: {} uses bootstrap port for {}", m_name, what);
}

void Link::run()
{
    // The links above can put the filesystem away from the start of its service on. Without
    // the registration it still serves: only a failure above it would then not reach it.
    if (m_filesystem) {
        auto offered = shutdown().offer_filesystem(*this);
        if (offered.is_error())
            runtime::report("{}", offered.error());
    }
    m_ready_ms = runtime::uptime_ms();
    runtime::println("boot: {} ready", m_name);
    runtime::println("boot: {} started at {} ms, ready at {} ms", m_name, m_started_ms, m_ready_ms);
    m_server.run();
    fail("its server loop ended");
}

void Link::fail_with(FailureStatus status, base::StringView why)
{
    runtime::println("boot: {} failed: {}", m_name, why);
    if (status == FailureStatus::NextLinkDied && MACH_PORT_VALID(m_next.task()))
        (void)task_terminate(m_next.task());
    shutdown().shut_down(*this, static_cast<int>(status));
}

} // namespace chain
