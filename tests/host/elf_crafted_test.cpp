// The ELF loader against files crafted field by field: one test per check, each with the
// boundary that must still pass beside the value that must fail.
#include "elf_test_support.h"

#include <algorithm>
#include <set>

#include "base/status.h"
#include "elf/error.h"

namespace {

using elf::Error;
using elf_test::Bytes;
using elf_test::CraftedElf;
using elf_test::name;
using elf_test::outcome;
using namespace elf::layout;

TEST(ElfCrafted, TheDefaultFileIsAValidProgram)
{
    CraftedElf f;
    auto r = f.parse();
    ASSERT_EQ(outcome(r), "ok");
    const elf::Image& image = r.value();
    EXPECT_EQ(image.entry, 0x400100u);
    ASSERT_EQ(image.count, 1u);
    EXPECT_EQ(image.segments[0].vaddr, 0x400000u);
    EXPECT_EQ(image.segments[0].memsz, 0x1000u);
    EXPECT_EQ(image.segments[0].file_offset, 0u);
    EXPECT_EQ(image.segments[0].filesz, 0x1000u);
    EXPECT_EQ(image.segments[0].protection, elf::protection::read | elf::protection::execute);
    EXPECT_EQ(image.lowest, 0x400000u);
    EXPECT_EQ(image.highest, 0x401000u);
    EXPECT_FALSE(image.shares_pages);
    EXPECT_EQ(image.stack_size_hint, 0u);
    EXPECT_EQ(image.stack_protection, elf::protection::read | elf::protection::write);
}

TEST(ElfCrafted, NotElf)
{
    const std::string texts[] = { "", "\x7f",
        "\x7f"
        "EL",
        "#!/bin/sh\necho hello\n",
        "\x7f"
        "ELG and then some more text to be longer than a header.........." };
    for (const std::string& t : texts) {
        auto r = elf::parse(reinterpret_cast<const uint8_t*>(t.data()), t.size());
        EXPECT_EQ(outcome(r), name(Error::NotElf)) << "for \"" << t << "\"";
    }
}

TEST(ElfCrafted, ClassByteOrderAndVersion)
{
    struct Case {
        unsigned index;
        uint8_t value;
        Error expected;
    } cases[] = {
        { ei_class, elfclass32, Error::Elf32 },
        { ei_class, 0, Error::BadClass },
        { ei_class, 3, Error::BadClass },
        { ei_data, elfdata2msb, Error::BigEndian },
        { ei_data, 0, Error::BadByteOrder },
        { ei_data, 3, Error::BadByteOrder },
        { ei_version, 0, Error::BadVersion },
        { ei_version, 2, Error::BadVersion },
    };
    for (const Case& c : cases) {
        CraftedElf f;
        f.header.e_ident[c.index] = c.value;
        EXPECT_EQ(outcome(f.parse()), name(c.expected)) << "e_ident[" << c.index << "] = " << int(c.value);
    }
    CraftedElf f;
    f.header.e_version = 2;
    EXPECT_EQ(outcome(f.parse()), name(Error::BadVersion));
    // OS/ABI and padding bytes are not checked: GNU ld writes ELFOSABI_GNU for some programs.
    f = CraftedElf();
    f.header.e_ident[ei_osabi] = 3;
    f.header.e_ident[15] = 0xff;
    EXPECT_EQ(outcome(f.parse()), "ok");
}

// A 32-bit header is 52 bytes: a file of only that header is a 32-bit ELF, not a truncated
// 64-bit one. So is the start of one: class is judged as soon as e_ident is there.
TEST(ElfCrafted, A32BitHeaderShorterThanA64BitOneIsStillA32BitElf)
{
    Bytes b(52, 0);
    std::memcpy(b.data(), magic, 4);
    b[ei_class] = elfclass32;
    b[ei_data] = elfdata2lsb;
    b[ei_version] = ev_current;
    for (size_t n : { size_t(16), size_t(52) })
        EXPECT_EQ(outcome(elf::parse(b.data(), n)), name(Error::Elf32)) << n << " bytes";
    EXPECT_EQ(outcome(elf::parse(b.data(), 15)), name(Error::TruncatedHeader));
}

TEST(ElfCrafted, Machine)
{
    for (uint16_t machine : { uint16_t(em_386), uint16_t(183) /* AArch64 */, uint16_t(0), uint16_t(0xffff) }) {
        CraftedElf f;
        f.header.e_machine = machine;
        EXPECT_EQ(outcome(f.parse()), name(Error::WrongMachine)) << machine;
    }
}

TEST(ElfCrafted, FileTypes)
{
    struct Case {
        uint16_t type;
        Error expected;
    } cases[] = {
        { et_dyn, Error::SharedObject },
        { et_rel, Error::Relocatable },
        { et_core, Error::CoreDump },
        { et_none, Error::BadType },
        { 5, Error::BadType },
        { 0xfe00, Error::BadType },
        { 0xffff, Error::BadType },
    };
    for (const Case& c : cases) {
        CraftedElf f;
        f.header.e_type = c.type;
        EXPECT_EQ(outcome(f.parse()), name(c.expected)) << "e_type " << c.type;
    }
}

TEST(ElfCrafted, InterpreterIsRefusedBeforeAnythingElseInTheProgramHeaders)
{
    CraftedElf f;
    f.phdrs.push_back(CraftedElf::other(pt_interp));
    EXPECT_EQ(outcome(f.parse()), name(Error::Dynamic));
    // Even when a segment before it is bad.
    f.phdrs.insert(f.phdrs.begin(), CraftedElf::load(0, 0, 0x10, 0x10, pf_r));
    EXPECT_EQ(outcome(f.parse()), name(Error::Dynamic));
    // PT_DYNAMIC without an interpreter is not a reason to refuse.
    f = CraftedElf();
    f.phdrs.push_back(CraftedElf::other(pt_dynamic));
    EXPECT_EQ(outcome(f.parse()), "ok");
}

TEST(ElfCrafted, TruncatedHeader)
{
    Bytes b = CraftedElf().bytes();
    for (size_t n = 4; n < sizeof(Elf64_Ehdr); ++n)
        EXPECT_EQ(outcome(elf::parse(b.data(), n)), name(Error::TruncatedHeader)) << n << " bytes";
}

TEST(ElfCrafted, ProgramHeaderTable)
{
    CraftedElf f;
    for (uint16_t size : { uint16_t(0), uint16_t(32), uint16_t(55), uint16_t(57), uint16_t(64) }) {
        f.header.e_phentsize = size;
        EXPECT_EQ(outcome(f.parse()), name(Error::BadProgramHeaderSize)) << size;
    }
    f = CraftedElf();
    for (uint64_t offset : { uint64_t(0), uint64_t(8), uint64_t(63) }) {
        f.header.e_phoff = offset;
        EXPECT_EQ(outcome(f.parse()), name(Error::BadProgramHeaderOffset)) << offset;
    }
    // Anywhere after the ELF header is fine, even unaligned.
    f.header.e_phoff = 0x101;
    EXPECT_EQ(outcome(f.parse()), "ok");
    f.header.e_phoff = 0x1000 - 56;
    EXPECT_EQ(outcome(f.parse()), "ok");
    for (uint64_t offset : { uint64_t(0x1000 - 55), uint64_t(0x1000), uint64_t(1) << 40, ~uint64_t(0) - 10 }) {
        f.header.e_phoff = offset;
        EXPECT_EQ(outcome(f.parse()), name(Error::TruncatedProgramHeaders)) << offset;
    }
}

TEST(ElfCrafted, ProgramHeaderCount)
{
    CraftedElf f;
    f.phnum = 0;
    EXPECT_EQ(outcome(f.parse()), name(Error::NoLoadableSegment));
    // 64 headers are allowed (63 of them PT_NULL), 65 are not, nor extended numbering.
    f = CraftedElf();
    f.size = 0x2000;
    f.phdrs.resize(elf::max_program_headers, CraftedElf::other(pt_null));
    EXPECT_EQ(outcome(f.parse()), "ok");
    f.phdrs.push_back(CraftedElf::other(pt_null));
    EXPECT_EQ(outcome(f.parse()), name(Error::TooManyProgramHeaders));
    f.phdrs.resize(1);
    f.phnum = pn_xnum;
    EXPECT_EQ(outcome(f.parse()), name(Error::TooManyProgramHeaders));
}

TEST(ElfCrafted, NoLoadableSegment)
{
    CraftedElf f;
    f.phdrs = { CraftedElf::other(pt_note), CraftedElf::other(pt_gnu_stack, pf_r | pf_w) };
    EXPECT_EQ(outcome(f.parse()), name(Error::NoLoadableSegment));
    // A PT_LOAD of no size in memory loads nothing.
    f.phdrs.push_back(CraftedElf::load(0x400000, 0, 0, 0, pf_r | pf_x));
    EXPECT_EQ(outcome(f.parse()), name(Error::NoLoadableSegment));
}

TEST(ElfCrafted, SegmentCount)
{
    CraftedElf f;
    f.size = 0x2000;
    for (uint64_t i = 1; i < elf::max_segments; ++i)
        f.phdrs.push_back(CraftedElf::load(0x400000 + i * 0x1000, 0, 0, 0x1000, pf_r | pf_w));
    auto r = f.parse();
    ASSERT_EQ(outcome(r), "ok");
    EXPECT_EQ(r.value().count, elf::max_segments);
    // Empty ones do not count.
    f.phdrs.push_back(CraftedElf::load(0x800000, 0, 0, 0, pf_r));
    EXPECT_EQ(outcome(f.parse()), "ok");
    f.phdrs.push_back(CraftedElf::load(0x900000, 0, 0, 0x1000, pf_r));
    EXPECT_EQ(outcome(f.parse()), name(Error::TooManySegments));
}

TEST(ElfCrafted, FileSizeLargerThanMemorySize)
{
    CraftedElf f;
    f.phdrs[0].p_memsz = 0xfff;
    EXPECT_EQ(outcome(f.parse()), name(Error::SegmentFileSizeTooLarge));
}

TEST(ElfCrafted, SegmentOutsideFile)
{
    CraftedElf f;
    f.phdrs[0].p_filesz = f.phdrs[0].p_memsz = 0x1001;
    EXPECT_EQ(outcome(f.parse()), name(Error::SegmentOutsideFile));
    f = CraftedElf();
    f.phdrs.push_back(CraftedElf::load(0x401000, 0x1000, 1, 0x1000, pf_r | pf_w));
    EXPECT_EQ(outcome(f.parse()), name(Error::SegmentOutsideFile));
    // p_offset + p_filesz overflows.
    f.phdrs[1] = CraftedElf::load(0x401000, ~uint64_t(0) - 0xfff, 0x2000, 0x2000, pf_r | pf_w);
    EXPECT_EQ(outcome(f.parse()), name(Error::SegmentOutsideFile));
    // A bss-only segment's offset is not read, so it may point anywhere.
    f.phdrs[1] = CraftedElf::load(0x401000, 0x5000, 0, 0x1000, pf_r | pf_w);
    EXPECT_EQ(outcome(f.parse()), "ok");
}

TEST(ElfCrafted, SegmentOutsideUserSpace)
{
    struct Case {
        uint64_t vaddr, memsz;
        const char* expected;
    } cases[] = {
        { 0x7ffffffff000, 0x1000, "ok" },
        { 0x7ffffffff000, 0x1001, "SegmentOutsideUserSpace" },
        { 0x800000000000, 0x1000, "SegmentOutsideUserSpace" },
        { 0xffffffff80000000, 0x1000, "SegmentOutsideUserSpace" },
        { ~uint64_t(0) - 0xfff, 0x2000, "SegmentOutsideUserSpace" }, // vaddr + memsz overflows
        { 0x1000, ~uint64_t(0), "SegmentOutsideUserSpace" },
    };
    for (const Case& c : cases) {
        CraftedElf f;
        f.phdrs.push_back(CraftedElf::load(c.vaddr, 0, 0, c.memsz, pf_r | pf_w));
        EXPECT_EQ(outcome(f.parse()), c.expected) << std::hex << c.vaddr << " + " << c.memsz;
    }
}

// A hostile file's memory sizes are refused from its headers: one segment, or all of them
// together, may ask for at most elf::max_image_size of pages (page-rounded), bss included.
TEST(ElfCrafted, ImageTooLarge)
{
    const uint64_t max = elf::max_image_size;
    struct Case {
        uint64_t vaddr, memsz;
        const char* expected;
    } cases[] = {
        { 0x10000, uint64_t(127) << 40, "ImageTooLarge" }, // 127 TiB, inside user space
        { 0x1000000, uint64_t(64) << 40, "ImageTooLarge" }, // a bss of 64 TiB
        { 0x1000000, max, "ImageTooLarge" }, // 1 GiB with the default segment's page
        { 0x1000000, max - 0x1000, "ok" }, // exactly 1 GiB in all
        { 0x1000000, max - 0x1000 + 1, "ImageTooLarge" }, // one byte more is one page more
        { 0x1000fff, max - 0x2000 + 1, "ok" }, // two partial pages count whole: exactly 1 GiB
        { 0x1000fff, max - 0x2000 + 2, "ImageTooLarge" },
        { 0x7fff00000000, uint64_t(0xff) << 32, "SegmentOutsideUserSpace" }, // past user space first
    };
    for (const Case& c : cases) {
        CraftedElf f;
        f.phdrs.push_back(CraftedElf::load(c.vaddr, 0, 0, c.memsz, pf_r | pf_w, 1));
        EXPECT_EQ(outcome(f.parse()), c.expected) << std::hex << c.vaddr << " + " << c.memsz;
    }
}

TEST(ElfCrafted, ImageTooLargeCountsEverySegment)
{
    // Each of 80 MiB, far apart: 12 of them and the text fit, 15 do not.
    for (uint64_t n : { uint64_t(12), uint64_t(15) }) {
        CraftedElf f;
        for (uint64_t i = 0; i < n; ++i)
            f.phdrs.push_back(CraftedElf::load(0x10000000 + i * (uint64_t(1) << 30), 0, 0, 80 << 20, pf_r | pf_w));
        EXPECT_EQ(outcome(f.parse()), n == 12 ? "ok" : "ImageTooLarge") << n;
    }
    // Large overlapping segments under the bound are refused as overlapping.
    CraftedElf f;
    f.phdrs.push_back(CraftedElf::load(0x10000000, 0, 0, 400 << 20, pf_r | pf_w));
    f.phdrs.push_back(CraftedElf::load(0x10000000 + (100 << 20), 0, 0, 400 << 20, pf_r | pf_w));
    EXPECT_EQ(outcome(f.parse()), "SegmentsOverlap");
}

// The plan of an image as large as allowed has a bounded number of regions and copies, and
// filling a window far inside its bss reads nothing from the file.
TEST(ElfCrafted, ALargeBssCostsNoReads)
{
    CraftedElf f;
    f.phdrs.push_back(CraftedElf::load(0x1000000, 0, 0, elf::max_image_size - 0x1000, pf_r | pf_w, 1));
    Bytes bytes = f.bytes();
    elf_test::CheckingReader reader(bytes);
    auto r = elf::parse(reader, bytes.size());
    ASSERT_EQ(outcome(r), "ok");
    elf::LoadPlan plan = elf::plan(r.value());
    EXPECT_EQ(plan.region_count, 2u);
    EXPECT_EQ(plan.copy_count, 1u);
    size_t reads_before = reader.reads;
    std::vector<uint8_t> window(0x20000, 0xaa);
    ASSERT_FALSE(elf::fill(plan, 0x1000000 + (512 << 20), window.data(), window.size(), reader).is_error());
    EXPECT_EQ(reader.reads, reads_before);
    EXPECT_TRUE(std::all_of(window.begin(), window.end(), [](uint8_t b) { return b == 0; }));
}

TEST(ElfCrafted, SegmentInPageZero)
{
    for (uint64_t vaddr : { uint64_t(0), uint64_t(0x10), uint64_t(0xfff) }) {
        CraftedElf f;
        f.phdrs.push_back(CraftedElf::load(vaddr, 0, 0, 0x100, pf_r | pf_w, 1));
        EXPECT_EQ(outcome(f.parse()), name(Error::SegmentInPageZero)) << vaddr;
    }
    CraftedElf f;
    f.phdrs.push_back(CraftedElf::load(0x1000, 0, 0, 0x100, pf_r | pf_w));
    EXPECT_EQ(outcome(f.parse()), "ok");
}

TEST(ElfCrafted, Alignment)
{
    for (uint64_t align : { uint64_t(3), uint64_t(0x1001), uint64_t(0x3000), ~uint64_t(0) }) {
        CraftedElf f;
        f.phdrs[0].p_align = align;
        EXPECT_EQ(outcome(f.parse()), name(Error::BadAlignment)) << align;
    }
    for (uint64_t align : { uint64_t(0), uint64_t(1), uint64_t(16), uint64_t(0x1000), uint64_t(0x200000) }) {
        CraftedElf f;
        f.phdrs[0].p_align = align;
        EXPECT_EQ(outcome(f.parse()), "ok") << align;
    }
}

TEST(ElfCrafted, AddressAndOffsetMustAgreeModuloTheAlignment)
{
    struct Case {
        uint64_t vaddr, offset, align;
        const char* expected;
    } cases[] = {
        { 0x401010, 0x10, 0x1000, "ok" },
        { 0x401010, 0x20, 0x1000, "SegmentMisaligned" },
        { 0x401008, 0x10, 16, "SegmentMisaligned" },
        { 0x401018, 0x08, 16, "ok" },
        { 0x401008, 0x10, 1, "ok" },
        { 0x401008, 0x10, 0, "ok" },
        // Beyond a page only the page matters: exec copies, it does not map large pages.
        { 0x601010, 0x10, 0x200000, "ok" },
        { 0x601010, 0x18, 0x200000, "SegmentMisaligned" },
    };
    for (const Case& c : cases) {
        CraftedElf f;
        f.phdrs.push_back(CraftedElf::load(c.vaddr, c.offset, 0x10, 0x10, pf_r | pf_w, c.align));
        EXPECT_EQ(outcome(f.parse()), c.expected) << std::hex << c.vaddr << " " << c.offset << " " << c.align;
    }
}

TEST(ElfCrafted, SegmentsOverlap)
{
    struct Case {
        uint64_t vaddr, memsz;
        const char* expected;
    } cases[] = {
        { 0x400000, 0x1000, "SegmentsOverlap" }, // the same
        { 0x400fff, 0x10, "SegmentsOverlap" }, // one byte in common
        { 0x3ff000, 0x1001, "SegmentsOverlap" }, // before, one byte in common
        { 0x3f0000, 0x20000, "SegmentsOverlap" }, // around
        { 0x400800, 0x10, "SegmentsOverlap" }, // inside
        { 0x401000, 0x10, "ok" }, // right after
        { 0x3ff000, 0x1000, "ok" }, // right before
    };
    for (const Case& c : cases) {
        CraftedElf f;
        f.phdrs.push_back(CraftedElf::load(c.vaddr, 0, 0, c.memsz, pf_r | pf_w, 1));
        EXPECT_EQ(outcome(f.parse()), c.expected) << std::hex << c.vaddr << " + " << c.memsz;
    }
}

TEST(ElfCrafted, SegmentsAreSortedByAddress)
{
    CraftedElf f;
    f.phdrs.insert(f.phdrs.begin(), CraftedElf::load(0x500000, 0, 0, 0x3000, pf_r | pf_w));
    f.phdrs.push_back(CraftedElf::load(0x300000, 0, 0, 0x1000, pf_r));
    auto r = f.parse();
    ASSERT_EQ(outcome(r), "ok");
    ASSERT_EQ(r.value().count, 3u);
    EXPECT_EQ(r.value().segments[0].vaddr, 0x300000u);
    EXPECT_EQ(r.value().segments[1].vaddr, 0x400000u);
    EXPECT_EQ(r.value().segments[2].vaddr, 0x500000u);
    EXPECT_EQ(r.value().lowest, 0x300000u);
    EXPECT_EQ(r.value().highest, 0x503000u);
}

TEST(ElfCrafted, Entry)
{
    struct Case {
        uint64_t entry;
        const char* expected;
    } cases[] = {
        { 0x400000, "ok" }, { 0x400fff, "ok" }, { 0x401000, "EntryOutsideSegments" }, // just past the text
        { 0x3fffff, "EntryOutsideSegments" }, { 0x0, "EntryOutsideSegments" },
        { 0x402000, "EntryOutsideSegments" }, // in the data segment, not executable
        { 0x404000, "EntryOutsideSegments" }, // in the bss of an executable segment
    };
    for (const Case& c : cases) {
        CraftedElf f;
        f.phdrs.push_back(CraftedElf::load(0x402000, 0, 0x100, 0x100, pf_r | pf_w));
        f.phdrs.push_back(CraftedElf::load(0x403000, 0, 0x1000, 0x2000, pf_r | pf_x));
        f.header.e_entry = c.entry;
        EXPECT_EQ(outcome(f.parse()), c.expected) << std::hex << c.entry;
    }
}

TEST(ElfCrafted, GnuStack)
{
    CraftedElf f;
    f.phdrs.push_back(CraftedElf::other(pt_gnu_stack, pf_r | pf_w | pf_x, 0x100000));
    auto r = f.parse();
    ASSERT_EQ(outcome(r), "ok");
    EXPECT_EQ(r.value().stack_size_hint, 0x100000u);
    EXPECT_EQ(r.value().stack_protection, elf::protection::read | elf::protection::write | elf::protection::execute);
}

TEST(ElfCrafted, ProtectionsFollowTheFlags)
{
    CraftedElf f;
    f.phdrs.push_back(CraftedElf::load(0x401000, 0, 0, 0x1000, 0));
    f.phdrs.push_back(CraftedElf::load(0x402000, 0, 0, 0x1000, pf_r));
    f.phdrs.push_back(CraftedElf::load(0x403000, 0, 0, 0x1000, pf_w));
    f.phdrs.push_back(CraftedElf::load(0x404000, 0, 0, 0x1000, pf_r | pf_w | pf_x));
    auto r = f.parse();
    ASSERT_EQ(outcome(r), "ok");
    namespace p = elf::protection;
    EXPECT_EQ(r.value().segments[1].protection, p::none);
    EXPECT_EQ(r.value().segments[2].protection, p::read);
    EXPECT_EQ(r.value().segments[3].protection, p::write);
    EXPECT_EQ(r.value().segments[4].protection, p::read | p::write | p::execute);
}

TEST(ElfCrafted, ReaderErrorsArePassedUpUnchangedAndReadsStayInTheFile)
{
    Bytes b = CraftedElf().bytes();
    for (uint64_t fail_at : { uint64_t(0), uint64_t(64) }) {
        elf_test::CheckingReader reader(b);
        reader.fail_at = fail_at;
        auto r = elf::parse(reader, b.size());
        ASSERT_TRUE(r.is_error());
        EXPECT_TRUE(r.error().is(base::mach_domain));
        EXPECT_EQ(r.error().code(), base::status::device_io_error);
    }
    elf_test::CheckingReader reader(b);
    EXPECT_EQ(outcome(elf::parse(reader, b.size())), "ok");
    EXPECT_EQ(reader.reads, 2u); // the ELF header, then all program headers at once
}

TEST(ElfCrafted, EverySentenceAndNameIsDistinct)
{
    std::set<std::string> sentences, names;
    size_t count = 0;
    for (int code = elf::error_base + 1; code <= static_cast<int>(elf::last_error); ++code, ++count) {
        auto e = static_cast<Error>(code);
        std::string sentence = elf::error_sentence(e);
        EXPECT_NE(std::string(elf::error_name(e)), "Unknown");
        EXPECT_TRUE(sentences.insert(sentence).second) << sentence;
        EXPECT_TRUE(names.insert(elf::error_name(e)).second) << elf::error_name(e);
        base::Error as_base = elf::make_error(e);
        EXPECT_TRUE(as_base.is(elf::domain));
        EXPECT_EQ(elf::elf_error(as_base), e);
        EXPECT_EQ(std::string(as_base.context()), sentence);
    }
    EXPECT_EQ(count, 31u);
    EXPECT_EQ(std::string(elf::error_sentence(Error::Elf32)),
        "wrong class: the file is a 32-bit ELF (ELFCLASS32); only 64-bit programs run here");
    EXPECT_EQ(std::string(elf::error_name(static_cast<Error>(0))), "Unknown");
    // Mach and device codes are never taken for ELF errors, whatever their number.
    for (int code : { 0, 1, 4, 2500, 0x10000003, -300, elf::error_base, static_cast<int>(Error::Elf32) })
        EXPECT_FALSE(base::Error(code).is(elf::domain)) << code;
}

} // namespace
