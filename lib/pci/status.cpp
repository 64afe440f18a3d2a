// Names of pci::Status values, for messages.
#include "pci/status.h"

namespace pci {

const char* status_name(Status s)
{
    switch (s) {
    case Status::Ok:
        return "ok";
    case Status::OutOfRange:
        return "offset outside the configuration space";
    case Status::BadSize:
        return "access size not 1, 2 or 4";
    case Status::Misaligned:
        return "access not naturally aligned";
    case Status::NoSuchFunction:
        return "no such function";
    case Status::TableFull:
        return "function table full";
    }
    return "unknown status";
}

} // namespace pci
