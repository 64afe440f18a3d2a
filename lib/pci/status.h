// What can go wrong in PCI configuration work, as values. The arbiter turns these into Mach
// codes at its RPC boundary, once.
#pragma once

#include <stdint.h>

#include "base/format.h"

namespace pci {

enum class Status : uint8_t {
    Ok,
    // A configuration access past the end of the space (or at a negative offset).
    OutOfRange,
    // A configuration access of a size other than 1, 2 or 4 bytes.
    BadSize,
    // A configuration access that is not naturally aligned (a 4-byte read at offset 2).
    Misaligned,
    // No function at that address.
    NoSuchFunction,
    // More functions than the table holds; the rest were not recorded.
    TableFull,
};

const char* status_name(Status);

} // namespace pci

template<> struct base::Formatter<pci::Status> {
    static void format(Sink& s, const FormatSpec& spec, pci::Status st)
    {
        format_string(s, spec, pci::status_name(st));
    }
};
