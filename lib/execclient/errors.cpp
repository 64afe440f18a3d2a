// The names and sentences of every code exec_exec can return.
#include "elf/error.h"
#include "execclient/client.h"
#include "fsclient/status.h"

namespace exec {

namespace {

struct Known {
    int code;
    const char* name;
    const char* text;
};

constexpr Known exec_errors[] = {
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

bool is_elf_code(int code)
{
    return code > elf::error_base && code <= static_cast<int>(elf::last_error);
}

} // namespace

const char* error_name(int code)
{
    for (const auto& k : exec_errors)
        if (k.code == code)
            return k.name;
    if (is_elf_code(code))
        return elf::error_name(static_cast<elf::Error>(code));
    if (const char* name = fs::error_name(code))
        return name;
    return base::status_name(code);
}

const char* error_text(int code)
{
    for (const auto& k : exec_errors)
        if (k.code == code)
            return k.text;
    if (is_elf_code(code))
        return elf::error_sentence(static_cast<elf::Error>(code));
    return fs::error_text(code);
}

} // namespace exec
