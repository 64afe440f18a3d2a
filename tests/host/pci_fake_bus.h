// A simulated PCI bus for the lib/pci host tests: functions with a 256-byte configuration space
// each, base address registers that decode only the address bits their size allows (as real
// hardware does, so sizing by writing all ones works), and a record of what the code under
// test did (every write, and any BAR probed while its function was decoding).
#pragma once

#include <stdint.h>

#include <map>
#include <vector>

#include "pci/access.h"
#include "pci/config_layout.h"

namespace pci::testing {

struct FakeFunction {
    uint8_t space[config::space_size] = {};
    // Per dword: the bits a write may change. Everything not listed is writable, except the
    // identity registers.
    std::map<uint16_t, uint32_t> write_masks;

    uint32_t dword(uint16_t offset) const
    {
        return uint32_t(space[offset]) | uint32_t(space[offset + 1]) << 8 | uint32_t(space[offset + 2]) << 16
            | uint32_t(space[offset + 3]) << 24;
    }
    void set_dword(uint16_t offset, uint32_t v)
    {
        for (unsigned i = 0; i < 4; ++i)
            space[offset + i] = uint8_t(v >> (8 * i));
    }
    void set16(uint16_t offset, uint16_t v)
    {
        space[offset] = uint8_t(v);
        space[offset + 1] = uint8_t(v >> 8);
    }
};

struct Write {
    Address address;
    uint16_t offset;
    unsigned size;
    uint32_t value;
};

class FakeBus final : public ConfigAccess {
public:
    FakeFunction& add(Address a, uint16_t vendor, uint16_t device, uint32_t class_code, uint8_t header_type = 0)
    {
        FakeFunction& f = m_functions[a.key()];
        f.set16(config::vendor_id, vendor);
        f.set16(config::device_id, device);
        f.set_dword(config::revision_id, class_code << 8 | 0x01);
        f.space[config::header_type] = header_type;
        f.set16(config::command, config::Command::Decode::mask | config::Command::BusMaster::mask);
        f.write_masks[config::vendor_id] = 0;
        f.write_masks[config::revision_id] = 0;
        f.write_masks[0x0c] = 0x0000ffff; // header type and BIST are read-only here
        // Unimplemented BARs and ROM read as zero whatever is written.
        for (unsigned i = 0; i < 6; ++i)
            f.write_masks[uint16_t(config::bar0 + 4 * i)] = 0;
        f.write_masks[config::rom_address] = 0;
        f.write_masks[config::bridge_rom_address] = 0;
        return f;
    }

    FakeFunction& at(Address a) { return m_functions.at(a.key()); }

    // A PCI-to-PCI bridge between `primary` and `secondary`.
    FakeFunction& add_bridge(Address a, uint8_t secondary, uint8_t subordinate, uint8_t header_extra = 0)
    {
        FakeFunction& f = add(a, 0x1b36, 0x0001, 0x060400, uint8_t(0x01 | header_extra));
        f.space[config::primary_bus] = a.bus;
        f.space[config::secondary_bus] = secondary;
        f.space[config::subordinate_bus] = subordinate;
        return f;
    }

    void memory_bar32(Address a, unsigned index, uint32_t base, uint32_t size, bool prefetchable = false)
    {
        FakeFunction& f = at(a);
        uint16_t offset = uint16_t(config::bar0 + 4 * index);
        f.set_dword(offset, base | (prefetchable ? config::Bar::Prefetchable::mask : 0));
        f.write_masks[offset] = ~(size - 1) & config::Bar::MemoryAddress::mask;
    }

    void memory_bar64(Address a, unsigned index, uint64_t base, uint64_t size, bool prefetchable = false)
    {
        FakeFunction& f = at(a);
        uint16_t offset = uint16_t(config::bar0 + 4 * index);
        uint64_t mask = ~(size - 1);
        f.set_dword(offset,
            uint32_t(base) | config::Bar::MemoryType::bits(config::Bar::memory_type_64)
                | (prefetchable ? config::Bar::Prefetchable::mask : 0));
        f.set_dword(uint16_t(offset + 4), uint32_t(base >> 32));
        f.write_masks[offset] = uint32_t(mask) & config::Bar::MemoryAddress::mask;
        f.write_masks[uint16_t(offset + 4)] = uint32_t(mask >> 32);
    }

    // `upper_half_decoded` false: a 16-bit I/O decoder, whose upper half reads back zero.
    void io_bar(Address a, unsigned index, uint32_t base, uint32_t size, bool upper_half_decoded = false)
    {
        FakeFunction& f = at(a);
        uint16_t offset = uint16_t(config::bar0 + 4 * index);
        f.set_dword(offset, base | config::Bar::IoSpace::mask);
        uint32_t mask = ~(size - 1) & config::Bar::IoAddress::mask;
        if (!upper_half_decoded)
            mask &= 0xffff;
        f.write_masks[offset] = mask;
    }

    void rom(Address a, uint16_t offset, uint32_t base, uint32_t size, bool enabled = false)
    {
        FakeFunction& f = at(a);
        f.set_dword(offset, base | (enabled ? config::RomAddress::Enable::mask : 0));
        f.write_masks[offset] = (~(size - 1) & config::RomAddress::Address::mask) | config::RomAddress::Enable::mask;
    }

    uint32_t read(Address a, uint16_t offset, unsigned size) override
    {
        ++m_reads;
        auto it = m_functions.find(a.key());
        if (it == m_functions.end())
            return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
        uint32_t v = 0;
        for (unsigned i = 0; i < size; ++i)
            v |= uint32_t(it->second.space[offset + i]) << (8 * i);
        return v;
    }

    void write(Address a, uint16_t offset, unsigned size, uint32_t value) override
    {
        m_writes.push_back({ a, offset, size, value });
        auto it = m_functions.find(a.key());
        if (it == m_functions.end())
            return;
        FakeFunction& f = it->second;
        uint16_t aligned = uint16_t(offset & ~3u);
        unsigned shift = 8 * (offset & 3u);
        uint32_t lane = size == 4 ? 0xffffffffu : ((1u << (8 * size)) - 1) << shift;
        auto found = f.write_masks.find(aligned);
        uint32_t writable = (found == f.write_masks.end() ? 0xffffffffu : found->second) & lane;
        uint32_t old = f.dword(aligned);
        f.set_dword(aligned, (old & ~writable) | ((value << shift) & writable));
        if (size == 4 && is_probe(f, aligned, value) && decoding(f)) {
            ++m_probes_while_decoding;
            ++m_probes_while_decoding_at[a.key()];
        }
    }

    size_t reads() const { return m_reads; }
    const std::vector<Write>& writes() const { return m_writes; }
    unsigned probes_while_decoding() const { return m_probes_while_decoding; }
    unsigned probes_while_decoding(Address a) const
    {
        auto it = m_probes_while_decoding_at.find(a.key());
        return it == m_probes_while_decoding_at.end() ? 0 : it->second;
    }
    void clear_log()
    {
        m_writes.clear();
        m_reads = 0;
        m_probes_while_decoding = 0;
        m_probes_while_decoding_at.clear();
    }

private:
    static bool decoding(const FakeFunction& f)
    {
        return (f.space[config::command] & config::Command::Decode::mask) != 0;
    }
    // A write of all ones to a BAR, or of all address bits to the ROM register.
    static bool is_probe(const FakeFunction& f, uint16_t offset, uint32_t value)
    {
        bool bridge = (f.space[config::header_type] & config::HeaderType::Layout::mask) == 1;
        uint16_t bars_end = bridge ? 0x18 : 0x28;
        uint16_t rom = bridge ? config::bridge_rom_address : config::rom_address;
        if (offset >= config::bar0 && offset < bars_end)
            return value == 0xffffffffu;
        if (offset == rom)
            return (value & config::RomAddress::Address::mask) == config::RomAddress::Address::mask;
        return false;
    }

    std::map<uint16_t, FakeFunction> m_functions;
    std::vector<Write> m_writes;
    size_t m_reads = 0;
    unsigned m_probes_while_decoding = 0;
    std::map<uint16_t, unsigned> m_probes_while_decoding_at;
};

} // namespace pci::testing
