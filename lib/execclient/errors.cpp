// The names and sentences of every code exec_exec can return.
#include "elf/error.h"
#include "execclient/client.h"
#include "fsclient/status.h"

namespace execclient {

namespace {

constexpr base::CodeText exec_errors[] = {
    { EXEC_E_NOT_REGULAR, "EXEC_E_NOT_REGULAR", "not a regular file" },
    { EXEC_E_TOO_BIG, "EXEC_E_TOO_BIG", "the file is too large to load" },
    { EXEC_E_ARGS, "EXEC_E_ARGS", "the arguments, descriptors or ports are over exec's bounds" },
    { EXEC_E_NO_MEMORY, "EXEC_E_NO_MEMORY", "not enough memory for the new program" },
    { EXEC_E_TOO_MANY, "EXEC_E_TOO_MANY", "exec runs too many programs (this client's share or in all)" },
    { EXEC_E_NO_PROCESS, "EXEC_E_NO_PROCESS", "not a process port of exec" },
    { EXEC_E_BUSY, "EXEC_E_BUSY",
        "busy: another client waits for this program, or this client has its requests in progress" },
    { EXEC_E_STACK, "EXEC_E_STACK", "the program's segments reach into the stack's place" },
};

// Whether a bare code is one of lib/elf's. exec sends them to its clients as the reply's status,
// where only the number travels: here, at the protocol's edge, the range is what tells them.
bool is_elf_code(int code)
{
    return code > elf::error_base && code <= static_cast<int>(elf::last_error);
}

const char* exec_name(int code)
{
    const base::CodeText* k = base::find_code(exec_errors, code);
    return k ? k->name : nullptr;
}

const char* exec_text(int code)
{
    const base::CodeText* k = base::find_code(exec_errors, code);
    return k ? k->sentence : nullptr;
}

} // namespace

constexpr base::ErrorDomain domain { "exec", exec_name, exec_text };

base::Error reply_error(int code, const char* context)
{
    if (base::find_code(exec_errors, code))
        return error(code, context);
    if (is_elf_code(code))
        return base::Error(elf::domain, code, context);
    return fsclient::reply_error(code, context);
}

const char* error_name(int code)
{
    if (const char* name = exec_name(code))
        return name;
    if (is_elf_code(code))
        return elf::error_name(static_cast<elf::Error>(code));
    if (const char* name = fsclient::error_name(code))
        return name;
    return base::status_name(code);
}

const char* error_text(int code)
{
    if (const char* text = exec_text(code))
        return text;
    if (is_elf_code(code))
        return elf::error_sentence(static_cast<elf::Error>(code));
    return fsclient::error_text(code);
}

} // namespace execclient
