// One link of the boot chain, as the seed describes it: the hand-off to the next task and the
// link's two ports. Every server of the chain (pci-arbiter, rumpdisk, ext2fs, exec) is a Link.
//
//   start():  options (--host-priv-port, --device-master-port, the link's own hand-off option
//             and --next-task); privileged ports from the options or, through fsys_getpriv
//             (fsys 22006), from the bootstrap port; the console; then the hand-off: the next
//             task's TASK_BOOTSTRAP_PORT becomes a send right to this link's bootstrap port, its
//             exception port one of ours (a crash below is reported), and it is resumed. Its
//             first RPC waits in our queue until run() starts serving: that is the readiness
//             signal.
//   run():    prints "boot: NAME ready" and serves; a link that serves a filesystem first
//             registers its shutdown port with the links above (shutdown.h).
//   fail():   prints "boot: NAME failed: WHY" and goes down in order (shutdown.h): the
//             filesystem put away, then the power-off.
//
// The two ports, so that what the next task hands on can never climb back:
//   - the bootstrap port, known to the next task only: fsys_getpriv is answered there once, for
//     its start-up (the host port if policy.h says so, the device master below, no task port),
//     and then refused; fsys_getroot, fsys_syncfs and fsys_goaway go to the link's Filesystem,
//     if it serves one (ext2fs); boot_profile_get; shutdown_register (chain_shutdown.defs).
//   The link above makes these two ports and the supervision port (link.defs: link_ports), so
//   that they outlive this link if the link above restarts it (next_link.h).
//   - the device master handed down: device_open / device_open_new of names a registered
//     DeviceProvider owns are answered here; other names are forwarded up only as the link's
//     policy (policy.h) allows, to the link above's relay if it gave one (serve_relay), else to
//     this link's own device master, and the right handed back; i386_io_perm_create likewise;
//     boot_profile_get. It never answers fsys calls. A relay, if the link serves one, is
//     answered the same way with its own share.
#pragma once

#include "base/options.h"
#include "base/result.h"
#include "base/string_view.h"
#include "boot_profile_types.h"
#include "chain/device_ports.h"
#include "chain/next_link.h"
#include "chain/policy.h"
#include "fs_types.h"
#include "runtime/mach.h"
#include "runtime/rights.h"
#include "runtime/server.h"

namespace chain {

// A name space of devices a link serves through device_open on its port.
class DeviceProvider {
public:
    // Whether this provider serves the name (then open() answers, else the name goes upstream).
    virtual bool owns(base::StringView name) const = 0;
    // Returns a send right for the opened device (moved to the client), or a D_* error.
    virtual base::Result<runtime::SendRight> open(base::StringView name, dev_mode_t mode) = 0;

protected:
    ~DeviceProvider() = default;
};

// The filesystem a link serves (ext2fs): the fsys calls on the link's port other than
// fsys_getpriv reach it. A link without one answers them MIG_BAD_ID.
class Filesystem {
public:
    // fsys_getroot: a new send right to a port on the root directory, opened with flags, that
    // carries identity (fsys_getroot's gen_uids and gen_gids; at most FS_IDS_MAX of each).
    virtual base::Result<runtime::SendRight> root(int flags, const fs_identity& identity) = 0;
    // fsys_syncfs: everything written to the disk.
    virtual base::Result<void> sync() = 0;
    // fsys_goaway: everything written, the filesystem marked clean; the server goes on
    // read-only (a link never ends).
    virtual base::Result<void> go_away(int flags) = 0;
    // fsys_set_options: run-time options, as words each ending with a zero (fsys.defs).
    virtual base::Result<void> set_options(base::StringView words) = 0;
    // fsys_get_options: the current options in the same form into out; how many bytes.
    virtual base::Result<size_t> options(char* out, size_t capacity) = 0;
    // Whether port is the filesystem's own control port (fs.defs: file_getcontrol), on which
    // fsys_set_options, fsys_get_options and fsys_syncfs are answered too.
    virtual bool is_control_port(mach_port_t port) const = 0;

protected:
    ~Filesystem() = default;
};

// I/O ranges a link grants below beyond its policy's (the arbiter: the ports of the controllers
// it gives rumpdisk).
class IoGrants {
public:
    virtual bool allows(uint16_t from, uint16_t to) const = 0;

protected:
    ~IoGrants() = default;
};

// What one device master of a link gives its holder beyond what the policy forwards: the names
// its providers serve, the device ports they hand out, and I/O ranges.
struct Share {
    static constexpr size_t max_providers = 4;
    DeviceProvider* providers[max_providers] = {};
    size_t provider_count = 0;
    DevicePorts* device_ports = nullptr;
    IoGrants* io_grants = nullptr;

    DeviceProvider* provider_for(base::StringView name) const;
};

// Who holds a device master of a link: the next link (the device master handed down), or the
// links below it, through the relay (Link::serve_relay).
enum class Holder { NextLink, BelowNextLink };

// What the link above is: another link, or the root filesystem (exec's upstream is ext2fs's
// bootstrap port), which the shutdown then puts away (shutdown.h).
enum class Upstream { Link, Filesystem };

struct LinkConfig {
    // The server's name in messages ("pci-arbiter"); argv[0] of the module line if empty.
    base::StringView name;
    // The seed's hand-off option for this link, without "--" ("disk-server-task"), or empty.
    base::StringView next_option;
    Upstream upstream = Upstream::Link;
};

class Link {
public:
    static constexpr size_t max_providers = Share::max_providers;

    // The server registers its own options on the parser before start(); start() adds the
    // chain's. On any error start() prints a sentence naming what was wrong, then powers the
    // machine off with a non-zero status: a broken chain never hangs.
    base::Result<void> start(int argc, char** argv, const LinkConfig&, base::OptionParser& options);

    // What each device master gives beyond the policy: providers, the server of the device
    // ports they hand out (at most one), and I/O ranges. BelowNextLink fills the relay's share.
    void add_provider(DeviceProvider&, Holder = Holder::NextLink);
    void set_device_ports(DevicePorts& ports, Holder holder = Holder::NextLink) { share(holder).device_ports = &ports; }
    void set_io_grants(IoGrants& grants, Holder holder = Holder::NextLink) { share(holder).io_grants = &grants; }
    DevicePorts* device_ports_for(mach_port_t port) const;
    const Policy& policy() const { return *m_policy; }
    // Whether I/O permission for [from, to] may be given to the holder of that share.
    bool allows_io(const Share& share, uint16_t from, uint16_t to) const
    {
        return m_policy->io(from, to) || (share.io_grants && share.io_grants->allows(from, to));
    }

    // The relay: a second device master, for a link whose next link and the links below that
    // are to get different shares of the machine. The arbiter makes one when acpi is its next
    // link: acpi's device master then carries the firmware's tables and ports, the relay the
    // disk controllers. The next link asks for the relay (link.defs: link_relay) and forwards
    // what the links below it ask there (forward_master); its own requests go to its device
    // master. It only spares the next link a share it has no use for: a link that holds the
    // next task's task port has all of that task's authority anyway.
    base::Result<void> serve_relay();
    // The relay's name (link_relay makes the next link a send right), or null when there is none.
    mach_port_t relay() const { return m_relay.name(); }
    // The share of the device master `port` names, or null when it is not one of this link's.
    const Share* share_for(mach_port_t port) const;
    // Where this link forwards what the links below it ask: the link above's relay, if it
    // gave one, else this link's own device master.
    mach_port_t forward_master() const;
    void set_filesystem(Filesystem& fs) { m_filesystem = &fs; }
    Filesystem* filesystem() const { return m_filesystem; }
    runtime::Server& server() { return m_server; }
    base::StringView name() const { return m_name; }

    // Whether this link's device master is the upstream link's port, got through its bootstrap
    // port (and not from --device-master-port).
    // A link below this one died (the next link, or one further down that the next link told
    // of): runs the death hook of the next link (next_link.h) and tells the link above.
    void below_died();
    bool has_upstream() const { return m_device_master_from_upstream; }
    // The upstream's port (the device master of this link), or null for the first link.
    mach_port_t upstream() const { return m_upstream.name(); }
    // Prints "boot: NAME uses bootstrap port for WHAT" once.
    void note_bootstrap_use(base::StringView what);

    // Prints "boot: NAME ready" and serves forever.
    [[noreturn]] void run();

    // The boot profile: the entries of the links above (asked through the bootstrap port) and
    // this link's own, at most `max`; returns how many were written. See defs/boot_profile.defs.
    size_t profile(boot_profile_entry_t* out, size_t max);
    uint64_t started_ms() const { return m_started_ms; }
    uint64_t ready_ms() const { return m_ready_ms; }

    // Prints "boot: NAME failed: ..." and goes down in order with a non-zero status: the root
    // filesystem, if alive, written and marked clean, then the power-off (shutdown.h).
    template<typename... Args> [[noreturn]] void fail(base::StringView fmt, const Args&... args)
    {
        base::BufferSink<256> why;
        base::format(why, fmt, args...);
        fail_with(FailureStatus::LinkFailed, why.view());
    }

    // Power-off statuses of a broken chain, as the runner reports them.
    // (2 is the runner's own status for a failed run, so it is not used.)
    enum class FailureStatus { LinkFailed = 1, NextLinkDied = 3 };
    // The one place every failure of a link goes through. NextLinkDied also ends the next
    // task: one that crashed sits in its exception holding its ports, and calls on them (a
    // filesystem's on its disk server, a shutdown's on the filesystem) would wait for it.
    [[noreturn]] void fail_with(FailureStatus, base::StringView why);

    // Used by the MIG handlers of the link's ports (device_master.cpp, supervision.cpp).
    bool is_device_master(mach_port_t port) const { return port == m_port.name(); }
    bool is_bootstrap(mach_port_t port) const { return port == m_bootstrap.name(); }
    // fsys_getpriv's answer is given once per instance of the next link: true the first time.
    bool take_getpriv() { return m_next.take_getpriv(); }
    // The device master this link hands down (exec gives it to init).
    mach_port_t link_port() const { return m_port.name(); }
    bool is_supervision_port(mach_port_t port) const { return port == m_supervision.name(); }
    mach_port_t next_task() const { return m_next.task(); }
    base::StringView next_name() const { return m_next.name(); }
    NextLink& next() { return m_next; }
    // This link's instance: 1, or 2, 3, ... once the link above restarted it (next_link.h).
    unsigned instance() const { return m_instance; }

private:
    base::Result<void> take_privileged_ports(unsigned long long host, unsigned long long device);
    base::Result<runtime::SendRight> take_ports();
    base::Result<void> hand_off(mach_port_t next);
    void take_relay();
    Share& share(Holder holder) { return m_shares[static_cast<int>(holder)]; }

    base::StringView m_name;
    runtime::ReceiveRight m_port; // the device master handed down
    runtime::ReceiveRight m_bootstrap; // the next task's bootstrap port
    runtime::ReceiveRight m_supervision; // exceptions and the death notice of the next task
    runtime::SendRight m_upstream; // the bootstrap port, if an upstream link set it
    NextLink m_next;
    unsigned m_instance = 1;
    Share m_shares[2]; // by Holder
    runtime::ReceiveRight m_relay; // served to the next link, for the links below it
    runtime::SendRight m_relay_above; // the link above's relay, where requests from below go
    Filesystem* m_filesystem = nullptr;
    const Policy* m_policy = nullptr;
    runtime::Server m_server;
    bool m_noted_bootstrap_use = false;
    uint64_t m_started_ms = 0;
    uint64_t m_ready_ms = 0;
    bool m_device_master_from_upstream = false;
};

// The link of this task.
Link& link();

} // namespace chain
