// rumpdisk, the disk server, second link of the chain. In this step of the project it finds
// its disk controllers only: it asks the arbiter, through lib/pciaccess, for every function of
// the mass storage class and prints one line each, in the listing format the arbiter uses.
#include "base/options.h"
#include "chain/link.h"
#include "pci/function.h"
#include "pci/listing.h"
#include "pciaccess/pciaccess.h"
#include "runtime/console.h"

namespace {

// Static: a full table is too large for the stack.
pci::FunctionTable functions;

} // namespace

int module_main(int argc, char** argv)
{
    base::OptionParser options("rumpdisk");
    auto& link = chain::link();
    auto started = link.start(argc, argv, { "rumpdisk", "fs-server-task" }, options);
    if (started.is_error())
        link.fail("{}", started.error());

    auto bus = pciaccess::Bus::open();
    if (bus.is_error())
        link.fail("cannot reach the PCI arbiter: {}", bus.error());
    auto listed = bus.value().list(functions);
    if (listed.is_error())
        link.fail("{}", listed.error());

    size_t controllers = 0;
    for (const pci::Function& f : functions)
        if (f.class_code.base == pci::classes::mass_storage)
            ++controllers;
    mach::report("{} mass storage {}", controllers, controllers == 1 ? "controller" : "controllers");
    for (const pci::Function& f : functions) {
        if (f.class_code.base != pci::classes::mass_storage)
            continue;
        base::BufferSink<160> line;
        pci::format_function_line(line, f);
        mach::report("{}", line.view());
    }
    link.run();
}
