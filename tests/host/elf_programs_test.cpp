// The ELF loader against real programs: tiny static programs built here with the host's gcc,
// the kinds of file exec must refuse (32-bit, shared, relocatable, dynamically linked), and the
// project's own modules. Segments are compared with what readelf says, and the bytes fill()
// lays out with what nm says is at each symbol.
#include "elf_test_support.h"

#include <dirent.h>

#include <algorithm>

#include "elf/error.h"

namespace {

using elf::Error;
using elf_test::Bytes;
using elf_test::compile;
using elf_test::name;
using elf_test::outcome;
using elf_test::TempDir;

const std::string static_flags
    = "-static -nostdlib -ffreestanding -fno-pie -no-pie -O1 -fno-asynchronous-unwind-tables";

// A program with text, read-only data, data and bss, whose bytes the tests look for.
const std::string tiny_program = R"(
const char message[] = "hello from a tiny static program";
volatile unsigned long counter = 0x1122334455667788UL;
volatile char zeros[10000];
void _start(void)
{
    counter += message[0] + zeros[5];
    for (;;) {}
}
)";

struct ReadelfSegment {
    uint64_t offset, vaddr, filesz, memsz;
    uint8_t protection;
};

struct ReadelfView {
    uint64_t entry = 0;
    std::vector<ReadelfSegment> loads;
};

// The entry and the PT_LOAD lines of `readelf -lW`, an independent reading of the same file.
ReadelfView readelf(const std::string& path)
{
    ReadelfView view;
    elf_test::CommandResult r = elf_test::run("readelf -lW '" + path + "'");
    EXPECT_EQ(r.status, 0) << r.output;
    std::istringstream lines(r.output);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string first;
        words >> first;
        if (first == "Entry") {
            std::string point, address;
            words >> point >> address;
            view.entry = std::strtoull(address.c_str(), nullptr, 16);
        } else if (first == "LOAD") {
            std::string offset, vaddr, paddr, filesz, memsz, flags;
            words >> offset >> vaddr >> paddr >> filesz >> memsz;
            // The flags are one to three words (R, R E, RW, RWE ...) before the alignment.
            std::string word, all;
            while (words >> word && word.rfind("0x", 0) != 0)
                all += word;
            uint8_t p = 0;
            if (all.find('R') != std::string::npos)
                p |= elf::protection::read;
            if (all.find('W') != std::string::npos)
                p |= elf::protection::write;
            if (all.find('E') != std::string::npos)
                p |= elf::protection::execute;
            auto hex = [](const std::string& s) { return std::strtoull(s.c_str(), nullptr, 16); };
            view.loads.push_back({ hex(offset), hex(vaddr), hex(filesz), hex(memsz), p });
        }
    }
    return view;
}

void expect_same_as_readelf(const elf::Image& image, const std::string& path)
{
    ReadelfView view = readelf(path);
    EXPECT_EQ(image.entry, view.entry) << path;
    std::vector<ReadelfSegment> loads;
    for (const ReadelfSegment& s : view.loads)
        if (s.memsz > 0)
            loads.push_back(s);
    std::sort(loads.begin(), loads.end(), [](auto& a, auto& b) { return a.vaddr < b.vaddr; });
    ASSERT_EQ(image.count, loads.size()) << path;
    for (size_t i = 0; i < loads.size(); ++i) {
        const elf::Segment& s = image.segments[i];
        EXPECT_EQ(s.vaddr, loads[i].vaddr) << path << " segment " << i;
        EXPECT_EQ(s.memsz, loads[i].memsz) << path << " segment " << i;
        EXPECT_EQ(s.file_offset, loads[i].offset) << path << " segment " << i;
        EXPECT_EQ(s.filesz, loads[i].filesz) << path << " segment " << i;
        EXPECT_EQ(s.protection, loads[i].protection) << path << " segment " << i;
    }
}

// The plan's regions are sorted, disjoint, page-aligned, inside [start, end), and give every
// page of every segment at least that segment's protection; without shared pages, exactly it.
void expect_consistent_plan(const elf::Image& image, const elf::LoadPlan& plan)
{
    ASSERT_GT(plan.region_count, 0u);
    EXPECT_EQ(plan.start, plan.regions[0].start);
    EXPECT_EQ(plan.end, plan.regions[plan.region_count - 1].end);
    for (size_t i = 0; i < plan.region_count; ++i) {
        const elf::Region& r = plan.regions[i];
        EXPECT_EQ(r.start % elf::page_size, 0u);
        EXPECT_EQ(r.end % elf::page_size, 0u);
        EXPECT_LT(r.start, r.end);
        if (i > 0) {
            EXPECT_LE(plan.regions[i - 1].end, r.start);
        }
    }
    for (size_t s = 0; s < image.count; ++s) {
        const elf::Segment& segment = image.segments[s];
        for (uint64_t page = segment.vaddr & ~(elf::page_size - 1); page < segment.end(); page += elf::page_size) {
            const elf::Region* found = nullptr;
            for (size_t i = 0; i < plan.region_count; ++i)
                if (plan.regions[i].start <= page && page < plan.regions[i].end)
                    found = &plan.regions[i];
            ASSERT_NE(found, nullptr) << "page " << std::hex << page;
            EXPECT_EQ(found->protection & segment.protection, segment.protection) << "page " << std::hex << page;
            if (!image.shares_pages) {
                EXPECT_EQ(found->protection, segment.protection) << "page " << std::hex << page;
            }
        }
    }
    size_t with_file_bytes = 0;
    for (size_t s = 0; s < image.count; ++s)
        with_file_bytes += image.segments[s].filesz > 0;
    EXPECT_EQ(plan.copy_count, with_file_bytes);
}

// The task's memory as exec builds it: [plan.start, plan.end) filled in chunks of a few pages,
// the way exec fills a bounded buffer.
Bytes load(const elf::LoadPlan& plan, const Bytes& file)
{
    Bytes memory(plan.end - plan.start);
    elf_test::CheckingReader reader(file);
    const size_t chunk = 3 * elf::page_size;
    for (size_t at = 0; at < memory.size(); at += chunk) {
        size_t n = std::min(chunk, memory.size() - at);
        auto r = elf::fill(plan, plan.start + at, memory.data() + at, n, reader);
        EXPECT_FALSE(r.is_error());
    }
    return memory;
}

void expect_tiny_program_loaded(const std::string& path, const elf::LoadPlan& plan, const Bytes& memory)
{
    auto symbols = elf_test::symbols(path);
    for (const char* s : { "message", "counter", "zeros", "_start" })
        ASSERT_TRUE(symbols.count(s)) << s;
    auto at = [&](const char* symbol) { return memory.data() + (symbols[symbol] - plan.start); };
    const char message[] = "hello from a tiny static program";
    EXPECT_EQ(std::memcmp(at("message"), message, sizeof message), 0);
    uint64_t counter;
    std::memcpy(&counter, at("counter"), 8);
    EXPECT_EQ(counter, 0x1122334455667788u);
    EXPECT_TRUE(std::all_of(at("zeros"), at("zeros") + 10000, [](uint8_t b) { return b == 0; }));
    // The entry's bytes are the program's first instruction, not zeros.
    EXPECT_TRUE(std::any_of(at("_start"), at("_start") + 4, [](uint8_t b) { return b != 0; }));
}

TEST(ElfPrograms, TinyStaticProgram)
{
    TempDir dir;
    auto path = compile(dir, "tiny", tiny_program, static_flags);
    ASSERT_TRUE(path);
    Bytes file = elf_test::read_file(*path);
    elf_test::CheckingReader reader(file);
    auto r = elf::parse(reader, file.size());
    ASSERT_EQ(outcome(r), "ok");
    const elf::Image& image = r.value();
    EXPECT_LE(reader.largest_read, elf::max_program_headers * sizeof(elf::layout::Elf64_Phdr));
    expect_same_as_readelf(image, *path);
    EXPECT_EQ(image.entry, elf_test::symbols(*path)["_start"]);
    EXPECT_FALSE(image.shares_pages);
    // gcc's default static layout: text read-execute, data read-write with the bss after it.
    bool text = false, data_with_bss = false;
    for (size_t i = 0; i < image.count; ++i) {
        const elf::Segment& s = image.segments[i];
        text |= s.protection == (elf::protection::read | elf::protection::execute);
        data_with_bss
            |= s.protection == (elf::protection::read | elf::protection::write) && s.memsz >= s.filesz + 10000;
    }
    EXPECT_TRUE(text);
    EXPECT_TRUE(data_with_bss);

    elf::LoadPlan plan = elf::plan(image);
    expect_consistent_plan(image, plan);
    expect_tiny_program_loaded(*path, plan, load(plan, file));
}

// Cut anywhere, the program is refused with the error of the part that is missing, and the
// loader never reads past the (shorter) end.
TEST(ElfPrograms, EveryTruncationIsRefusedPrecisely)
{
    TempDir dir;
    auto path = compile(dir, "tiny", tiny_program, static_flags);
    ASSERT_TRUE(path);
    Bytes file = elf_test::read_file(*path);
    auto whole = elf::parse(file.data(), file.size());
    ASSERT_EQ(outcome(whole), "ok");
    elf::layout::Elf64_Ehdr header;
    std::memcpy(&header, file.data(), sizeof header);
    uint64_t headers_end = header.e_phoff + header.e_phnum * sizeof(elf::layout::Elf64_Phdr);
    uint64_t segments_end = 0;
    for (size_t i = 0; i < whole.value().count; ++i) {
        const elf::Segment& s = whole.value().segments[i];
        segments_end = std::max(segments_end, s.file_offset + s.filesz);
    }
    size_t cases = 0;
    for (size_t n = 0; n < file.size(); ++n) {
        Bytes part(file.begin(), file.begin() + n);
        elf_test::CheckingReader reader(part);
        auto r = elf::parse(reader, part.size());
        std::string expected = n < 4 ? "NotElf"
            : n < sizeof header      ? "TruncatedHeader"
            : n < headers_end        ? "TruncatedProgramHeaders"
            : n < segments_end       ? "SegmentOutsideFile"
                                     : "ok";
        ASSERT_EQ(outcome(r), expected) << "cut at " << n << " of " << file.size();
        ++cases;
    }
    EXPECT_EQ(cases, file.size());
    EXPECT_GT(segments_end, headers_end);
}

// Two segments that share a page, linked so on purpose: one region of that page with both
// protections, and each segment's bytes where they belong.
TEST(ElfPrograms, SegmentsSharingAPage)
{
    TempDir dir;
    elf_test::write_file(dir.file("shared.ld"), R"(
ENTRY(_start)
PHDRS { text PT_LOAD FILEHDR PHDRS FLAGS(5); data PT_LOAD FLAGS(6); }
SECTIONS
{
  . = 0x400000 + SIZEOF_HEADERS;
  .text : { *(.text .text.*) } :text
  .rodata : { *(.rodata .rodata.*) } :text
  .data : { *(.data .data.*) } :data
  .bss : { *(.bss .bss.*) *(COMMON) } :data
  /DISCARD/ : { *(.note.*) *(.comment) *(.eh_frame*) }
}
)");
    auto path = compile(dir, "shared", tiny_program,
        static_flags + " -Wl,-T,'" + dir.file("shared.ld") + "' -Wl,--build-id=none -Wl,-z,noseparate-code");
    ASSERT_TRUE(path);
    Bytes file = elf_test::read_file(*path);
    auto r = elf::parse(file.data(), file.size());
    ASSERT_EQ(outcome(r), "ok");
    const elf::Image& image = r.value();
    expect_same_as_readelf(image, *path);
    ASSERT_EQ(image.count, 2u);
    ASSERT_TRUE(image.shares_pages) << std::hex << image.segments[0].end() << " " << image.segments[1].vaddr;

    elf::LoadPlan plan = elf::plan(image);
    expect_consistent_plan(image, plan);
    namespace p = elf::protection;
    uint64_t shared_page = image.segments[1].vaddr & ~(elf::page_size - 1);
    bool found = false;
    for (size_t i = 0; i < plan.region_count; ++i)
        if (plan.regions[i].start == shared_page) {
            found = true;
            EXPECT_EQ(plan.regions[i].size(), elf::page_size);
            EXPECT_EQ(plan.regions[i].protection, p::read | p::write | p::execute);
        }
    EXPECT_TRUE(found);
    expect_tiny_program_loaded(*path, plan, load(plan, file));
}

TEST(ElfPrograms, A32BitProgram)
{
    TempDir dir;
    if (!elf_test::gcc_can_build_32_bit(dir))
        GTEST_SKIP() << "gcc -m32 cannot build here; the crafted 32-bit headers are tested instead";
    auto path = compile(dir, "tiny32", tiny_program, "-m32 " + static_flags);
    ASSERT_TRUE(path);
    Bytes file = elf_test::read_file(*path);
    EXPECT_EQ(outcome(elf::parse(file.data(), file.size())), name(Error::Elf32));
}

TEST(ElfPrograms, FilesThatAreNotStaticExecutables)
{
    TempDir dir;
    struct Case {
        const char* name;
        std::string source;
        std::string flags;
        Error expected;
    } cases[] = {
        { "shared", "int f(void) { return 1; }\n", "-shared -fPIC -nostdlib", Error::SharedObject },
        { "static-pie", tiny_program, "-static-pie -fpie -nostdlib -ffreestanding", Error::SharedObject },
        { "dynamic", "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n", "-no-pie -fno-pie",
            Error::Dynamic },
        { "object.o", tiny_program, "-c", Error::Relocatable },
    };
    for (const Case& c : cases) {
        auto path = compile(dir, c.name, c.source, c.flags);
        ASSERT_TRUE(path) << c.name;
        Bytes file = elf_test::read_file(*path);
        EXPECT_EQ(outcome(elf::parse(file.data(), file.size())), name(c.expected)) << c.name;
    }
    elf_test::write_file(dir.file("script"), "#!/bin/sh\necho hello\n");
    Bytes text = elf_test::read_file(dir.file("script"));
    EXPECT_EQ(outcome(elf::parse(text.data(), text.size())), name(Error::NotElf));
}

// Every module the project boots is a program exec could load, and none has segments that share
// a page (GNU Mach's own loader panics on those; lib/runtime/module.ld keeps them apart).
TEST(ElfPrograms, TheProjectsModules)
{
    std::string folder = elf_test::modules_dir();
    DIR* d = opendir(folder.c_str());
    if (!d)
        GTEST_SKIP() << "no modules built at " << folder;
    std::vector<std::string> paths;
    while (dirent* e = readdir(d))
        if (e->d_name[0] != '.')
            paths.push_back(folder + "/" + e->d_name);
    closedir(d);
    ASSERT_FALSE(paths.empty()) << "no modules in " << folder;
    for (const std::string& path : paths) {
        Bytes file = elf_test::read_file(path);
        auto r = elf::parse(file.data(), file.size());
        ASSERT_EQ(outcome(r), "ok") << path;
        expect_same_as_readelf(r.value(), path);
        EXPECT_FALSE(r.value().shares_pages) << path;
        EXPECT_EQ(r.value().lowest, 0x400000u) << path;
        elf::LoadPlan plan = elf::plan(r.value());
        expect_consistent_plan(r.value(), plan);
        Bytes memory = load(plan, file);
        // The first page holds the ELF header itself (FILEHDR in the text segment).
        EXPECT_EQ(std::memcmp(memory.data(), file.data(), 64), 0) << path;
    }
}

} // namespace
