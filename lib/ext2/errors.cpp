// Names of the library's error codes, for consoles and test messages.
#include "ext2/filesystem.h"

namespace ext2 {

namespace {
struct Name {
    Errc code;
    const char* name;
};

constexpr Name names[] = {
    { Errc::NotPermitted, "NotPermitted" },
    { Errc::NotFound, "NotFound" },
    { Errc::Io, "Io" },
    { Errc::NoMemory, "NoMemory" },
    { Errc::Busy, "Busy" },
    { Errc::Exists, "Exists" },
    { Errc::CrossDevice, "CrossDevice" },
    { Errc::NotDirectory, "NotDirectory" },
    { Errc::IsDirectory, "IsDirectory" },
    { Errc::InvalidArgument, "InvalidArgument" },
    { Errc::FileTooLarge, "FileTooLarge" },
    { Errc::NoSpace, "NoSpace" },
    { Errc::ReadOnly, "ReadOnly" },
    { Errc::TooManyLinks, "TooManyLinks" },
    { Errc::NameTooLong, "NameTooLong" },
    { Errc::NotEmpty, "NotEmpty" },
    { Errc::Unsupported, "Unsupported" },
    { Errc::Corrupt, "Corrupt" },
};
} // namespace

const char* error_name(int code)
{
    for (const Name& n : names)
        if (static_cast<int>(n.code) == code)
            return n.name;
    return nullptr;
}

constexpr base::ErrorDomain domain { "ext2", error_name };

int errno_of(int code)
{
    return error_name(code) ? code - error_base : 0;
}

} // namespace ext2
