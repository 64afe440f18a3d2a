// The file protocol's error codes (fs_types.h, FS_E*) by name, for messages: the console
// never shows one as a bare number. Portable: the server, clients and host tests use it.
#pragma once

#include "base/format.h"
#include "base/result.h"
#include "fs_types.h"

namespace fsclient {

// "FS_ENOENT", ...; nullptr for a code that is not the protocol's.
const char* error_name(int code);
// A sentence for the code ("no such file or directory"); nullptr likewise.
const char* error_text(int code);

// The domain of the protocol's codes: "fs", each code named as error_name names it.
extern const base::ErrorDomain domain;

// An error of the protocol, such as error(FS_ENOENT, "an empty path").
constexpr base::Error error(int code, const char* context)
{
    return base::Error(domain, code, context);
}

// Whether a bare code is one of the protocol's. Only where a code arrives as a number (a reply's
// status, a code a program was given) and has no domain yet; an error that has one is asked
// `e.is(fsclient::domain)`.
constexpr bool is_fs_error(int code)
{
    return (code & ~0xffff) == FS_ERROR_BASE;
}

// The error for a status that came back in a reply: of the protocol's domain when it is one of
// the FS_E* codes, else of Mach's.
constexpr base::Error reply_error(int code, const char* context)
{
    return is_fs_error(code) ? error(code, context) : base::Error(code, context);
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

} // namespace fsclient

template<> struct base::Formatter<fsclient::Status> {
    static void format(Sink& s, const FormatSpec& spec, fsclient::Status st)
    {
        if (const char* name = fsclient::error_name(st.code))
            format_string(s, spec, name);
        else
            Formatter<base::Status>::format(s, spec, base::Status { st.code });
    }
};

template<> struct base::Formatter<fsclient::ErrorText> {
    static void format(Sink& s, const FormatSpec& spec, const fsclient::ErrorText& e)
    {
        if (e.error.context())
            base::format(s, "{}: ", e.error.context());
        Formatter<fsclient::Status>::format(s, spec, fsclient::Status { e.error.code() });
    }
};
