// Names of pci::Status values, for messages.
#include "pci/status.h"

namespace pci {

const char* status_name(Status s)
{
    switch (s) {
    case Status::ok:
        return "ok";
    case Status::out_of_range:
        return "offset outside the configuration space";
    case Status::bad_size:
        return "access size not 1, 2 or 4";
    case Status::misaligned:
        return "access not naturally aligned";
    case Status::no_such_function:
        return "no such function";
    case Status::table_full:
        return "function table full";
    }
    return "unknown status";
}

} // namespace pci
