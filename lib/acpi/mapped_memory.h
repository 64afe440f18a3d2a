// acpi::PhysicalMemory for a module: each range mapped through the "mem" device of the task's
// device master (the kernel's for the first link; the link above's, which checks the range
// against what it grants, for the others). One mapping at a time, as the interface promises.
#pragma once

#include "acpi/tables.h"
#include "runtime/hardware.h"

namespace acpi {

class MappedMemory final : public PhysicalMemory {
public:
    const uint8_t* map(uint64_t address, size_t size) override;
    // Why the last map() failed, for a sentence.
    base::Error last_error() const { return m_last_error; }

private:
    runtime::MmioRegion m_region;
    base::Error m_last_error { 0 };
};

} // namespace acpi
