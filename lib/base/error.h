// An error is a code, the domain that gives the code its meaning, and a short static note of what
// failed. The domain is recorded, not read off the number: an ELF error and a Mach status of the
// same number stay apart, and each prints by its own names.
#pragma once

#include "base/format.h"

namespace base {

// The Mach status codes this project names; the numbers are Mach's own.
const char* status_name(int code);
// The name of a Mach exception type (EXC_BAD_ACCESS, ...), for crash reports.
const char* exception_name(int exception);

// Where a code comes from and how to name it. One constexpr object per domain, compared by
// address: a library declares its own (`elf::domain`, `ext2::domain`) next to its codes.
struct ErrorDomain {
    // A short name for messages: "ext2", "elf".
    const char* name;
    // The name of a code ("NoSpace"), or nullptr for a code the domain does not know.
    const char* (*code_name)(int code);
    // A sentence on a code, or nullptr; the function itself may be null when a domain has none.
    const char* (*sentence)(int code) = nullptr;
};

// A domain's table of codes: each code's name and the sentence on it. `find_code` looks one up,
// so a domain's code_name and sentence are two lines each.
struct CodeText {
    int code;
    const char* name;
    const char* sentence;
};

template<size_t N> constexpr const CodeText* find_code(const CodeText (&table)[N], int code)
{
    for (const CodeText& t : table)
        if (t.code == code)
            return &t;
    return nullptr;
}

// Mach's status space: kern_return_t, MIG's codes and the device statuses (D_*), which share
// one numbering in the kernel. The domain of an Error made from a code alone.
inline constexpr ErrorDomain mach_domain { "mach", status_name };

struct Status {
    int code;
};

template<> struct Formatter<Status> {
    static void format(Sink& s, const FormatSpec&, Status st)
    {
        if (const char* name = status_name(st.code))
            s.put(StringView(name));
        else
            base::format(s, "status {:#x}", static_cast<unsigned>(st.code));
    }
};

class [[nodiscard]] Error {
public:
    // A Mach status (kern_return_t, MIG or D_*).
    constexpr Error(int code, const char* context = nullptr)
        : m_domain(&mach_domain)
        , m_code(code)
        , m_context(context)
    {
    }
    constexpr Error(const ErrorDomain& domain, int code, const char* context = nullptr)
        : m_domain(&domain)
        , m_code(code)
        , m_context(context)
    {
    }
    constexpr const ErrorDomain& domain() const { return *m_domain; }
    constexpr bool is(const ErrorDomain& domain) const { return m_domain == &domain; }
    constexpr int code() const { return m_code; }
    constexpr const char* context() const { return m_context; }
    // The domain's name for the code, or nullptr when the domain does not know it.
    const char* code_name() const { return m_domain->code_name(m_code); }
    // The domain's sentence on the code, or nullptr.
    const char* sentence() const { return m_domain->sentence ? m_domain->sentence(m_code) : nullptr; }

private:
    const ErrorDomain* m_domain;
    int m_code;
    const char* m_context;
};

// "context: KERN_INVALID_ARGUMENT" for a Mach status (its names carry their domain already);
// "context: ext2: NoSpace" for the others; an unknown code as "ext2: code 0x45320063".
template<> struct Formatter<Error> {
    static void format(Sink& s, const FormatSpec& spec, const Error& e)
    {
        if (e.context())
            base::format(s, "{}: ", e.context());
        if (e.is(mach_domain)) {
            Formatter<Status>::format(s, spec, Status { e.code() });
            return;
        }
        if (const char* name = e.code_name())
            base::format(s, "{}: {}", e.domain().name, name);
        else
            base::format(s, "{}: code {:#x}", e.domain().name, static_cast<unsigned>(e.code()));
    }
};

} // namespace base
