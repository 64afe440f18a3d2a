// libFuzzer target for the ACPI table walk: the input is memory that the walk sees twice, as the
// BIOS area at 0xe0000 (where it looks for the RSDP) and as the firmware's table area at
// 0x7ffe0000 (where the seeds' RSDP points), so that pointers in the input lead back into it.
// The walk must neither crash nor read outside what it mapped, and must keep its tables and
// findings within their bounds. The AML scan and the FADT reader also run on the raw input.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "acpi/tables.h"

namespace {

class InputMemory final : public acpi::PhysicalMemory {
public:
    InputMemory(const uint8_t* data, size_t size)
        : m_data(data)
        , m_size(size)
    {
    }

    const uint8_t* map(uint64_t address, size_t size) override
    {
        // The EBDA pointer's page reads as zeros: no EBDA.
        if (address < sizeof m_zeros && size <= sizeof m_zeros - address)
            return m_zeros + address;
        // Each window is 128 KiB (the BIOS area's size): the input, then zeros.
        const uint64_t bases[] = { 0xe0000, 0x7ffe0000 };
        for (uint64_t base : bases) {
            if (address < base || address - base > window || size > window - (address - base))
                continue;
            // A copy of exactly what was asked for, so that AddressSanitizer sees any read past it.
            delete[] m_copy;
            m_copy = new uint8_t[size ? size : 1];
            memset(m_copy, 0, size);
            size_t from = size_t(address - base);
            if (from < m_size)
                memcpy(m_copy, m_data + from, size < m_size - from ? size : m_size - from);
            return m_copy;
        }
        return nullptr;
    }

    ~InputMemory() { delete[] m_copy; }

private:
    static constexpr uint64_t window = 0x20000;
    const uint8_t* m_data;
    size_t m_size;
    uint8_t m_zeros[0x1000] = {};
    uint8_t* m_copy = nullptr;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    InputMemory memory(data, size);
    acpi::Platform platform;
    acpi::discover(memory, platform);
    if (platform.table_count > acpi::max_tables || platform.finding_count > acpi::max_findings)
        __builtin_trap();
    for (size_t i = 0; i < platform.finding_count; ++i)
        if (platform.findings[i].size() > acpi::finding_size - 1)
            __builtin_trap();

    acpi::SleepType s5;
    (void)acpi::find_s5(data, size, s5);
    if (size >= 36) {
        // An exact copy, so that a read past `size` is caught.
        uint8_t* copy = new uint8_t[size];
        memcpy(copy, data, size);
        acpi::Platform p;
        (void)acpi::parse_fadt(copy, size, p);
        delete[] copy;
    }
    return 0;
}
