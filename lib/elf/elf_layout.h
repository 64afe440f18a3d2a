// The on-disk layout of ELF64 files, as the System V ABI (gABI) and its x86-64 supplement define
// it: the file header, the program headers and the constants the loader checks. Little-endian,
// the only byte order this project runs.
#pragma once

#include <stdint.h>

namespace elf::layout {

// e_ident
constexpr unsigned ident_size = 16;
constexpr uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
constexpr unsigned ei_class = 4;
constexpr unsigned ei_data = 5;
constexpr unsigned ei_version = 6;
constexpr unsigned ei_osabi = 7;

constexpr uint8_t elfclass32 = 1;
constexpr uint8_t elfclass64 = 2;
constexpr uint8_t elfdata2lsb = 1;
constexpr uint8_t elfdata2msb = 2;
constexpr uint8_t ev_current = 1;

// e_type
constexpr uint16_t et_none = 0;
constexpr uint16_t et_rel = 1;
constexpr uint16_t et_exec = 2;
constexpr uint16_t et_dyn = 3;
constexpr uint16_t et_core = 4;

// e_machine
constexpr uint16_t em_386 = 3;
constexpr uint16_t em_x86_64 = 62;

// e_phnum: the real count is in section header 0's sh_info (extended numbering).
constexpr uint16_t pn_xnum = 0xffff;

// p_type
constexpr uint32_t pt_null = 0;
constexpr uint32_t pt_load = 1;
constexpr uint32_t pt_dynamic = 2;
constexpr uint32_t pt_interp = 3;
constexpr uint32_t pt_note = 4;
constexpr uint32_t pt_phdr = 6;
constexpr uint32_t pt_tls = 7;
constexpr uint32_t pt_gnu_stack = 0x6474e551;

// p_flags
constexpr uint32_t pf_x = 1;
constexpr uint32_t pf_w = 2;
constexpr uint32_t pf_r = 4;

struct Elf64_Ehdr {
    uint8_t e_ident[ident_size];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};
static_assert(sizeof(Elf64_Ehdr) == 64);

struct Elf64_Phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};
static_assert(sizeof(Elf64_Phdr) == 56);

} // namespace elf::layout
