// Configuration mechanism #1.
#include "mechanism1.h"

#include "pci/config_layout.h"
#include "runtime/io.h"

namespace pci_arbiter {

using namespace pci::config;

bool Mechanism1::present()
{
    uint32_t saved = runtime::in32(mechanism1::address_port);
    runtime::out32(mechanism1::address_port, mechanism1::enable);
    bool answers = runtime::in32(mechanism1::address_port) == mechanism1::enable;
    runtime::out32(mechanism1::address_port, saved);
    return answers;
}

uint32_t Mechanism1::read(pci::Address a, uint16_t offset, unsigned size)
{
    runtime::out32(mechanism1::address_port, mechanism1::address(a.bus, a.device, a.function, offset));
    // The low two bits of the offset pick the byte lanes of the data window.
    uint16_t port = uint16_t(mechanism1::data_port + (offset & 3));
    switch (size) {
    case 1:
        return runtime::in8(port);
    case 2:
        return runtime::in16(port);
    default:
        return runtime::in32(mechanism1::data_port);
    }
}

void Mechanism1::write(pci::Address a, uint16_t offset, unsigned size, uint32_t value)
{
    runtime::out32(mechanism1::address_port, mechanism1::address(a.bus, a.device, a.function, offset));
    uint16_t port = uint16_t(mechanism1::data_port + (offset & 3));
    switch (size) {
    case 1:
        runtime::out8(port, uint8_t(value));
        break;
    case 2:
        runtime::out16(port, uint16_t(value));
        break;
    default:
        runtime::out32(mechanism1::data_port, value);
        break;
    }
}

} // namespace pci_arbiter
