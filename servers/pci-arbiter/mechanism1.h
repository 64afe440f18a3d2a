// Configuration space through mechanism #1: a dword address to port 0xCF8, the data through
// 0xCFC-0xCFF. The ports must have been granted (runtime::request_io_ports) before any access.
#pragma once

#include "pci/access.h"

namespace pci_arbiter {

class Mechanism1 final : public pci::ConfigAccess {
public:
    // Whether the host bridge answers mechanism #1: the address register keeps what is written
    // to it. (Mechanism #2 machines, from before 1995, would not.)
    bool present();

    uint32_t read(pci::Address, uint16_t offset, unsigned size) override;
    void write(pci::Address, uint16_t offset, unsigned size, uint32_t value) override;
};

} // namespace pci_arbiter
