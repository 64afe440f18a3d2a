"""Shared by the userland's boot tests: a system disk made from a tree (the programs,
rootfs/ and the tree over them, as `./bootchain image` makes it), boots of the seed's grub.cfg
on it, the manifest program's lines on the console, and the host's own manifest of a tree."""
import hashlib
import os
import shutil
import tempfile
import unittest
from pathlib import Path

from bootchain import console, image
from bootchain.machine import Machine

BOOT_TIMEOUT = 240  # seconds for one whole boot under TCG on a loaded machine


def host_manifest(root: Path, shown: str = "/") -> list[str]:
    """What `manifest DIR` prints for the tree at root shown as DIR: depth first, names in
    bytewise order; 'dir PATH', 'file PATH SIZE SHA256', 'link PATH -> TARGET'."""
    lines = []

    def walk(directory: Path, path: str) -> None:
        for name in sorted(os.listdir(directory), key=os.fsencode):
            item = directory / name
            child = f"/{name}" if path == "/" else f"{path}/{name}"
            if item.is_symlink():
                lines.append(f"link {child} -> {os.readlink(item)}")
            elif item.is_dir():
                lines.append(f"dir {child}")
                walk(item, child)
            else:
                data = item.read_bytes()
                lines.append(f"file {child} {len(data)} {hashlib.sha256(data).hexdigest()}")

    walk(Path(root), shown)
    return lines


def between(output: str, begin: str, end: str) -> list[str]:
    """The console lines after the line `begin` and before the line starting with `end`, without
    the kernel's own notices (console.without_kernel_notices)."""
    lines = console.without_kernel_notices(output).splitlines()
    try:
        first = lines.index(begin) + 1
    except ValueError:
        raise AssertionError(f"the console has no line '{begin}'") from None
    for i in range(first, len(lines)):
        if lines[i].startswith(end):
            return lines[first:i]
    raise AssertionError(f"the console has no line starting with '{end}' after '{begin}'")


class UserlandTest(unittest.TestCase):
    """Each test makes its tree in self.tree; system_disk() lays the system tree out in
    self.staged (kept, so that the test knows exactly what the disk holds) and makes the
    disk from it."""

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="userland-test-"))
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.tree = self.dir / "tree"
        self.tree.mkdir()
        self.staged = self.dir / "staged"

    def write(self, path: str, data: bytes | str, mode: int = 0o644) -> Path:
        target = self.tree / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)
        os.chmod(target, mode)
        return target

    def system_disk(self, size_mib: int = 48, block_size: int = 4096) -> Path:
        image.system_tree(self.staged, self.tree)
        return image.make_disk(self.dir / "disk.img", self.staged, size_mib, block_size)

    def machine(self, disk: Path, append: str = "") -> Machine:
        return Machine(disks=[disk], append=append, timeout=BOOT_TIMEOUT)
