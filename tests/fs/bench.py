"""The filesystem benchmark (`make bench`): in one boot per machine (AHCI on q35, IDE on pc),
fs-client --test=bench reads a 64 MiB file through ext2fs and the same number of bytes raw
through rumpdisk (the ratio is the filesystem's overhead), creates and then deletes 1,000 files,
and asks ext2fs for its resident memory with a cold and a warm cache. Figures, not a test:
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

from bootchain.machine import Machine  # noqa: E402

MEGABYTES = 64
FILES = 1000


def run(machine: str, disk: Path) -> list[str]:
    cfg = client_cfg("--test=bench", "--device=wd0s1", f"--megabytes={MEGABYTES}", f"--files={FILES}")
    with Machine(machine=machine, grub_cfg=cfg, disks=[disk], timeout=900) as m:
        status = m.wait()
        lines = [line for line in m.output.splitlines() if line.startswith(("bench:", "ext2fs: mounted"))]
        if status != 0:
            raise SystemExit(f"bench on {machine} failed (status {status}):\n" + "\n".join(m.output.splitlines()[-20:]))
        return lines


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="fs-bench-") as d:
        tree = Path(d) / "tree"
        tree.mkdir()
        write(tree / "bench.bin", content.data(90, MEGABYTES << 20))
        partition = Path(d) / "part.img"
        make_partition(partition, tree, MEGABYTES + 24, block_size=4096)
        disk = Path(d) / "disk.img"
        make_disk(disk, partition)
        for machine, what in (("q35", "AHCI"), ("pc", "IDE")):
            print(f"== ext2fs on {what} (-M {machine})")
            fresh = Path(d) / f"disk-{machine}.img"
            shutil.copyfile(disk, fresh)
            for line in run(machine, fresh):
                print(re.sub(r"^bench: ", "  ", line))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
