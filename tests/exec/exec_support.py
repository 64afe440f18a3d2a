"""Shared by exec's boot tests: the test disk (an MBR disk whose ext2 partition 1 holds the
test programs built as modules, crafted bad programs and a few files), ELF files made by hand,
and the seed's grub.cfg with exec's --init option."""
import os
import shutil
import struct
import tempfile
import unittest
from pathlib import Path

from bootchain import image, paths
from bootchain.machine import Machine

PT_LOAD = 1
PF_X, PF_W, PF_R = 1, 2, 4


def elf64(segments: list[tuple[int, int, int, int, int]], entry: int, e_type: int = 2,
          machine: int = 62) -> bytes:
    """An ELF64 little-endian file: segments are (vaddr, file offset, file size, memory size,
    flags) of PT_LOAD headers; the program headers follow the ELF header; file bytes are 0xcc
    (int3) up to the end of the furthest segment."""
    phoff = 64
    header = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header += struct.pack("<HHIQQQIHHHHHH", e_type, machine, 1, entry, phoff, 0, 0, 64, 56,
                          len(segments), 64, 0, 0)
    phdrs = b"".join(struct.pack("<IIQQQQQQ", PT_LOAD, flags, offset, vaddr, vaddr, filesz, memsz, 0x1000)
                     for vaddr, offset, filesz, memsz, flags in segments)
    size = max([phoff + len(phdrs)] + [offset + filesz for _, offset, filesz, _, _ in segments])
    body = bytearray(b"\xcc" * size)
    body[:len(header)] = header
    body[phoff:phoff + len(phdrs)] = phdrs
    return bytes(body)


def elf32() -> bytes:
    """A 32-bit i386 executable header (ELFCLASS32) with one PT_LOAD: what gcc -m32 makes."""
    header = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)
    header += struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, 0x08049000, 52, 0, 0, 52, 32, 1, 40, 0, 0)
    phdr = struct.pack("<IIIIIIII", PT_LOAD, 0, 0x08048000, 0x08048000, 0x2000, 0x2000, PF_R | PF_X, 0x1000)
    return (header + phdr).ljust(0x2000, b"\x90")


def module(name: str) -> bytes:
    path = paths.modules_dir() / name
    if not path.exists():
        raise AssertionError(f"{path} is missing: build the tree first")
    return path.read_bytes()


def first_load_offset_and_size(program: bytes) -> tuple[int, int]:
    """(p_offset, p_filesz) of the first PT_LOAD with file bytes of an ELF64 file."""
    phoff, = struct.unpack_from("<Q", program, 32)
    phnum, = struct.unpack_from("<H", program, 56)
    for i in range(phnum):
        p_type, _, offset, _, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", program, phoff + 56 * i)
        if p_type == PT_LOAD and filesz > 0:
            return offset, filesz
    raise AssertionError("no PT_LOAD with file bytes")


def make_tree(root: Path) -> None:
    """The test disk's tree: the programs, the bad programs and the files the tests read."""
    (root / "bin").mkdir()
    (root / "sbin").mkdir()
    (root / "etc").mkdir()
    (root / "data").mkdir()
    hello = module("hello")
    for name, data, mode in [
        ("bin/hello", hello, 0o755),
        ("bin/exec-tester", module("exec-tester"), 0o755),
        ("sbin/init", hello, 0o755),
        ("etc/motd", b"welcome to the exec test disk\n", 0o644),
        ("data/note.txt", b"a note in /data\n", 0o644),
        ("bin/script", b"#!/bin/sh\necho this is not a program\n", 0o755),
        ("bin/empty", b"", 0o755),
        ("bin/elf32", elf32(), 0o755),
        ("bin/truncated-header", hello[:40], 0o755),
        ("bin/overlap", elf64([(0x400000, 0, 0x2000, 0x2000, PF_R | PF_X),
                               (0x401000, 0x2000, 0x1000, 0x1000, PF_R | PF_W)], 0x400100), 0o755),
        ("bin/kernel-space", elf64([(0xffff800000000000, 0, 0x1000, 0x1000, PF_R | PF_X)],
                                   0xffff800000000100), 0o755),
        ("bin/in-stack", elf64([(0x400000, 0, 0x1000, 0x1000, PF_R | PF_X),
                                (0x7ffffff00000, 0x1000, 0x1000, 0x1000, PF_R | PF_W)], 0x400100), 0o755),
        ("bin/shared", elf64([(0x0, 0, 0x1000, 0x1000, PF_R | PF_X)], 0x100, e_type=3), 0o755),
        ("bin/aarch64", elf64([(0x400000, 0, 0x1000, 0x1000, PF_R | PF_X)], 0x400100, machine=183), 0o755),
        # Hostile files: refused from their headers, before any memory is touched.
        ("bin/huge", elf64([(0x10000, 0, 0x1000, 127 << 40, PF_R | PF_W | PF_X)], 0x10100), 0o755),
        ("bin/huge-bss", elf64([(0x400000, 0, 0x1000, 0x1000, PF_R | PF_X),
                                (0x401000, 0x1000, 0x1000, 64 << 40, PF_R | PF_W)], 0x400100), 0o755),
        ("bin/huge-total", elf64([(0x400000 + i * (128 << 20), 0 if i == 0 else 0x1000, 0x1000, 80 << 20,
                                   PF_R | PF_X if i == 0 else PF_R | PF_W) for i in range(16)], 0x400100), 0o755),
        ("bin/overlap-large", elf64([(0x400000, 0, 0x1000, 500 << 20, PF_R | PF_X),
                                     (0x400000 + (100 << 20), 0x1000, 0x1000, 500 << 20, PF_R | PF_W)],
                                    0x400100), 0o755),
        ("bin/kernel-half", elf64([(0x400000, 0, 0x1000, 0x1000, PF_R | PF_X),
                                   (0xffff800000001000, 0x1000, 0x1000, 0x1000, PF_R | PF_W)], 0x400100), 0o755),
        ("bin/wraps", elf64([(0x400000, 0, 0x1000, 0x1000, PF_R | PF_X),
                             (0x401000, 0x1000, 0x1000, (1 << 64) - 0x400000, PF_R | PF_W)], 0x400100), 0o755),
    ]:
        (root / name).write_bytes(data)
        os.chmod(root / name, mode)
    offset, filesz = first_load_offset_and_size(hello)
    (root / "bin/truncated-segment").write_bytes(hello[:offset + filesz // 2])
    os.chmod(root / "bin/truncated-segment", 0o755)
    os.symlink("hello", root / "bin/hello-link")


def exec_cfg(exec_args: str = "") -> str:
    """The seed's chain with exec's options (and the kernel's command line, as the seed's
    grub.cfg gives it)."""
    out = []
    for line in paths.default_grub_cfg().read_text().splitlines():
        if line.strip().startswith("module /boot/exec "):
            line = (f"  module /boot/exec exec --multiboot-command-line='${{kernel-command-line}}' {exec_args} "
                    "'$(exec-task=task-create)'")
        out.append(line)
    return "\n".join(out) + "\n"


class ExecTest(unittest.TestCase):
    """Each test gets its own disk made from make_tree (plus what `extra` adds to the tree)."""

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="exec-test-"))
        self.addCleanup(shutil.rmtree, self.dir, True)

    def disk(self, extra=None) -> Path:
        tree = self.dir / "tree"
        tree.mkdir()
        make_tree(tree)
        if extra:
            extra(tree)
        return image.make_disk(self.dir / "disk.img", tree, size_mib=32)

    def boot(self, disk: Path, exec_args: str = "", timeout: float = 400, append: str = "") -> tuple[int, str]:
        with Machine(grub_cfg=exec_cfg(exec_args), disks=[disk], timeout=timeout, append=append) as m:
            status = m.wait()
            return status, m.output
