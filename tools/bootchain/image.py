"""Disk images for the chain: an MBR disk with one ext2 partition (partition 1, from sector
2048) made from a tree by e2fsprogs' `mke2fs -d`, and the host-side checks of such an image
(`e2fsck -fn`, `debugfs`) that tests run after the guest wrote to it.

make_disk() puts exactly the given tree on the disk; make_system_disk() makes the disk a system
boots from: the project's programs (/sbin/init, /bin/sh and the others of build/userland), the
default tree rootfs/ (/etc/rc, /etc/motd, samples), then the given tree over both."""
import shutil
import subprocess
import tempfile
from pathlib import Path

from bootchain import paths

SECTOR = 512
PARTITION_START = 2048  # sectors: 1 MiB, where sfdisk and fdisk put the first partition


class ImageError(Exception):
    """The image could not be made (a tool is missing or refused)."""


def _tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not path:
        raise ImageError(f"{name} is missing: scripts/setup installs it")
    return path


def _run(argv: list[str], what: str, stdin: str | None = None) -> str:
    result = subprocess.run(argv, input=stdin, text=True, capture_output=True)
    if result.returncode != 0:
        raise ImageError(f"{what} failed ({' '.join(argv)}): {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def make_disk(out: Path, tree: Path | None = None, size_mib: int = 64, block_size: int = 4096,
              mke2fs_args: tuple[str, ...] = (), root_partition: int = 1) -> Path:
    """Writes an MBR disk of size_mib MiB to `out` whose partition 1 (type 0x83) holds an ext2
    filesystem with the contents of `tree` (empty if None). Extra mke2fs arguments (-O features,
    -r 0, ...) go to mke2fs as given. With root_partition=2 the filesystem is partition 2, after a
    1 MiB swap partition 1, as a Debian GNU/Hurd installation lays its disk out."""
    if block_size not in (1024, 2048, 4096):
        raise ImageError(f"the block size must be 1024, 2048 or 4096, not {block_size}")
    total = size_mib * 1024 * 1024 // SECTOR
    if total <= PARTITION_START + 2048:
        raise ImageError(f"a disk of {size_mib} MiB is too small for a partition")
    out = Path(out)
    out.unlink(missing_ok=True)
    with open(out, "wb") as f:
        f.truncate(total * SECTOR)
    start = partition_start(root_partition)
    layout = "label: dos\n" + ("" if root_partition == 1 else f"start={PARTITION_START}, size={start - PARTITION_START}, type=82\n")
    _run([_tool("sfdisk"), "--no-reread", "--no-tell-kernel", "-q", str(out)], "sfdisk",
         stdin=layout + f"start={start}, type=83\n")
    blocks = (total - start) * SECTOR // block_size
    argv = [_tool("mke2fs"), "-q", "-F", "-t", "ext2", "-b", str(block_size),
            "-E", f"offset={start * SECTOR}", *mke2fs_args]
    if tree is not None:
        argv += ["-d", str(tree)]
    _run(argv + [str(out), str(blocks)], "mke2fs")
    return out


def partition_start(root_partition: int) -> int:
    """The first sector of the root partition (1, or 2 after a 1 MiB swap partition)."""
    if root_partition not in (1, 2):
        raise ImageError(f"the root partition is 1 or 2, not {root_partition}")
    return PARTITION_START if root_partition == 1 else PARTITION_START + 2048


def partition_spec(image: Path, root_partition: int = 1) -> str:
    """How e2fsprogs names the root partition of the image: IMAGE?offset=BYTES."""
    return f"{image}?offset={partition_start(root_partition) * SECTOR}"


def fsck(image: Path, root_partition: int = 1) -> tuple[int, str]:
    """`e2fsck -fn` on partition 1 (or root_partition): (its exit status, its report). 0 means no
    problem."""
    result = subprocess.run([_tool("e2fsck"), "-fn", partition_spec(image, root_partition)], text=True,
                            capture_output=True)
    return result.returncode, result.stdout + result.stderr


def debugfs(image: Path, request: str, root_partition: int = 1) -> str:
    """One debugfs request (-R) on partition 1 (or root_partition), read-only; its output."""
    result = subprocess.run([_tool("debugfs"), "-R", request, partition_spec(image, root_partition)], text=True,
                            capture_output=True)
    if result.returncode != 0:
        raise ImageError(f"debugfs -R '{request}' failed: {result.stderr.strip()}")
    return result.stdout


# Programs that go to /sbin; every other program of build/userland goes to /bin.
SBIN_PROGRAMS = ("init",)


def programs_dir() -> Path:
    """Where the build puts the programs of the root filesystem (programs/)."""
    return paths.build_dir() / "userland"


def rootfs_dir() -> Path:
    """The repository's default tree of a system disk."""
    return paths.ROOT / "rootfs"


def system_tree(dest: Path, tree: Path | None = None, programs: Path | None = None,
                rootfs: Path | None = None) -> Path:
    """Lays out in `dest` what a system disk holds: rootfs (default: rootfs/), the programs
    (default: build/userland; init at /sbin/init, the others at /bin/NAME, debug information
    stripped, mode 0755), then `tree` over them: a file of `tree` (its /etc/rc, say) replaces
    the default one."""
    programs = Path(programs) if programs is not None else programs_dir()
    rootfs = Path(rootfs) if rootfs is not None else rootfs_dir()
    found = sorted(p for p in programs.iterdir() if p.is_file()) if programs.is_dir() else []
    if not any(p.name == "init" for p in found) or not any(p.name == "sh" for p in found):
        raise ImageError(f"the programs are not built ({programs} has no init or sh): build the tree first "
                         "(./bootchain does)")
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if rootfs.is_dir():
        shutil.copytree(rootfs, dest, symlinks=True, dirs_exist_ok=True)
    objcopy = _tool("objcopy")
    for program in found:
        folder = dest / ("sbin" if program.name in SBIN_PROGRAMS else "bin")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / program.name
        target.unlink(missing_ok=True)
        _run([objcopy, "--strip-debug", str(program), str(target)], f"stripping {program}")
        target.chmod(0o755)
    if tree is not None:
        for item in Path(tree).rglob("*"):
            # A file of the tree replaces a default of the same path (a directory merges).
            target = dest / item.relative_to(tree)
            if (target.is_symlink() or target.is_file()) and not item.is_dir():
                target.unlink()
        shutil.copytree(tree, dest, symlinks=True, dirs_exist_ok=True)
    return dest


def make_system_disk(out: Path, tree: Path | None = None, size_mib: int = 64, block_size: int = 4096,
                     programs: Path | None = None, rootfs: Path | None = None,
                     mke2fs_args: tuple[str, ...] = (), root_partition: int = 1) -> Path:
    """make_disk() of system_tree(): the programs, the default tree and `tree`."""
    with tempfile.TemporaryDirectory(prefix="bootchain-tree-") as staging:
        system_tree(Path(staging), tree, programs, rootfs)
        return make_disk(out, Path(staging), size_mib, block_size, mke2fs_args, root_partition)


# The filesystem UUID of the Hurd-layout disk, which tests/check/hurd_amd64.cfg searches for.
HURD_UUID = "6ad7e1c9-0f3a-4c7e-9b6e-2f1d0c3b4a59"


def boot_files(dest: Path, modules_dir: Path | None = None, kernel: Path | None = None) -> None:
    """Puts the kernel and every built module into `dest` under every name of the boot medium
    (medium.py: /boot/gnumach-1.8-amd64.gz, /hurd/NAME.static, /lib/ld-x86-64.so.1, ...), debug
    information stripped, as an installed system's root filesystem holds them for its GRUB."""
    from bootchain import medium
    modules_dir = Path(modules_dir or paths.modules_dir())
    kernel = Path(kernel or paths.kernel())
    objcopy = _tool("objcopy")
    for path, what in medium.layout(medium.built_modules(modules_dir)).items():
        target = Path(dest) / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if what == medium.KERNEL:
            shutil.copyfile(kernel, target)
        else:
            _run([objcopy, "--strip-debug", str(modules_dir / what), str(target)], f"stripping {what}")
            target.chmod(0o755)


def make_hurd_disk(out: Path, tree: Path | None = None, size_mib: int = 64, uuid: str = HURD_UUID) -> Path:
    """A system disk laid out as Debian GNU/Hurd's: partition 1 swap, partition 2 the root
    filesystem (UUID `uuid`) with the programs, rootfs/, `tree`, and the kernel and the servers
    under their Debian names, for GRUB's own entry (10_hurd.in) to load from."""
    with tempfile.TemporaryDirectory(prefix="bootchain-tree-") as staging:
        system_tree(Path(staging), tree)
        boot_files(Path(staging))
        return make_disk(out, Path(staging), size_mib, mke2fs_args=("-U", uuid), root_partition=2)


# A disk that boots by itself: GRUB's BIOS boot code in the MBR and GRUB's core image in the gap
# between the MBR and the first partition, as grub-install puts them, but written here byte by
# byte into the image file (no loop device, no mount, no root). Facts of GRUB's i386-pc images
# (GRUB's include/grub/i386/pc/boot.h and the blocklist at the end of diskboot.img):
GRUB_PC_DIR = Path("/usr/lib/grub/i386-pc")
BOOT_BPB = (0x03, 0x5a)          # boot.img: room for a DOS BPB, kept from the sector it replaces
BOOT_KERNEL_SECTOR = 0x5c        # boot.img: 8 bytes, the LBA of core.img's first sector
BOOT_DRIVE_CHECK = 0x66          # boot.img: a 2-byte jump, made two NOPs for a hard disk
BOOT_KEPT = (0x1b8, 0x1fe)       # the MBR's disk signature and partition table, kept
BOOT_SIGNATURE = (0x1fe, b"\x55\xaa")
BLOCKLIST = SECTOR - 12          # core.img's first sector (diskboot.img) ends with one blocklist
BLOCKLIST_SEGMENT = 0x820        # entry {u64 start, u16 sectors, u16 segment}: the rest of core.img,
#                                  loaded after diskboot (segment 0x800) at segment 0x820
CORE_SECTOR = 1                  # core.img goes right after the MBR
# GRUB's modules in the core image: the disk, its partition table and filesystem, the menu and
# the commands a grub.cfg of the chain uses (multiboot and module, gzipped kernels, the serial
# console, search by UUID as the Hurd's entry does). The rest are on the disk, in
# /boot/grub/i386-pc, for an `insmod` of one's own.
CORE_MODULES = ("biosdisk", "part_msdos", "ext2", "normal", "configfile", "multiboot", "gzio", "serial",
                "terminal", "search", "search_fs_uuid", "test", "echo")


def grub_core_image(out: Path, root_partition: int = 1, grub_dir: Path = GRUB_PC_DIR) -> Path:
    """GRUB's i386-pc core image (grub-mkimage) with CORE_MODULES, whose prefix is
    /boot/grub on partition root_partition of the disk the BIOS booted from."""
    if not (grub_dir / "boot.img").is_file():
        raise ImageError(f"GRUB's BIOS images are missing ({grub_dir}): scripts/setup installs grub-pc-bin")
    # "(,msdosN)": the partition of the boot drive, whichever number the BIOS gave that drive.
    _run([_tool("grub-mkimage"), "-O", "i386-pc", "-d", str(grub_dir), "-o", str(out),
          "-p", f"(,msdos{root_partition})/boot/grub", *CORE_MODULES], "grub-mkimage")
    return Path(out)


def install_grub(disk: Path, core: Path, grub_dir: Path = GRUB_PC_DIR) -> None:
    """Writes GRUB's boot sector (boot.img) into the disk's MBR and core.img into the gap after
    it, as grub-bios-setup does: the MBR keeps its partition table and disk signature, boot.img
    learns where core.img starts, and core.img's blocklist where the rest of it lies."""
    disk, core = Path(disk), Path(core)
    boot = bytearray((grub_dir / "boot.img").read_bytes())
    image = bytearray(core.read_bytes())
    if len(boot) != SECTOR:
        raise ImageError(f"{grub_dir / 'boot.img'} is not one sector")
    sectors = (len(image) + SECTOR - 1) // SECTOR
    with open(disk, "r+b") as f:
        mbr = bytearray(f.read(SECTOR))
        first = _first_partition_sector(mbr)
        if CORE_SECTOR + sectors > first:
            raise ImageError(f"GRUB's core image ({sectors} sectors) does not fit before the first partition "
                             f"(sector {first})")
        segment = int.from_bytes(image[BLOCKLIST + 10:BLOCKLIST + 12], "little")
        if segment != BLOCKLIST_SEGMENT:
            raise ImageError(f"{core} does not start with diskboot.img (blocklist segment {segment:#x})")
        # The rest of core.img: from the sector after its first, at the segment GRUB set.
        image[BLOCKLIST:BLOCKLIST + 10] = (CORE_SECTOR + 1).to_bytes(8, "little") + (sectors - 1).to_bytes(2, "little")
        boot[BOOT_KERNEL_SECTOR:BOOT_KERNEL_SECTOR + 8] = CORE_SECTOR.to_bytes(8, "little")
        boot[BOOT_DRIVE_CHECK:BOOT_DRIVE_CHECK + 2] = b"\x90\x90"
        boot[BOOT_BPB[0]:BOOT_BPB[1]] = mbr[BOOT_BPB[0]:BOOT_BPB[1]]
        boot[BOOT_KEPT[0]:BOOT_KEPT[1]] = mbr[BOOT_KEPT[0]:BOOT_KEPT[1]]
        at, signature = BOOT_SIGNATURE
        boot[at:at + 2] = signature
        f.seek(CORE_SECTOR * SECTOR)
        f.write(image.ljust(sectors * SECTOR, b"\0"))
        f.seek(0)
        f.write(boot)


def _first_partition_sector(mbr: bytes) -> int:
    """The first sector of the MBR's lowest partition (the end of the gap GRUB may use)."""
    if mbr[0x1fe:0x200] != b"\x55\xaa":
        raise ImageError("the disk has no MBR partition table")
    starts = []
    for i in range(4):
        entry = mbr[0x1be + 16 * i:0x1be + 16 * (i + 1)]
        if entry[4] != 0:   # a type: the entry is used
            starts.append(int.from_bytes(entry[8:12], "little"))
    if not starts:
        raise ImageError("the disk's MBR has no partition")
    return min(starts)


def grub_modules(dest: Path, grub_dir: Path = GRUB_PC_DIR) -> None:
    """GRUB's modules and their lists into dest (/boot/grub/i386-pc on the disk), as
    grub-install puts them, for a grub.cfg's `insmod` of a module the core image lacks."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for item in grub_dir.iterdir():
        if item.suffix in (".mod", ".lst"):
            shutil.copyfile(item, dest / item.name)


def make_bootable_disk(out: Path, grub_cfg: str, tree: Path | None = None, size_mib: int = 64,
                       root_partition: int = 1, mke2fs_args: tuple[str, ...] = (), block_size: int = 4096) -> Path:
    """A system disk that boots by itself: partition root_partition holds the programs, rootfs/,
    `tree`, the kernel and the servers (boot_files) and /boot/grub with grub_cfg (used as it is)
    and GRUB's modules; GRUB's boot sector and core image are on the disk before the first
    partition. `qemu-system-x86_64 -hda IMAGE` boots it with nothing else."""
    with tempfile.TemporaryDirectory(prefix="bootchain-tree-") as staging:
        root = Path(staging) / "root"
        system_tree(root, tree)
        boot_files(root)
        (root / "boot/grub").mkdir(parents=True, exist_ok=True)
        (root / "boot/grub/grub.cfg").write_text(grub_cfg)
        grub_modules(root / "boot/grub/i386-pc")
        core = grub_core_image(Path(staging) / "core.img", root_partition)
        make_disk(out, root, size_mib, block_size, mke2fs_args, root_partition)
        install_grub(out, core)
    return Path(out)
