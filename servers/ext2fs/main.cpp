// ext2fs, the root filesystem server. It hands its port to exec first (--exec-server-task, or
// --next-task), as the seed says; then opens its root device through the device master it got
// from its bootstrap port (rumpdisk), mounts it with the ext2 library and serves the file
// protocol (fs.defs) on node ports, and fsys_getroot on its own port: that is how exec reaches
// '/'. A root device that cannot be opened or mounted fails the chain with a sentence.
//
//   ext2fs [--readonly] [--cache-kib=N] [--multiboot-command-line='... root=SPEC ...']
//          [-T|--store-type=typed|device|part] [SPEC]
//          [--fault-after=N]   (a test hook: fault_hook.h)
//   SPEC: part:N:device:NAME (partition N of disk NAME, which rumpdisk serves as NAMEsN),
//         device:NAME, or a device name (wd0s1); with -T, libstore's name of that store type
//         (the Hurd's own boot entry says `-T typed '${root}'`).
#include "base/options.h"
#include "block_device.h"
#include "chain/link.h"
#include "chunk_memory.h"
#include "ext2/ext2_layout.h"
#include "ext2/filesystem.h"
#include "fault_hook.h"
#include "fsclient/status.h"
#include "node_server.h"
#include "protocol.h"
#include "root_spec.h"
#include "runtime/console.h"

namespace {

// The ext2 library's codes by name, then the protocol's and Mach's.
struct Why {
    base::Error error;
};

// Seconds since 1970 from the kernel's clock, for inode and superblock times.
class WallClock final : public ext2::Clock {
public:
    uint32_t now() override
    {
        time_value64_t t {};
        if (host_get_time64(mach_host_self(), &t) != KERN_SUCCESS || t.seconds <= 0)
            return 0;
        return static_cast<uint32_t>(t.seconds);
    }
};

// What the ext2 library tells while it serves (a group whose bitmap it stopped trusting, an
// undo that failed), on the console.
class ConsoleNotes final : public ext2::Notes {
public:
    void note(base::StringView sentence) override { runtime::report("{}", sentence); }
};

// The revision of the mounted filesystem, for the mount line (the library does not report it).
unsigned revision_of(ext2fs::MachBlockDevice& device)
{
    constexpr uint32_t bytes = 1024;
    if (device.sector_size() > bytes)
        return 1;
    alignas(8) static char superblock[bytes];
    uint64_t sector = ext2::layout::superblock_offset / device.sector_size();
    if (device.read(sector, bytes / device.sector_size(), superblock).is_error())
        return 1;
    return reinterpret_cast<const ext2::layout::Superblock*>(superblock)->rev_level;
}

} // namespace

template<> struct base::Formatter<Why> {
    static void format(Sink& s, const FormatSpec& spec, const Why& w)
    {
        if (w.error.context())
            base::format(s, "{}: ", w.error.context());
        if (const char* name = ext2::error_name(w.error.code()))
            format_string(s, spec, name);
        else
            Formatter<fsclient::Status>::format(s, spec, fsclient::Status { w.error.code() });
    }
};

int module_main(int argc, char** argv)
{
    base::OptionParser options("ext2fs");
    base::StringView command_line;
    bool readonly = false;
    unsigned long long cache_kib = 1024;
    options.add_text("multiboot-command-line", command_line, "the kernel's command line (root=SPEC)");
    options.add_flag("readonly", readonly, "mount the root filesystem read-only");
    base::StringView store_type;
    options.add_text("store-type", store_type, "libstore's store type of SPEC: typed, device or part");
    options.add_short('T', "store-type");
    options.add_number("cache-kib", cache_kib, "the block cache's budget, in KiB (default 1024)");
    unsigned long long fault_after = 0;
    options.add_number(
        "fault-after", fault_after, "test hook: a real invalid memory access at the Nth io_write request (tests only)");
    auto& link = chain::link();
    auto started = link.start(argc, argv, { "ext2fs", "exec-server-task" }, options);
    if (started.is_error())
        link.fail("{}", started.error());

    if (options.positional_count() > 1)
        link.fail("more than one root device given ('{}' and '{}')", options.positional(0), options.positional(1));
    base::StringView spec
        = options.positional_count() == 1 ? options.positional(0) : ext2fs::root_from_command_line(command_line);
    if (spec.empty())
        link.fail("no root device: give part:N:device:NAME or a device name, or root= in "
                  "--multiboot-command-line");
    auto root = ext2fs::parse_root_spec(spec, store_type);
    if (root.is_error())
        link.fail("root device '{}': {}", spec, root.error().context());
    base::StringView device_name = root.value().name.view();
    if (cache_kib < 64 || cache_kib > 256 * 1024)
        link.fail("--cache-kib={} is not from 64 to 262144", cache_kib);

    if (link.has_upstream())
        link.note_bootstrap_use("disk");
    auto device = ext2fs::MachBlockDevice::open(runtime::privileged_ports().device_master, device_name,
        readonly ? ext2fs::DeviceAccess::ReadOnly : ext2fs::DeviceAccess::ReadWrite);
    if (device.is_error())
        link.fail("cannot open the root device {}: {}", device_name, Why { device.error() });

    static WallClock clock;
    ext2::MountOptions mount_options;
    bool device_read_only = device.value()->access() == ext2fs::DeviceAccess::ReadOnly;
    mount_options.mode = readonly || device_read_only ? ext2::MountMode::ReadOnly : ext2::MountMode::ReadWrite;
    mount_options.cache_bytes = static_cast<size_t>(cache_kib) * 1024;
    static ext2fs::VmChunkMemory chunk_memory;
    mount_options.chunk_memory = &chunk_memory;
    mount_options.data_cache_bytes = ext2fs::data_cache_budget();
    mount_options.clock = &clock;
    static ConsoleNotes notes;
    mount_options.notes = &notes;
    auto mounted = ext2::Filesystem::mount(*device.value(), mount_options);
    if (mounted.is_error())
        link.fail("cannot mount {}: {}", device_name, Why { mounted.error() });
    base::Own<ext2::Filesystem> fs = mounted.release_value();

    ext2::StatFs st = fs->statfs();
    runtime::report("mounted {} (ext2 rev {}, {}-byte blocks, {} blocks, {} free; {})", device_name,
        revision_of(*device.value()), st.block_size, st.blocks, st.free_blocks,
        fs->read_only() ? "read-only" : "read-write");
    if (!fs->mount_note().empty())
        runtime::report("{}", fs->mount_note());
    if (device_read_only && !readonly)
        runtime::report("{} cannot be written: mounted read-only", device_name);

    if (fault_after)
        runtime::report("test hook: --fault-after={}: faulting at io_write request {}", fault_after, fault_after);
    ext2fs::fault_after_writes(fault_after);
    static ext2fs::NodeServer server(
        *device.value(), static_cast<base::Own<ext2::Filesystem>&&>(fs), mount_options, device_name);
    link.set_filesystem(server);
    link.server().add_demux(fs_server);
    link.run();
}
