"""The filesystem benchmark (`make bench`): per machine (AHCI on q35, IDE on pc), fs-client
--test=bench reads a 64 MiB file through ext2fs, creates and then deletes 1,000 files, looks up
and stats every entry of a 60,000-entry directory (as `ls -l` does), and asks
ext2fs for its resident memory with a cold and a warm cache; disk-client, booted on the same disk
in ext2fs's place just before and just after, reads the partition raw through rumpdisk in 1 MiB
requests (exec's place may not open a disk: README, Privilege). The ratio of the best figures is
the filesystem's overhead. Figures, not a test:
nothing here passes or fails on speed. Under QEMU's TCG the absolute numbers measure the
emulation as much as the servers."""
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import content  # noqa: E402
from fs_support import client_cfg, make_disk, make_partition, write  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "disk"))
import disk_support  # noqa: E402

from bootchain.machine import Machine  # noqa: E402

MEGABYTES = 64
FILES = 1000
BIG_DIRECTORY = 60000  # entries of /big-directory, each looked up and stat'ed as `ls -l` does


def run(machine: str, disk: Path) -> list[str]:
    cfg = client_cfg("--test=bench", f"--megabytes={MEGABYTES}", f"--files={FILES}")
    with Machine(machine=machine, grub_cfg=cfg, disks=[disk], timeout=900) as m:
        status = m.wait()
        lines = [line for line in m.output.splitlines() if line.startswith(("bench:", "ext2fs: mounted"))]
        if status != 0:
            raise SystemExit(f"bench on {machine} failed (status {status}):\n" + "\n".join(m.output.splitlines()[-20:]))
        return lines


def raw_megabytes_per_second(machine: str, disk: Path) -> float:
    """disk-client's sequential 1 MiB reads of the partition, in MB/s."""
    cfg = disk_support.client_cfg("--test=bench", "--device=wd0s1", f"--megabytes={MEGABYTES}")
    with Machine(machine=machine, grub_cfg=cfg, disks=[disk], timeout=900) as m:
        status = m.wait()
        if status != 0:
            raise SystemExit(f"raw bench on {machine} failed (status {status}):\n"
                             + "\n".join(m.output.splitlines()[-20:]))
        found = re.search(r"(?m)^bench: seq 1 MiB\s+([0-9.]+)", m.output)
        if not found:
            raise SystemExit(f"raw bench on {machine} printed no 1 MiB row")
        return float(found.group(1))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="fs-bench-") as d:
        tree = Path(d) / "tree"
        tree.mkdir()
        write(tree / "bench.bin", content.data(90, MEGABYTES << 20))
        big = tree / "big-directory"
        big.mkdir()
        for i in range(BIG_DIRECTORY):
            (big / f"entry-{i:06d}").touch()
        partition = Path(d) / "part.img"
        make_partition(partition, tree, MEGABYTES + 48, block_size=4096, inodes=BIG_DIRECTORY + 4096)
        disk = Path(d) / "disk.img"
        make_disk(disk, partition)
        for machine, what in (("q35", "AHCI"), ("pc", "IDE")):
            print(f"== ext2fs on {what} (-M {machine})")
            fresh = Path(d) / f"disk-{machine}.img"
            shutil.copyfile(disk, fresh)
            raw = [raw_megabytes_per_second(machine, fresh)]
            lines = run(machine, fresh)
            raw.append(raw_megabytes_per_second(machine, fresh))
            for line in lines:
                print(re.sub(r"^bench: ", "  ", line))
            through = re.search(r"read through ext2fs\s+([0-9.]+) MB/s", "\n".join(lines))
            print(f"  {'read raw through rumpdisk':<28} {max(raw):>9.2f} MB/s (disk-client before and after:"
                  f" {raw[0]:.2f}, {raw[1]:.2f})")
            if through:
                print(f"  {'ratio ext2fs / raw':<28} {float(through.group(1)) / max(raw):.3f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
