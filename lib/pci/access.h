// Access to configuration space, as an interface: the arbiter implements it with mechanism #1
// ports, the host tests with a simulated bus. Everything in lib/pci works through it.
#pragma once

#include <stdint.h>

#include "base/register.h"
#include "pci/address.h"
#include "pci/config_layout.h"
#include "pci/status.h"

namespace pci {

class ConfigAccess {
public:
    // Accesses of 1, 2 or 4 bytes, naturally aligned, inside the 256-byte space; callers check
    // with check_config_access() first when the offset comes from a client. An absent function
    // reads as all ones.
    virtual uint32_t read(Address, uint16_t offset, unsigned size) = 0;
    virtual void write(Address, uint16_t offset, unsigned size, uint32_t value) = 0;

    uint8_t read8(Address a, uint16_t offset) { return uint8_t(read(a, offset, 1)); }
    uint16_t read16(Address a, uint16_t offset) { return uint16_t(read(a, offset, 2)); }
    uint32_t read32(Address a, uint16_t offset) { return read(a, offset, 4); }
    void write16(Address a, uint16_t offset, uint16_t v) { write(a, offset, 2, v); }
    void write32(Address a, uint16_t offset, uint32_t v) { write(a, offset, 4, v); }

protected:
    ~ConfigAccess() = default;
};

// One function's configuration space through a ConfigAccess, for a base::RegisterSpace.
struct FunctionAccess {
    ConfigAccess* config;
    Address address;
    template<typename Word> Word read(size_t offset) const
    {
        return static_cast<Word>(config->read(address, static_cast<uint16_t>(offset), sizeof(Word)));
    }
    template<typename Word> void write(size_t offset, Word value) const
    {
        config->write(address, static_cast<uint16_t>(offset), sizeof(Word), value);
    }
};
using FunctionRegisters = base::RegisterSpace<config::Space, FunctionAccess>;

// Whether a client's access of `size` bytes at `offset` is one the arbiter performs: inside the
// space, of 1, 2 or 4 bytes, naturally aligned (mechanism #1 moves at most a dword, and an
// access that straddles two dwords would be two accesses, which no device expects).
Status check_config_access(int64_t offset, uint64_t size, uint32_t space_size);

} // namespace pci
