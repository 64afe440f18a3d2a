// The ACPI table walk: RSDP, root table, the tables it lists, the FADT and the DSDT's \_S5.
#include "acpi/tables.h"

#include "acpi/layout.h"

namespace acpi {

namespace {

namespace L = layout;

template<typename... Args> void note(Platform& p, base::StringView fmt, const Args&... args)
{
    if (p.finding_count == max_findings) {
        ++p.findings_dropped;
        return;
    }
    base::BufferSink<finding_size> sink;
    base::format(sink, fmt, args...);
    p.findings[p.finding_count++] = Finding(sink.view());
}

void copy_text(char* out, const uint8_t* in, size_t n)
{
    // Firmware pads with spaces or NULs; anything unprintable is shown as '?'.
    for (size_t i = 0; i < n; ++i)
        out[i] = in[i] >= 0x20 && in[i] < 0x7f ? static_cast<char>(in[i]) : (in[i] == 0 ? ' ' : '?');
    while (n > 0 && out[n - 1] == ' ')
        --n;
    out[n] = 0;
}

bool same_signature(const char* a, const char* b)
{
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

// Scans [first, first + size) on 16-byte boundaries for a valid RSDP; a copy goes to `out`.
bool scan_for_rsdp(PhysicalMemory& memory, uint64_t first, size_t size, Platform& p, uint8_t (&out)[L::rsdp::v2_size])
{
    const uint8_t* area = memory.map(first, size);
    if (!area) {
        note(p, "the memory at {:#x}..{:#x} cannot be read: no RSDP looked for there", first, first + size - 1);
        return false;
    }
    for (size_t at = 0; at + L::rsdp::v1_size <= size; at += L::rsdp::alignment) {
        bool signature = true;
        for (size_t i = 0; i < L::rsdp::signature_size && signature; ++i)
            signature = area[at + i] == static_cast<uint8_t>(L::rsdp::signature[i]);
        if (!signature)
            continue;
        if (!rsdp_valid(area + at, size - at)) {
            note(p, "an RSDP at {:#x} has a wrong checksum or length: looking further", first + at);
            continue;
        }
        size_t n = size - at < L::rsdp::v2_size ? size - at : L::rsdp::v2_size;
        for (size_t i = 0; i < L::rsdp::v2_size; ++i)
            out[i] = i < n ? area[at + i] : 0;
        p.has_rsdp = true;
        p.rsdp_address = first + at;
        return true;
    }
    return false;
}

bool find_rsdp(PhysicalMemory& memory, Platform& p, uint8_t (&rsdp)[L::rsdp::v2_size])
{
    if (const uint8_t* pointer = memory.map(L::bios::ebda_segment_pointer, 2)) {
        uint64_t ebda = uint64_t(L::u16(pointer, 0)) << 4;
        // The EBDA sits just below 640 KiB; a pointer elsewhere is not one.
        if (ebda >= 0x80000 && ebda + L::bios::ebda_search_size <= 0xa0000
            && scan_for_rsdp(memory, ebda, L::bios::ebda_search_size, p, rsdp))
            return true;
    }
    return scan_for_rsdp(memory, L::bios::area_first, L::bios::area_last - L::bios::area_first + 1, p, rsdp);
}

// Reads and checks the table at `address`; appends it to p.tables. `expected` (or null) is
// the signature the pointer promised.
const TableInfo* read_table(PhysicalMemory& memory, uint64_t address, const char* expected, Platform& p)
{
    if (p.table_count == max_tables) {
        note(p, "more than {} tables: the table at {:#x} and those after it are not read", max_tables, address);
        return nullptr;
    }
    const uint8_t* h = memory.map(address, L::header::size);
    if (!h) {
        note(p, "the table at {:#x} cannot be read: not used", address);
        return nullptr;
    }
    TableInfo& t = p.tables[p.table_count++];
    t = TableInfo {};
    copy_text(t.signature, h + L::header::signature, 4);
    copy_text(t.oem_id, h + L::header::oem_id, 6);
    t.address = address;
    t.length = L::u32(h, L::header::length);
    t.revision = L::u8(h, L::header::revision);
    if (expected && !same_signature(reinterpret_cast<const char*>(h), expected)) {
        note(p, "the table at {:#x} should be {} but is '{}': not used", address, expected, t.signature);
        return &t;
    }
    if (t.length < L::header::size || t.length > max_table_length) {
        note(p, "the table {} at {:#x} claims {} bytes: not used", t.signature, address, t.length);
        return &t;
    }
    if (address + t.length < address) {
        note(p, "the table {} at {:#x} runs past the end of memory: not used", t.signature, address);
        return &t;
    }
    const uint8_t* whole = memory.map(address, t.length);
    if (!whole) {
        note(p, "the table {} at {:#x} ({} bytes) cannot be read: not used", t.signature, address, t.length);
        return &t;
    }
    if (!checksum_ok(whole, t.length)) {
        note(p, "the table {} at {:#x} has a wrong checksum: not used", t.signature, address);
        return &t;
    }
    t.valid = true;
    return &t;
}

// The root table's entries; the root table must be the last one read (its bytes are mapped).
size_t read_entries(PhysicalMemory& memory, const TableInfo& root, size_t entry_size, uint64_t* out, size_t max)
{
    const uint8_t* whole = memory.map(root.address, root.length);
    if (!whole)
        return 0;
    size_t count = (root.length - L::header::size) / entry_size;
    if (count > max)
        count = max;
    for (size_t i = 0; i < count; ++i) {
        size_t at = L::header::size + i * entry_size;
        out[i] = entry_size == L::xsdt_entry_size ? L::u64(whole, at) : L::u32(whole, at);
    }
    return count;
}

void look_for_s5(PhysicalMemory& memory, Platform& p)
{
    // The DSDT first, then the SSDTs, as the namespace is built.
    const char* order[] = { "DSDT", "SSDT" };
    for (const char* signature : order) {
        for (size_t i = 0; i < p.table_count; ++i) {
            const TableInfo& t = p.tables[i];
            if (!t.valid || !same_signature(t.signature, signature))
                continue;
            const uint8_t* whole = memory.map(t.address, t.length);
            if (whole && find_s5(whole + L::header::size, t.length - L::header::size, p.s5)) {
                p.has_s5 = true;
                return;
            }
        }
    }
    note(p, "no \\_S5 package in the DSDT or an SSDT in a form read without AML: no ACPI power-off");
}

} // namespace

const TableInfo* Platform::find(const char* signature) const
{
    for (size_t i = 0; i < table_count; ++i)
        if (tables[i].valid && same_signature(tables[i].signature, signature))
            return &tables[i];
    return nullptr;
}

bool checksum_ok(const uint8_t* bytes, size_t size)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < size; ++i)
        sum = static_cast<uint8_t>(sum + bytes[i]);
    return sum == 0;
}

bool rsdp_valid(const uint8_t* bytes, size_t size)
{
    if (size < L::rsdp::v1_size)
        return false;
    for (size_t i = 0; i < L::rsdp::signature_size; ++i)
        if (bytes[i] != static_cast<uint8_t>(L::rsdp::signature[i]))
            return false;
    if (!checksum_ok(bytes, L::rsdp::v1_size))
        return false;
    if (bytes[L::rsdp::revision] < 2)
        return true;
    if (size < L::rsdp::v2_size)
        return false;
    uint32_t length = L::u32(bytes, L::rsdp::length);
    return length >= L::rsdp::v2_size && length <= size && checksum_ok(bytes, length);
}

Fadt parse_fadt(const uint8_t* t, size_t length, Platform& p)
{
    Fadt f;
    f.revision = t[L::header::revision];
    if (length < L::fadt::v1_size)
        note(p, "the FADT is {} bytes, shorter than ACPI 1.0's {}: the fields past its end read as 0", length,
            L::fadt::v1_size);
    auto u8 = [&](size_t at) -> uint8_t { return at + 1 <= length ? L::u8(t, at) : 0; };
    auto u32 = [&](size_t at) -> uint32_t { return at + 4 <= length ? L::u32(t, at) : 0; };
    auto u64 = [&](size_t at) -> uint64_t { return at + 8 <= length ? L::u64(t, at) : 0; };
    f.dsdt = u32(L::fadt::dsdt);
    if (uint64_t x = u64(L::fadt::x_dsdt))
        f.dsdt = x;
    f.smi_command = u32(L::fadt::smi_cmd);
    f.acpi_enable = u8(L::fadt::acpi_enable);
    f.acpi_disable = u8(L::fadt::acpi_disable);
    f.pm1a_event = u32(L::fadt::pm1a_event_block);
    f.pm1b_event = u32(L::fadt::pm1b_event_block);
    f.pm1_event_length = u8(L::fadt::pm1_event_length);
    f.pm1a_control = u32(L::fadt::pm1a_control_block);
    f.pm1b_control = u32(L::fadt::pm1b_control_block);
    f.pm1_control_length = u8(L::fadt::pm1_control_length);
    f.flags = u32(L::fadt::flags);
    if (f.pm1a_control == 0)
        note(p, "the FADT has no PM1a control block: no ACPI power-off");
    else if (f.pm1a_control > 0xffff || f.pm1b_control > 0xffff)
        note(p, "the FADT's PM1 control blocks ({:#x}, {:#x}) are not I/O ports", f.pm1a_control, f.pm1b_control);
    if (f.smi_command > 0xffff)
        note(p, "the FADT's SMI command port {:#x} is not an I/O port", f.smi_command);
    if (length >= L::fadt::reset_size && (f.flags & L::fadt::flag_reset_register_supported)) {
        const uint8_t* r = t + L::fadt::reset_register;
        f.reset.space = L::u8(r, L::gas::space);
        f.reset.bit_width = L::u8(r, L::gas::bit_width);
        f.reset.bit_offset = L::u8(r, L::gas::bit_offset);
        f.reset.access_size = L::u8(r, L::gas::access_size);
        f.reset.address = L::u64(r, L::gas::address);
        f.reset_value = L::u8(t, L::fadt::reset_value);
        bool io = f.reset.space == L::gas::space_io && f.reset.address <= 0xffff;
        bool memory = f.reset.space == L::gas::space_memory;
        if (f.reset.address != 0 && (io || memory))
            f.has_reset = true;
        else
            note(p, "the FADT's reset register (space {}, address {:#x}) is not one that can be written", f.reset.space,
                f.reset.address);
    }
    return f;
}

bool find_s5(const uint8_t* aml, size_t size, SleepType& out)
{
    namespace A = L::aml;
    for (size_t i = 1; i + 4 <= size; ++i) {
        if (aml[i] != '_' || aml[i + 1] != 'S' || aml[i + 2] != '5' || aml[i + 3] != '_')
            continue;
        bool named = aml[i - 1] == A::name_op || (aml[i - 1] == A::root_char && i >= 2 && aml[i - 2] == A::name_op);
        size_t p = i + 4;
        if (!named || p >= size || aml[p] != A::package_op)
            continue;
        ++p;
        if (p >= size)
            continue;
        // PkgLength: the lead byte's top two bits count the bytes that follow it.
        size_t following = aml[p] >> 6;
        size_t package_start = p;
        size_t length = following == 0 ? (aml[p] & 0x3f) : (aml[p] & 0x0f);
        if (p + following >= size)
            continue;
        for (size_t k = 0; k < following; ++k)
            length |= size_t(aml[p + 1 + k]) << (4 + 8 * k);
        size_t end = package_start + length;
        if (end > size)
            end = size;
        p += 1 + following;
        if (p >= end)
            continue;
        size_t elements = aml[p++];
        if (elements == 0)
            continue;
        uint8_t values[2] = {};
        size_t read = 0;
        bool ok = true;
        while (read < 2 && read < elements && ok) {
            if (p >= end) {
                ok = false;
                break;
            }
            uint8_t op = aml[p++];
            size_t data = 0;
            if (op == A::zero_op)
                values[read] = 0;
            else if (op == A::one_op)
                values[read] = 1;
            else if (op == A::ones_op)
                values[read] = 0xff;
            else if (op == A::byte_prefix)
                data = 1;
            else if (op == A::word_prefix)
                data = 2;
            else if (op == A::dword_prefix)
                data = 4;
            else if (op == A::qword_prefix)
                data = 8;
            else
                ok = false;
            if (ok && data) {
                if (p + data > end) {
                    ok = false;
                    break;
                }
                // SLP_TYP is 3 bits wide: the low byte holds it.
                values[read] = aml[p];
                p += data;
            }
            if (ok)
                ++read;
        }
        if (!ok)
            continue;
        out.a = values[0];
        out.b = read > 1 ? values[1] : 0;
        return true;
    }
    return false;
}

void discover(PhysicalMemory& memory, Platform& p)
{
    uint8_t rsdp[L::rsdp::v2_size] = {};
    if (!find_rsdp(memory, p, rsdp)) {
        note(p, "no valid RSDP in the EBDA or the BIOS area ({:#x}..{:#x}): no ACPI tables", L::bios::area_first,
            L::bios::area_last);
        return;
    }
    p.rsdp_revision = rsdp[L::rsdp::revision];
    copy_text(p.rsdp_oem_id, rsdp + L::rsdp::oem_id, 6);

    // The XSDT from ACPI 2.0 on; the RSDT when there is none or it is broken.
    const TableInfo* root = nullptr;
    size_t entry_size = L::rsdt_entry_size;
    uint64_t xsdt = p.rsdp_revision >= 2 ? L::u64(rsdp, L::rsdp::xsdt_address) : 0;
    uint32_t rsdt = L::u32(rsdp, L::rsdp::rsdt_address);
    if (xsdt) {
        root = read_table(memory, xsdt, "XSDT", p);
        entry_size = L::xsdt_entry_size;
        if (root && !root->valid && rsdt)
            note(p, "falling back to the RSDT at {:#x}", rsdt);
    }
    if ((!root || !root->valid) && rsdt) {
        root = read_table(memory, rsdt, "RSDT", p);
        entry_size = L::rsdt_entry_size;
    }
    if (!root || !root->valid) {
        if (!xsdt && !rsdt)
            note(p, "the RSDP at {:#x} points to no RSDT or XSDT: no ACPI tables", p.rsdp_address);
        return;
    }
    if ((root->length - L::header::size) % entry_size != 0)
        note(p, "the {}'s length {} is not a whole number of entries: the last one is ignored", root->signature,
            root->length);

    uint64_t entries[max_tables];
    size_t count = read_entries(memory, *root, entry_size, entries, max_tables);
    for (size_t i = 0; i < count; ++i) {
        if (entries[i] == 0) {
            note(p, "entry {} of the {} is 0: skipped", i, root->signature);
            continue;
        }
        read_table(memory, entries[i], nullptr, p);
    }

    const TableInfo* facp = p.find("FACP");
    if (!facp) {
        note(p, "no valid FADT (FACP): no ACPI power-off or reset register");
        return;
    }
    const uint8_t* fadt = memory.map(facp->address, facp->length);
    if (!fadt)
        return;
    p.fadt = parse_fadt(fadt, facp->length, p);
    p.has_fadt = true;
    if (p.fadt.dsdt == 0)
        note(p, "the FADT points to no DSDT");
    else
        read_table(memory, p.fadt.dsdt, "DSDT", p);
    look_for_s5(memory, p);
}

} // namespace acpi
