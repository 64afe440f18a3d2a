"""The disk benchmark (`make bench`): sequential reads of 64 MiB through rumpdisk in 4 KiB,
64 KiB and 1 MiB requests, and random 4 KiB reads, on AHCI (q35) and on IDE (pc). It prints
the guest's table for each machine; figures, not a test: nothing here passes or fails on speed.
Under QEMU's TCG the absolute numbers measure the emulation as much as the driver."""
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from disk_support import client_cfg  # noqa: E402

from bootchain.machine import Machine  # noqa: E402

MEGABYTES = 64


def run(machine: str, image: Path, rumpdisk_args: str = "") -> list[str]:
    cfg = client_cfg("--test=bench", "--device=wd0", f"--megabytes={MEGABYTES}")
    if rumpdisk_args:
        cfg = cfg.replace("rumpdisk --fs-server-task", f"rumpdisk {rumpdisk_args} --fs-server-task")
    with Machine(machine=machine, grub_cfg=cfg, disks=[image], timeout=900) as m:
        status = m.wait()
        lines = [line for line in m.output.splitlines() if line.startswith(("bench:", "rumpdisk: wd0"))]
        if status != 0:
            raise SystemExit(f"bench on {machine} failed (status {status}):\n" + "\n".join(m.output.splitlines()[-20:]))
        return lines


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-") as d:
        image = Path(d) / "bench.img"
        with open(image, "wb") as f:
            f.truncate((MEGABYTES + 8) << 20)
        for machine, what, args in (("q35", "AHCI", ""), ("pc", "IDE, bus-master DMA", ""),
                                    ("pc", "IDE, PIO only", "--ide-pio")):
            print(f"== {what} (-M {machine})")
            for line in run(machine, image, args):
                print(re.sub(r"^bench: ", "  ", line))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
