// The file protocol's error codes (fs_types.h, FS_E*) by name, for messages: the console
// never shows one as a bare number. Portable: the server, clients and host tests use it.
#pragma once

#include "base/format.h"
#include "base/result.h"
#include "fs_types.h"

namespace fs {

// "FS_ENOENT", ...; nullptr for a code that is not the protocol's.
const char* error_name(int code);
// A sentence for the code ("no such file or directory"); nullptr likewise.
const char* error_text(int code);
constexpr bool is_fs_error(int code)
{
    return (code & ~0xffff) == FS_ERROR_BASE;
}

// A status of the protocol or of Mach, printed by name: FS_E* codes as "FS_ENOENT", anything
// else as base::Status does.
struct Status {
    int code;
};

// An error with its context, printed as "context: FS_ENOENT".
struct ErrorText {
    base::Error error;
};

} // namespace fs

template<> struct base::Formatter<fs::Status> {
    static void format(Sink& s, const FormatSpec& spec, fs::Status st)
    {
        if (const char* name = fs::error_name(st.code))
            format_string(s, spec, name);
        else
            Formatter<base::Status>::format(s, spec, base::Status { st.code });
    }
};

template<> struct base::Formatter<fs::ErrorText> {
    static void format(Sink& s, const FormatSpec& spec, const fs::ErrorText& e)
    {
        if (e.error.context())
            base::format(s, "{}: ", e.error.context());
        Formatter<fs::Status>::format(s, spec, fs::Status { e.error.code() });
    }
};
