// Helpers of the ELF loader's host tests: programs compiled with the host's gcc at test time,
// ELF files crafted byte by byte, and a reader that checks what the loader asks for.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/status.h"
#include "elf/elf_layout.h"
#include "elf/loader.h"

namespace elf_test {

using Bytes = std::vector<uint8_t>;

inline Bytes read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

// A fresh folder, removed with its content at the end of the test.
class TempDir {
public:
    TempDir()
    {
        char name[] = "/tmp/elf-test-XXXXXX";
        if (!mkdtemp(name))
            ADD_FAILURE() << "mkdtemp failed";
        m_path = name;
    }
    ~TempDir() { [[maybe_unused]] int r = std::system(("rm -rf '" + m_path + "'").c_str()); }
    const std::string& path() const { return m_path; }
    std::string file(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

struct CommandResult {
    int status;
    std::string output;
};

inline CommandResult run(const std::string& command)
{
    CommandResult result { -1, "" };
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe)
        return result;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
        result.output.append(buffer, n);
    result.status = pclose(pipe);
    return result;
}

// Compiles C source into `dir/name` with gcc and the given flags; the test fails (and nullopt
// comes back) when gcc does.
inline std::optional<std::string> compile(
    const TempDir& dir, const std::string& name, const std::string& source, const std::string& flags)
{
    std::string c = dir.file(name + ".c");
    write_file(c, source);
    std::string out = dir.file(name);
    CommandResult r = run("gcc " + flags + " -o '" + out + "' '" + c + "'");
    if (r.status != 0) {
        ADD_FAILURE() << "gcc " << flags << " failed:\n" << r.output;
        return std::nullopt;
    }
    return out;
}

// Whether gcc can build freestanding 32-bit code here (it needs no 32-bit C library for that,
// but some installations lack the 32-bit support altogether).
inline bool gcc_can_build_32_bit(const TempDir& dir)
{
    write_file(dir.file("probe32.c"), "void _start(void) { for (;;) {} }\n");
    return run("gcc -m32 -static -nostdlib -ffreestanding -fno-pie -no-pie -o '" + dir.file("probe32") + "' '"
               + dir.file("probe32.c") + "'")
               .status
        == 0;
}

// The symbols of a program, by name, as nm lists them.
inline std::map<std::string, uint64_t> symbols(const std::string& path)
{
    std::map<std::string, uint64_t> result;
    CommandResult r = run("nm '" + path + "'");
    EXPECT_EQ(r.status, 0) << r.output;
    std::istringstream lines(r.output);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string address, type, name;
        if (words >> address >> type >> name)
            result[name] = std::strtoull(address.c_str(), nullptr, 16);
    }
    return result;
}

// Where the project's modules are: build/modules, two folders above this test program
// (build/tests/host), unless BOOTCHAIN_MODULES_DIR says otherwise.
inline std::string modules_dir()
{
    if (const char* d = std::getenv("BOOTCHAIN_MODULES_DIR"))
        return d;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return "";
    std::string path(exe, static_cast<size_t>(n));
    for (int i = 0; i < 3; ++i)
        path = path.substr(0, path.rfind('/'));
    return path + "/modules";
}

// A file that hands out its bytes and records what was asked: a read past the end fails the test,
// as the loader must never ask for one. fail_at makes reads that touch that offset fail.
class CheckingReader final : public elf::FileReader {
public:
    explicit CheckingReader(const Bytes& bytes)
        : m_bytes(bytes)
    {
    }
    base::Result<void> read(uint64_t offset, void* buffer, size_t size) override
    {
        ++reads;
        largest_read = std::max(largest_read, size);
        if (offset > m_bytes.size() || size > m_bytes.size() - offset) {
            ADD_FAILURE() << "read of " << size << " bytes at " << offset << " past the end of a file of "
                          << m_bytes.size();
            return base::Error(base::status::device_io_error, "read past the end");
        }
        if (fail_at && *fail_at >= offset && *fail_at < offset + size)
            return base::Error(base::status::device_io_error, "simulated read error");
        if (size)
            std::memcpy(buffer, m_bytes.data() + offset, size);
        return {};
    }

    std::optional<uint64_t> fail_at;
    size_t reads = 0;
    size_t largest_read = 0;

private:
    const Bytes& m_bytes;
};

// An ELF file built field by field. By default a valid static executable: one read-execute
// PT_LOAD at 0x400000 covering the whole file (headers included), entry 0x400100; tests
// change fields and add segments. bytes() lays it out: the ELF header (e_phnum the number of phdrs),
// the program headers at e_phoff, zeros up to `size`.
struct CraftedElf {
    elf::layout::Elf64_Ehdr header {};
    std::vector<elf::layout::Elf64_Phdr> phdrs;
    uint64_t size = 0x1000;

    CraftedElf()
    {
        using namespace elf::layout;
        std::memcpy(header.e_ident, magic, 4);
        header.e_ident[ei_class] = elfclass64;
        header.e_ident[ei_data] = elfdata2lsb;
        header.e_ident[ei_version] = ev_current;
        header.e_type = et_exec;
        header.e_machine = em_x86_64;
        header.e_version = ev_current;
        header.e_entry = 0x400100;
        header.e_phoff = sizeof(Elf64_Ehdr);
        header.e_ehsize = sizeof(Elf64_Ehdr);
        header.e_phentsize = sizeof(Elf64_Phdr);
        phdrs.push_back(load(0x400000, 0, 0x1000, 0x1000, pf_r | pf_x));
    }

    static elf::layout::Elf64_Phdr load(
        uint64_t vaddr, uint64_t offset, uint64_t filesz, uint64_t memsz, uint32_t flags, uint64_t align = 0x1000)
    {
        elf::layout::Elf64_Phdr p {};
        p.p_type = elf::layout::pt_load;
        p.p_flags = flags;
        p.p_offset = offset;
        p.p_vaddr = p.p_paddr = vaddr;
        p.p_filesz = filesz;
        p.p_memsz = memsz;
        p.p_align = align;
        return p;
    }

    static elf::layout::Elf64_Phdr other(uint32_t type, uint32_t flags = 0, uint64_t memsz = 0)
    {
        elf::layout::Elf64_Phdr p {};
        p.p_type = type;
        p.p_flags = flags;
        p.p_memsz = memsz;
        return p;
    }

    Bytes bytes() const
    {
        Bytes b(size, 0);
        auto put = [&](uint64_t at, const void* data, size_t n) {
            for (size_t i = 0; i < n && at + i < b.size(); ++i)
                b[at + i] = static_cast<const uint8_t*>(data)[i];
        };
        elf::layout::Elf64_Ehdr h = header;
        h.e_phnum = phnum ? *phnum : static_cast<uint16_t>(phdrs.size());
        for (size_t i = 0; i < phdrs.size() && header.e_phoff < size; ++i)
            put(header.e_phoff + i * sizeof(elf::layout::Elf64_Phdr), &phdrs[i], sizeof phdrs[i]);
        put(0, &h, sizeof h); // last: program headers placed over it do not hide it
        return b;
    }

    base::Result<elf::Image> parse() const
    {
        Bytes b = bytes();
        return elf::parse(b.data(), b.size());
    }

    // e_phnum as written, when a test wants it to differ from the number of phdrs.
    std::optional<uint16_t> phnum;
};

// The name of the error a result holds, or "ok", or the code of a foreign error: for EXPECT_EQ
// with readable failures.
template<typename T> std::string outcome(const base::Result<T>& r)
{
    if (!r.is_error())
        return "ok";
    if (!r.error().is(elf::domain))
        return "foreign error " + std::to_string(r.error().code());
    return elf::error_name(elf::elf_error(r.error()));
}

inline std::string name(elf::Error e)
{
    return elf::error_name(e);
}

} // namespace elf_test
