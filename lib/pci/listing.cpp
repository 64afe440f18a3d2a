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
    case RegionKind::None:
        base::format(s, "none");
        return;
    case RegionKind::Io:
        base::format(s, "io at {:#x} size {:#x}", r.base, r.size);
        return;
    case RegionKind::Memory:
        base::format(s, "memory {}{}at {:#x} size {:#x}", r.is_64 ? "64-bit " : "32-bit ",
            r.prefetchable ? "prefetchable " : "", r.base, r.size);
        return;
    }
}

void format_bar_line(base::Sink& s, const Function& f, unsigned index)
{
    base::format(s, "{} bar {}: ", f.address, index);
    format_region(s, index < max_bars ? f.regions.bars[index] : Region {});
}

void format_rom_line(base::Sink& s, const Function& f)
{
    base::format(s, "{} rom: memory at {:#x} size {:#x}", f.address, f.regions.rom.base, f.regions.rom.size);
}

void format_region_lines(base::Sink& s, const Function& f)
{
    for (unsigned i = 0; i < max_bars; ++i) {
        if (!f.regions.bars[i].present())
            continue;
        format_bar_line(s, f, i);
        s.put('\n');
    }
    if (f.regions.rom.present()) {
        format_rom_line(s, f);
        s.put('\n');
    }
}

} // namespace pci
