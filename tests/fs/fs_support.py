"""Shared by the filesystem tests: the tree fs-client expects, disk images (an MBR disk whose
partition 1 is an ext2 filesystem made by mke2fs -d), the grub.cfg with fs-client in exec's
place, and the host's view of the result through e2fsck and debugfs."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from bootchain import paths
from bootchain.machine import Machine

import content

SECTOR = 512
PARTITION_START = 2048  # sectors: partition 1 starts at 1 MiB


def tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not path:
        raise AssertionError(f"{name} is missing: scripts/setup installs it (e2fsprogs, fdisk)")
    return path


def client_cfg(*client_args: str, ext2fs_args: str = "part:1:device:wd0", kernel_args: str = "") -> str:
    """The seed's chain with fs-client as the link after ext2fs (in exec's place)."""
    out = []
    for line in paths.default_grub_cfg().read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("multiboot ") and kernel_args:
            out.append(line + " " + kernel_args)
        elif stripped.startswith("module /boot/ext2fs "):
            out.append("  module /boot/ext2fs ext2fs --exec-server-task='${exec-task}' " + ext2fs_args
                       + " '$(fs-task=task-create)'")
        elif stripped.startswith("module /boot/exec "):
            out.append("  module /boot/fs-client fs-client " + " ".join(client_args)
                       + " '$(exec-task=task-create)'")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


SMALL = {1: 1, 2: 100, 3: 511, 4: 512, 5: 4095, 6: 4096, 7: 4097, 8: 12293}
BIG_SIZE = (5 << 20) + 123
SPARSE_HOLE_END = 3 << 20


def make_ops_tree(root: Path) -> None:
    """The tree fs-client --test=ops reads (see its read_tree)."""
    write(root / "hello.txt", "hello, world\n")
    write(root / "hello2.txt", "to be removed\n")
    write(root / "empty", b"")
    for seed, size in SMALL.items():
        write(root / "small" / f"s{seed}", content.data(seed, size))
    write(root / "big.bin", content.data(20, BIG_SIZE))
    with open(root / "sparse.bin", "wb") as f:
        f.write(content.data(21, 4096))
        f.seek(SPARSE_HOLE_END)
        f.write(content.data(21, 4096, SPARSE_HOLE_END))
    write(root / "data/nested/deep/deeper/deepest/file.txt", "deep\n")
    long_dir = "a-directory-with-a-rather-long-name-for-a-slow-symlink"
    write(root / "data" / long_dir / "target.txt", "slow\n")
    os.symlink("hello.txt", root / "link-rel")
    os.symlink("../hello.txt", root / "data/link-up")
    os.symlink("/data/nested/deep/deeper/deepest/file.txt", root / "link-abs")
    os.symlink(f"data/{long_dir}/target.txt", root / "link-long")
    os.symlink("loop2", root / "loop1")
    os.symlink("loop1", root / "loop2")
    for i in range(300):
        write(root / "dirs/many" / f"f{i:03d}", f"f{i:03d}\n")
    write(root / "data/moveme.txt", "move me\n")
    write(root / "data/movedir/inner.txt", "inner\n")
    write(root / "over-src.txt", "source\n")
    write(root / "over-dst.txt", "destination\n")
    write(root / "trunc.bin", content.data(30, 100000))


def make_partition(path: Path, tree: Path | None, size_mib: int, fs_type: str = "ext2",
                   block_size: int | None = None, features: str | None = None,
                   inodes: int | None = None) -> None:
    """An ext2 (or other) filesystem image of size_mib MiB holding tree, made by mke2fs -d."""
    with open(path, "wb") as f:
        f.truncate(size_mib << 20)
    cmd = [tool("mke2fs"), "-q", "-F", "-t", fs_type]
    if block_size:
        cmd += ["-b", str(block_size)]
    if features:
        cmd += ["-O", features]
    if inodes:
        cmd += ["-N", str(inodes)]
    if tree is not None:
        cmd += ["-d", str(tree)]
    cmd += [str(path)]
    # A fixed time and no random UUID/hash seed would make images reproducible; e2fsprogs takes
    # E2FSPROGS_FAKE_TIME for the first.
    env = dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000")
    subprocess.run(cmd, check=True, capture_output=True, env=env)


def make_disk(disk: Path, partition: Path, extra_mib: int = 1) -> None:
    """An MBR disk whose partition 1 (type 83, at 1 MiB) holds the partition image."""
    part_bytes = partition.stat().st_size
    part_sectors = part_bytes // SECTOR
    with open(disk, "wb") as f:
        f.truncate((PARTITION_START * SECTOR) + part_bytes + (extra_mib << 20))
    subprocess.run([tool("sfdisk"), "--no-reread", "--no-tell-kernel", "-q", str(disk)],
                   input=f"label: dos\nstart={PARTITION_START}, size={part_sectors}, type=83\n",
                   text=True, check=True, capture_output=True)
    with open(partition, "rb") as src, open(disk, "r+b") as dst:
        dst.seek(PARTITION_START * SECTOR)
        shutil.copyfileobj(src, dst, 1 << 20)


def extract_partition(disk: Path, partition: Path) -> None:
    """Copies partition 1 back out of the disk (same size as it went in)."""
    size = partition.stat().st_size
    with open(disk, "rb") as src, open(partition, "wb") as dst:
        src.seek(PARTITION_START * SECTOR)
        remaining = size
        while remaining:
            block = src.read(min(remaining, 1 << 20))
            if not block:
                break
            dst.write(block)
            remaining -= len(block)


def e2fsck(partition: Path) -> tuple[int, str]:
    r = subprocess.run([tool("e2fsck"), "-fn", str(partition)], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def debugfs(partition: Path, request: str) -> str:
    """debugfs's answer (its version banner left out)."""
    r = subprocess.run([tool("debugfs"), "-R", request, str(partition)], capture_output=True, text=True)
    lines = (r.stdout + r.stderr).splitlines()
    return "\n".join(line for line in lines if not line.startswith("debugfs ")) + "\n"


def dump(partition: Path, path: str, out_dir: Path) -> bytes | None:
    """The file's bytes as debugfs reads them; None when it does not exist."""
    out = out_dir / "dumped"
    if out.exists():
        out.unlink()
    text = debugfs(partition, f"dump {path} {out}")
    if "File not found" in text or not out.exists():
        return None
    return out.read_bytes()


def inode_stat(partition: Path, path: str) -> dict | None:
    """Type, mode, links, size, mtime, owner and inode of a path, from debugfs's stat; None if
    absent."""
    text = debugfs(partition, f"stat {path}")
    m = re.search(r"Inode: (\d+)\s+Type: (\w+)\s+Mode:\s+(\d+)", text)
    if not m:
        return None
    links = re.search(r"Links: (\d+)", text)
    size = re.search(r"Size: (\d+)", text)
    mtime = re.search(r"mtime: (0x[0-9a-f]+)", text)
    owner = re.search(r"User:\s+(\d+)\s+Group:\s+(\d+)", text)
    return {"ino": int(m.group(1)), "type": m.group(2), "mode": int(m.group(3), 8),
            "links": int(links.group(1)), "size": int(size.group(1)),
            "mtime": int(mtime.group(1), 16) if mtime else None,
            "uid": int(owner.group(1)) if owner else None, "gid": int(owner.group(2)) if owner else None}


def state_clean(partition: Path) -> bool:
    r = subprocess.run([tool("dumpe2fs"), "-h", str(partition)], capture_output=True, text=True)
    m = re.search(r"^Filesystem state:\s+(.*)$", r.stdout, re.M)
    return bool(m) and m.group(1).strip() == "clean"


class FsTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="fs-test-"))
        self.addCleanup(shutil.rmtree, self.dir, True)

    def image(self, tree_maker=make_ops_tree, size_mib: int = 32, **mke2fs) -> tuple[Path, Path]:
        """(disk, partition): a disk with one ext2 partition made from tree_maker's tree."""
        tree = None
        if tree_maker is not None:
            tree = self.dir / "tree"
            tree.mkdir()
            tree_maker(tree)
        partition = self.dir / "part.img"
        make_partition(partition, tree, size_mib, **mke2fs)
        disk = self.dir / "disk.img"
        make_disk(disk, partition)
        return disk, partition

    def boot(self, disk: Path, *client_args: str, machine: str = "q35", timeout: float = 240,
             ext2fs_args: str = "part:1:device:wd0", kernel_args: str = "") -> tuple[int, str]:
        cfg = client_cfg(*client_args, ext2fs_args=ext2fs_args, kernel_args=kernel_args)
        with Machine(machine=machine, grub_cfg=cfg, disks=[disk], timeout=timeout) as m:
            status = m.wait()
            return status, m.output

    def assert_client_passed(self, status: int, output: str):
        self.assertNotIn("fs-client: FAIL", output, "fs-client reported failures")
        self.assertRegex(output, r"fs-client: \d+ checks, 0 failed", "fs-client did not finish its checks")
        self.assertEqual(status, 0, "fs-client powered off with a failure")
