// Configuration mechanism #1.
#include "mechanism1.h"

#include "pci/config_layout.h"
#include "runtime/io.h"

namespace arbiter {

using namespace pci::config;

bool Mechanism1::present()
{
    uint32_t saved = mach::in32(mechanism1::address_port);
    mach::out32(mechanism1::address_port, mechanism1::enable);
    bool answers = mach::in32(mechanism1::address_port) == mechanism1::enable;
    mach::out32(mechanism1::address_port, saved);
    return answers;
}

uint32_t Mechanism1::read(pci::Address a, uint16_t offset, unsigned size)
{
    mach::out32(mechanism1::address_port, mechanism1::address(a.bus, a.device, a.function, offset));
    // The low two bits of the offset pick the byte lanes of the data window.
    uint16_t port = uint16_t(mechanism1::data_port + (offset & 3));
    switch (size) {
    case 1:
        return mach::in8(port);
    case 2:
        return mach::in16(port);
    default:
        return mach::in32(mechanism1::data_port);
    }
}

void Mechanism1::write(pci::Address a, uint16_t offset, unsigned size, uint32_t value)
{
    mach::out32(mechanism1::address_port, mechanism1::address(a.bus, a.device, a.function, offset));
    uint16_t port = uint16_t(mechanism1::data_port + (offset & 3));
    switch (size) {
    case 1:
        mach::out8(port, uint8_t(value));
        break;
    case 2:
        mach::out16(port, uint16_t(value));
        break;
    default:
        mach::out32(mechanism1::data_port, value);
        break;
    }
}

} // namespace arbiter
