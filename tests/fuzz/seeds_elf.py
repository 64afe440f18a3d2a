"""Seeds of the ELF loader's fuzzer: tiny static programs built with the host's gcc (64-bit,
with two segments sharing a page, 32-bit when gcc can) and ELF files crafted with struct (a
minimal program, a dynamically linked one, a 16-segment one)."""
import os
import re
import struct
import subprocess
import sys
import tempfile

TINY_PROGRAM = r"""
const char message[] = "hello from a tiny static program";
volatile unsigned long counter = 0x1122334455667788UL;
volatile char zeros[10000];
void _start(void) { counter += message[0] + zeros[5]; for (;;) {} }
"""

SHARED_PAGE_SCRIPT = """
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
"""

# Small files: stripped, no build id, text and data not a page apart.
FLAGS = ["-static", "-nostdlib", "-ffreestanding", "-fno-pie", "-no-pie", "-O1", "-fno-asynchronous-unwind-tables",
         "-s", "-Wl,--build-id=none", "-Wl,-z,noseparate-code", "-w"]

PT_LOAD, PT_INTERP, PT_GNU_STACK = 1, 3, 0x6474E551


def crafted(segments, code=0x1f0, extra=(), size=0x200):
    """An ELF64 x86-64 ET_EXEC: segments are (vaddr, offset, filesz, memsz, flags); its entry is
    at file offset `code` (past the program headers) in a first segment at 0x400000."""
    phdrs = [struct.pack("<IIQQQQQQ", PT_LOAD, flags, offset, vaddr, vaddr, filesz, memsz, 0x1000)
             for vaddr, offset, filesz, memsz, flags in segments]
    phdrs += [struct.pack("<IIQQQQQQ", t, f, 0, 0, 0, 0, m, 16) for t, f, m in extra]
    header = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x400000 + code, 64, 0, 0, 64, 56, len(phdrs), 0, 0, 0)
    data = bytearray(header + b"".join(phdrs))
    data += bytes(max(0, size - len(data)))
    data[code:code + 2] = b"\xeb\xfe"  # jmp . at the entry
    return bytes(data)


def seeds(tmp):
    made = {}
    source = os.path.join(tmp, "tiny.c")
    with open(source, "w") as f:
        f.write(TINY_PROGRAM)
    script = os.path.join(tmp, "shared.ld")
    with open(script, "w") as f:
        f.write(SHARED_PAGE_SCRIPT)
    cc = os.environ.get("CC", "gcc")
    for name, flags, required in (("gcc-static", [], True),
                                  ("gcc-shared-page", [f"-Wl,-T,{script}"], True),
                                  ("gcc-32-bit", ["-m32"], False)):
        out = os.path.join(tmp, name)
        run = subprocess.run([cc] + FLAGS + flags + ["-o", out, source], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        if run.returncode == 0:
            with open(out, "rb") as f:
                made[name] = f.read()
        elif required:
            raise RuntimeError(f"{cc} could not build the seed {name}:\n{run.stdout}")
    rx, rw = 5, 6
    made["crafted-minimal"] = crafted([(0x400000, 0, 0x200, 0x200, rx)])
    made["crafted-bss-stack"] = crafted([(0x400000, 0, 0x200, 0x200, rx), (0x401100, 0x100, 0x100, 0x3000, rw)],
                                        extra=[(PT_GNU_STACK, rw, 0x100000)])
    made["crafted-interp"] = crafted([(0x400000, 0, 0x200, 0x200, rx)], extra=[(PT_INTERP, 4, 0)])
    made["crafted-16-segments"] = crafted([(0x400000, 0, 0x400, 0x1800, rx)]
                                          + [(0x400000 + i * 0x1800, i * 0x1800 % 0x1000, 0x18, 0x1800, rw)
                                             for i in range(1, 16)], code=0x3f0, size=0x1000)
    made["text"] = b"#!/bin/sh\necho hello\n"
    return made


def make_seeds(seed_dir, tmp):
    """Writes the seeds into seed_dir; their names."""
    made = seeds(tmp)
    for name, data in made.items():
        with open(os.path.join(seed_dir, name), "wb") as f:
            f.write(data)
    return sorted(made)
