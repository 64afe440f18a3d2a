"""The Linux peer's initramfs, made at run time: Debian 12's static busybox, the kernel modules
that reach the disk and read ext2 (with what they depend on), the static timing helper
linux-bench (compiled here with gcc -static), and the scripts init.sh (/init) and rows.sh.
Written as a cpio archive in the kernel's "newc" format, so no cpio program and no root
privileges are needed (the console's device node is a header, not a mknod).

Debian 12's kernel builds the AHCI, PIIX, SCSI disk and ext4 drivers as modules and has no
ext2 driver of its own: ext4 serves ext2 (CONFIG_EXT4_USE_FOR_EXT2). Its package ships no
modules.dep (depmod runs at install), so the dependencies are read from each module's
.modinfo section (its "depends=" field)."""
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

from bootchain import paths

HERE = Path(__file__).resolve().parent
# The modules /init loads, in this order after their dependencies: the two disk controllers of
# QEMU's machines (ICH9 AHCI on q35, PIIX IDE on pc), SCSI disks, and ext4 for ext2 (which
# asks the crypto layer for crc32c when it mounts, whatever the filesystem's features).
WANTED_MODULES = ("ahci", "ata_piix", "sd_mod", "crc32c_generic", "ext4")


class PeerError(Exception):
    """The Linux peer cannot be built (a file is missing, a tool failed)."""


def peer_dir() -> Path:
    """Where scripts/setup unpacks Debian 12's kernel and busybox."""
    return Path(os.environ.get("BOOTCHAIN_LINUX_PEER", paths.ROOT / ".deps/bookworm"))


def kernel_image() -> Path:
    found = sorted(peer_dir().glob("boot/vmlinuz-*"))
    if not found:
        raise PeerError(f"no Linux kernel in {peer_dir()}/boot: run scripts/setup")
    return found[-1]


def kernel_release() -> str:
    return kernel_image().name.removeprefix("vmlinuz-")


def versions() -> dict[str, str]:
    """Package -> version, as scripts/setup recorded them."""
    text = (peer_dir() / "versions.txt").read_text() if (peer_dir() / "versions.txt").is_file() else ""
    return dict(line.split(" ", 1) for line in text.splitlines() if " " in line)


def _module_key(name: str) -> str:
    # Module names treat '-' and '_' alike (t10-pi is t10_pi).
    return name.replace("-", "_")


def module_files() -> dict[str, Path]:
    """Every module of the kernel's package, by name."""
    root = peer_dir() / "lib/modules" / kernel_release() / "kernel"
    if not root.is_dir():
        raise PeerError(f"the kernel's modules are missing ({root}): run scripts/setup")
    return {_module_key(p.name.removesuffix(".ko")): p for p in root.rglob("*.ko")}


def depends(module: Path) -> list[str]:
    """The modules `module` needs loaded first, from its .modinfo "depends=" field."""
    found = re.search(rb"(?:^|\0)depends=([^\0]*)\0", module.read_bytes())
    if not found or not found.group(1):
        return []
    return [_module_key(n) for n in found.group(1).decode().split(",") if n]


def load_order(wanted=WANTED_MODULES, files: dict[str, Path] | None = None) -> list[str]:
    """The wanted modules and their dependencies, each after everything it depends on."""
    files = files if files is not None else module_files()
    order: list[str] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in order:
            return
        if name in trail:
            raise PeerError(f"the modules depend on each other in a circle: {' -> '.join(trail + (name,))}")
        if name not in files:
            raise PeerError(f"the kernel package has no module {name} (needed by {' -> '.join(trail) or 'init'})")
        for dependency in depends(files[name]):
            visit(dependency, trail + (name,))
        order.append(name)

    for name in wanted:
        visit(_module_key(name), ())
    return order


def helper(out_dir: Path) -> Path:
    """linux-bench, compiled static for the guest (again when its source is newer)."""
    source = HERE / "linux-bench.c"
    binary = out_dir / "linux-bench"
    if binary.is_file() and binary.stat().st_mtime >= source.stat().st_mtime:
        return binary
    gcc = shutil.which("gcc")
    if not gcc:
        raise PeerError("gcc is missing: scripts/setup installs it")
    out_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([gcc, "-static", "-O2", "-Wall", "-Wextra", "-o", str(binary), str(source)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise PeerError(f"compiling {source} failed:\n{result.stderr.strip()}")
    return binary


class Cpio:
    """A cpio archive in the "newc" format (what the kernel unpacks as an initramfs)."""

    def __init__(self):
        self._parts: list[bytes] = []
        self._inode = 1

    def _entry(self, name: str, mode: int, data: bytes = b"", rdev: tuple[int, int] = (0, 0)) -> None:
        encoded = name.encode() + b"\0"
        fields = [self._inode, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(encoded), 0]
        self._inode += 1
        header = b"070701" + b"".join(b"%08X" % f for f in fields)
        self._parts.append(header + encoded + b"\0" * (-(len(header) + len(encoded)) % 4))
        self._parts.append(data + b"\0" * (-len(data) % 4))

    def directory(self, name: str) -> None:
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name: str, data: bytes, executable: bool = False) -> None:
        self._entry(name, stat.S_IFREG | (0o755 if executable else 0o644), data)

    def symlink(self, name: str, target: str) -> None:
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def char_device(self, name: str, major: int, minor: int) -> None:
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def bytes(self) -> bytes:
        trailer = Cpio()
        trailer._entry("TRAILER!!!", 0)
        return b"".join(self._parts + trailer._parts)


def build(out_dir: Path) -> Path:
    """Writes out_dir/initramfs.cpio and returns its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    busybox = peer_dir() / "bin/busybox"
    if not busybox.is_file():
        raise PeerError(f"busybox is missing ({busybox}): run scripts/setup")
    files = module_files()
    order = load_order(files=files)
    archive = Cpio()
    for folder in ("bin", "dev", "proc", "sys", "mnt", "tmp", "modules"):
        archive.directory(folder)
    # The kernel opens /dev/console for /init before anything mounts devtmpfs.
    archive.char_device("dev/console", 5, 1)
    archive.file("bin/busybox", busybox.read_bytes(), executable=True)
    archive.symlink("bin/sh", "busybox")
    archive.file("bin/linux-bench", helper(out_dir).read_bytes(), executable=True)
    archive.file("init", (HERE / "init.sh").read_bytes(), executable=True)
    archive.file("rows.sh", (HERE / "rows.sh").read_bytes(), executable=True)
    for name in order:
        archive.file(f"modules/{name}.ko", files[name].read_bytes())
    archive.file("modules/order", ("\n".join(order) + "\n").encode())
    out = out_dir / "initramfs.cpio"
    out.write_bytes(archive.bytes())
    return out
