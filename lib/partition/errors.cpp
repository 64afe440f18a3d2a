// Names of the library's error codes, for consoles and test messages.
#include "partition/partition.h"

namespace partition {

namespace {

const char* code_name(int code)
{
    switch (static_cast<Errc>(code)) {
    case Errc::InvalidArgument:
        return "InvalidArgument";
    case Errc::Corrupt:
        return "Corrupt";
    }
    return nullptr;
}

} // namespace

constexpr base::ErrorDomain domain { "partition", code_name };

} // namespace partition
