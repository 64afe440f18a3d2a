// The shared listing format.
#include "pci/listing.h"

#include "pci/class_names.h"

namespace pci {

void format_function_line(base::Sink& s, const Function& f)
{
    base::format(s, "{} {:04x}:{:04x} class {:06x} {}", f.address, f.vendor_id, f.device_id, f.class_code.value(),
        class_name(f.class_code));
}

void format_region(base::Sink& s, const Region& r)
{
    switch (r.kind) {
    case RegionKind::none:
        base::format(s, "none");
        return;
    case RegionKind::io:
        base::format(s, "io at {:#x} size {:#x}", r.base, r.size);
        return;
    case RegionKind::memory:
        base::format(s, "memory {}{}at {:#x} size {:#x}", r.is_64 ? "64-bit " : "32-bit ",
            r.prefetchable ? "prefetchable " : "", r.base, r.size);
        return;
    }
}

void format_region_lines(base::Sink& s, const Function& f)
{
    for (unsigned i = 0; i < max_bars; ++i) {
        const Region& r = f.regions.bars[i];
        if (!r.present())
            continue;
        base::format(s, "{} bar {}: ", f.address, i);
        format_region(s, r);
        s.put('\n');
    }
    if (f.regions.rom.present())
        base::format(s, "{} rom: memory at {:#x} size {:#x}\n", f.address, f.regions.rom.base, f.regions.rom.size);
}

} // namespace pci
