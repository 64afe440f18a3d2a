// Names of Mach's exception types (mach/exception.h), for crash reports.
#include "base/error.h"

namespace base {

const char* exception_name(int exception)
{
    switch (exception) {
    case 1:
        return "EXC_BAD_ACCESS";
    case 2:
        return "EXC_BAD_INSTRUCTION";
    case 3:
        return "EXC_ARITHMETIC";
    case 4:
        return "EXC_EMULATION";
    case 5:
        return "EXC_SOFTWARE";
    case 6:
        return "EXC_BREAKPOINT";
    default:
        return "an unknown exception";
    }
}

} // namespace base
