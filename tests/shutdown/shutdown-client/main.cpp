// shutdown-client: the shutdown tests' module in exec's place (its bootstrap port is ext2fs's).
// It writes /synced-1 ... /synced-N and syncs (file_syncfs), then writes /dirty-1 ... /dirty-M
// and leaves them in ext2fs's cache, then ends as --then says:
//   --then=fault   a real invalid memory access (address 0): ext2fs, the link above, must go
//                  down in order, its cache written and the filesystem marked clean
//   --then=wait    waits for someone else to end the chain (ext2fs faults under its
//                  --fault-after test hook); powers off with 1 if nobody does within 60 s
// Each file holds file_text(name): the line "NAME line K" for K = 0 .. 99 (tests/shutdown
// computes the same bytes). One io_write per file, so that ext2fs's --fault-after=N counts
// files: the Nth file written is the one it faults on.
#include "base/options.h"
#include "chain/link.h"
#include "fsclient/client.h"
#include "fsclient/status.h"
#include "runtime/console.h"
#include "runtime/msg.h"
#include "runtime/power.h"

namespace {

constexpr unsigned lines_per_file = 100;

// The bytes of the file called name.
base::BufferSink<4096> file_text(base::StringView name)
{
    base::BufferSink<4096> text;
    for (unsigned k = 0; k < lines_per_file; ++k)
        base::format(text, "{} line {}\n", name, k);
    return text;
}

// Writes /PREFIX-1 ... /PREFIX-count; false (after saying why) when one fails.
bool write_files(const fsclient::Node& root, base::StringView prefix, unsigned long long count)
{
    for (unsigned long long i = 1; i <= count; ++i) {
        base::BufferSink<32> name;
        base::format(name, "{}-{}", prefix, i);
        auto text = file_text(name.view());
        auto file = root.create(name.view());
        if (file.is_error()) {
            runtime::report("creating /{}: {}", name.view(), fsclient::ErrorText { file.error() });
            return false;
        }
        auto written = file.value().write(0, text.view().data(), text.view().size());
        if (written.is_error()) {
            runtime::report("writing /{}: {}", name.view(), fsclient::ErrorText { written.error() });
            return false;
        }
    }
    return true;
}

[[noreturn]] void wait_to_be_ended()
{
    runtime::report("waiting for the chain to end");
    runtime::sleep_ms(60 * 1000);
    runtime::report("nobody ended the chain within 60 s");
    runtime::power_off(1);
}

} // namespace

int module_main(int argc, char** argv)
{
    base::OptionParser options("shutdown-client");
    unsigned long long synced = 5, dirty = 5;
    base::StringView then = "fault";
    options.add_number("synced", synced, "how many files to write and sync");
    options.add_number("dirty", dirty, "how many files to write after the sync");
    options.add_text("then", then, "fault or wait");
    auto& link = chain::link();
    auto started = link.start(argc, argv, { "shutdown-client", {} }, options);
    if (started.is_error())
        link.fail("{}", started.error());
    if (then != "fault" && then != "wait")
        link.fail("--then must be fault or wait, not '{}'", then);
    link.note_bootstrap_use("fs");

    auto root = fsclient::root_from(link.upstream(), FS_LOOKUP_READ | FS_LOOKUP_WRITE, fsclient::root_identity());
    if (root.is_error())
        link.fail("fsys_getroot on the bootstrap port: {}", fsclient::ErrorText { root.error() });

    if (!write_files(root.value(), "synced", synced))
        wait_to_be_ended();
    auto flushed = root.value().sync();
    if (flushed.is_error()) {
        runtime::report("file_syncfs: {}", fsclient::ErrorText { flushed.error() });
        wait_to_be_ended();
    }
    runtime::report("wrote and synced {} files", synced);
    if (!write_files(root.value(), "dirty", dirty))
        wait_to_be_ended();
    runtime::report("wrote {} files without syncing", dirty);
    if (then == "wait")
        wait_to_be_ended();
    runtime::report("faulting");
    runtime::console().flush();
    *reinterpret_cast<volatile int*>(0) = 1;
    return 0;
}
