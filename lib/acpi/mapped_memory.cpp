// Physical memory through the "mem" device, one range at a time.
#include "acpi/mapped_memory.h"

namespace acpi {

const uint8_t* MappedMemory::map(uint64_t address, size_t size)
{
    m_region = runtime::MmioRegion();
    if (size == 0)
        size = 1;
    auto mapped = runtime::MmioRegion::map(address, size);
    if (mapped.is_error()) {
        m_last_error = mapped.error();
        return nullptr;
    }
    m_region = mapped.release_value();
    // The tables are ordinary memory the firmware left: read through a plain pointer.
    return const_cast<const uint8_t*>(m_region.base());
}

} // namespace acpi
