// A PC's physical memory with ACPI tables, built by the tests and the fuzzer's seeds: an EBDA
// pointer, the BIOS area, and tables placed at chosen addresses, each checksummed or
// deliberately broken.
#pragma once

#include <stdint.h>
#include <string.h>

#include <map>
#include <string>
#include <vector>

#include "acpi/layout.h"
#include "acpi/tables.h"

namespace acpi_test {

class FakeMemory final : public acpi::PhysicalMemory {
public:
    std::vector<uint8_t>& region(uint64_t address, size_t size)
    {
        auto& r = m_regions[address];
        if (r.size() < size)
            r.resize(size);
        return r;
    }
    const uint8_t* map(uint64_t address, size_t size) override
    {
        ++maps;
        for (auto& [base, bytes] : m_regions)
            if (address >= base && address - base <= bytes.size() && size <= bytes.size() - (address - base))
                return bytes.data() + (address - base);
        return nullptr;
    }
    void put(uint64_t address, const std::vector<uint8_t>& bytes)
    {
        for (auto& [base, r] : m_regions)
            if (address >= base && address + bytes.size() <= base + r.size()) {
                memcpy(r.data() + (address - base), bytes.data(), bytes.size());
                return;
            }
        region(address, bytes.size()) = bytes;
    }
    size_t maps = 0;

private:
    std::map<uint64_t, std::vector<uint8_t>> m_regions;
};

inline void put32(std::vector<uint8_t>& b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b[at + i] = uint8_t(v >> (8 * i));
}
inline void put64(std::vector<uint8_t>& b, size_t at, uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        b[at + i] = uint8_t(v >> (8 * i));
}

inline void fix_checksum(std::vector<uint8_t>& b, size_t checksum_at, size_t length)
{
    b[checksum_at] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < length; ++i)
        sum = uint8_t(sum + b[i]);
    b[checksum_at] = uint8_t(-sum);
}

// A table with its header filled in and its checksum right (body: what follows the header).
inline std::vector<uint8_t> table(const char* signature, const std::vector<uint8_t>& body, uint8_t revision = 1)
{
    std::vector<uint8_t> t(acpi::layout::header::size + body.size());
    memcpy(t.data(), signature, 4);
    put32(t, acpi::layout::header::length, uint32_t(t.size()));
    t[acpi::layout::header::revision] = revision;
    memcpy(t.data() + acpi::layout::header::oem_id, "BOCHS ", 6);
    memcpy(t.data() + acpi::layout::header::oem_table_id, "BXPC    ", 8);
    memcpy(t.data() + acpi::layout::header::size, body.data(), body.size());
    fix_checksum(t, acpi::layout::header::checksum, t.size());
    return t;
}

// The RSDP: revision 0 points to an RSDT, revision 2 to an XSDT too.
inline std::vector<uint8_t> rsdp(uint8_t revision, uint32_t rsdt, uint64_t xsdt)
{
    std::vector<uint8_t> r(revision >= 2 ? 36 : 20);
    memcpy(r.data(), "RSD PTR ", 8);
    memcpy(r.data() + 9, "BOCHS ", 6);
    r[15] = revision;
    put32(r, 16, rsdt);
    if (revision >= 2) {
        put32(r, 20, 36);
        put64(r, 24, xsdt);
        fix_checksum(r, 32, 36);
    }
    fix_checksum(r, 8, 20);
    if (revision >= 2)
        fix_checksum(r, 32, 36);
    return r;
}

// A FADT body of `size` bytes (header included) with the given ports and, from 129 bytes on,
// a reset register in I/O space.
struct FadtFields {
    uint32_t dsdt = 0;
    uint32_t smi_command = 0xb2;
    uint8_t acpi_enable = 0xf1;
    uint32_t pm1a_event = 0x600;
    uint32_t pm1a_control = 0x604;
    uint32_t pm1b_control = 0;
    uint32_t flags = 0;
    uint64_t reset_port = 0;
    uint8_t reset_value = 0;
    uint64_t x_dsdt = 0;
};

inline std::vector<uint8_t> fadt(const FadtFields& f, size_t size, uint8_t revision)
{
    namespace F = acpi::layout::fadt;
    std::vector<uint8_t> body(size - acpi::layout::header::size);
    auto at = [](size_t offset) { return offset - acpi::layout::header::size; };
    put32(body, at(F::dsdt), f.dsdt);
    put32(body, at(F::smi_cmd), f.smi_command);
    body[at(F::acpi_enable)] = f.acpi_enable;
    put32(body, at(F::pm1a_event_block), f.pm1a_event);
    put32(body, at(F::pm1a_control_block), f.pm1a_control);
    put32(body, at(F::pm1b_control_block), f.pm1b_control);
    body[at(F::pm1_event_length)] = 4;
    body[at(F::pm1_control_length)] = 2;
    put32(body, at(F::flags), f.flags);
    if (size >= F::reset_size) {
        body[at(F::reset_register)] = acpi::layout::gas::space_io;
        body[at(F::reset_register) + 1] = 8;
        body[at(F::reset_register) + 3] = 1;
        put64(body, at(F::reset_register) + 4, f.reset_port);
        body[at(F::reset_value)] = f.reset_value;
    }
    if (size >= F::x_dsdt_size)
        put64(body, at(F::x_dsdt), f.x_dsdt);
    return table("FACP", body, revision);
}

// AML: Name (_S5, Package (n) { elements }) as ASL compilers write it; elements are raw AML.
inline std::vector<uint8_t> s5_name(const std::vector<uint8_t>& elements, uint8_t count, bool root_prefix = false)
{
    std::vector<uint8_t> aml { acpi::layout::aml::name_op };
    if (root_prefix)
        aml.push_back('\\');
    for (char c : std::string("_S5_"))
        aml.push_back(uint8_t(c));
    aml.push_back(acpi::layout::aml::package_op);
    aml.push_back(uint8_t(2 + elements.size())); // PkgLength counts itself and NumElements
    aml.push_back(count);
    aml.insert(aml.end(), elements.begin(), elements.end());
    return aml;
}

// A machine like QEMU's: RSDP in the BIOS area, an RSDT (and an XSDT for revision 2) listing a
// FADT (with a reset register unless fadt_size is ACPI 1.0's 116) and an SSDT; a DSDT whose AML
// holds `dsdt_aml`.
struct Machine {
    static constexpr uint64_t rsdp_at = 0xf5a40;
    static constexpr uint64_t tables_at = 0x7ffe0000;
    static constexpr uint64_t rsdt_at = tables_at;
    static constexpr uint64_t xsdt_at = tables_at + 0x100;
    static constexpr uint64_t fadt_at = tables_at + 0x200;
    static constexpr uint64_t ssdt_at = tables_at + 0x400;
    static constexpr uint64_t dsdt_at = tables_at + 0x1000;

    FakeMemory memory;
    std::vector<uint8_t> rsdp_bytes, rsdt, xsdt, fadt_bytes, ssdt, dsdt;

    explicit Machine(std::vector<uint8_t> dsdt_aml = s5_name({ 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 }, 4),
        uint8_t rsdp_revision = 2, size_t fadt_size = 244)
    {
        memory.region(0, 0x1000);
        memory.region(0x9fc00, 0x400);
        memory.region(0xe0000, 0x20000);
        memory.region(tables_at, 0x20000);
        dsdt = table("DSDT", dsdt_aml);
        ssdt = table("SSDT", { 0x10, 0x05, 0x5c, 0x00 });
        FadtFields f;
        f.dsdt = uint32_t(dsdt_at);
        f.flags = acpi::layout::fadt::flag_reset_register_supported;
        f.reset_port = 0xcf9;
        f.reset_value = 0x06;
        fadt_bytes = fadt(f, fadt_size, fadt_size >= 244 ? 3 : 1);
        std::vector<uint8_t> rsdt_body(8), xsdt_body(16);
        put32(rsdt_body, 0, uint32_t(fadt_at));
        put32(rsdt_body, 4, uint32_t(ssdt_at));
        put64(xsdt_body, 0, fadt_at);
        put64(xsdt_body, 8, ssdt_at);
        rsdt = table("RSDT", rsdt_body);
        xsdt = table("XSDT", xsdt_body);
        rsdp_bytes = rsdp(rsdp_revision, uint32_t(rsdt_at), xsdt_at);
        place();
    }
    void place()
    {
        memory.put(rsdp_at, rsdp_bytes);
        memory.put(rsdt_at, rsdt);
        memory.put(xsdt_at, xsdt);
        memory.put(fadt_at, fadt_bytes);
        memory.put(ssdt_at, ssdt);
        memory.put(dsdt_at, dsdt);
    }
    acpi::Platform discover()
    {
        acpi::Platform p;
        acpi::discover(memory, p);
        return p;
    }
};

inline bool has_finding(const acpi::Platform& p, const std::string& part)
{
    for (size_t i = 0; i < p.finding_count; ++i)
        if (std::string(p.findings[i].c_str()).find(part) != std::string::npos)
            return true;
    return false;
}

inline std::string findings(const acpi::Platform& p)
{
    std::string s;
    for (size_t i = 0; i < p.finding_count; ++i)
        s += std::string(p.findings[i].c_str()) + "\n";
    return s;
}

} // namespace acpi_test
