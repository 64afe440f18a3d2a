// One entry of pci_enum_list (defs/pci_enum.defs): a function in four 32-bit words.
//
//   word 0  address key: bus << 8 | device << 3 | function
//   word 1  vendor ID (bits 0-15), device ID (bits 16-31)
//   word 2  class code (bits 0-23: class << 16 | subclass << 8 | prog-if), revision (24-31)
//   word 3  header type register (bits 0-7: layout and multi-function bit), interrupt pin
//           (bits 8-15); the rest is zero
#pragma once

#include <stdint.h>

#include "pci/function.h"

namespace pci::enumeration {

constexpr unsigned words_per_entry = 4;
// The bound of pci_enum_entries_t in pci_enum.defs.
constexpr unsigned max_entries_per_call = 64;

struct Entry {
    uint32_t words[words_per_entry];
};

constexpr Entry encode(const Function& f)
{
    using Header = config::HeaderType;
    uint8_t header = base::RegisterValue<Header>()
                         .set<Header::Layout>(uint8_t(f.layout))
                         .set<Header::MultiFunction>(f.multi_function)
                         .word();
    return Entry { {
        f.address.key(),
        uint32_t(f.vendor_id) | uint32_t(f.device_id) << 16,
        f.class_code.value() | uint32_t(f.revision) << 24,
        uint32_t(header) | uint32_t(f.interrupt_pin) << 8,
    } };
}

// The identity part of a Function back from an entry; regions and bus numbers stay empty.
constexpr Function decode(const Entry& e)
{
    Function f;
    f.address = Address::from_key(uint16_t(e.words[0]));
    f.vendor_id = uint16_t(e.words[1]);
    f.device_id = uint16_t(e.words[1] >> 16);
    f.class_code = ClassCode::from_value(e.words[2] & 0xffffff);
    f.revision = uint8_t(e.words[2] >> 24);
    auto header = base::RegisterValue<config::HeaderType>(uint8_t(e.words[3]));
    f.layout = static_cast<config::HeaderLayout>(header.get<config::HeaderType::Layout>());
    f.multi_function = header.has<config::HeaderType::MultiFunction>();
    f.interrupt_pin = uint8_t(e.words[3] >> 8);
    return f;
}

} // namespace pci::enumeration
