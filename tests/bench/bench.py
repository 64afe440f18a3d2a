"""`make bench`: the chain beside Linux on the same QEMU, in one run.

One disk image is made (an MBR disk whose ext2 partition holds the system, /bench.bin of
64 MiB, /small with 1,000 files of 4 KiB and /stat with 1,000 entries); every boot gets a fresh
copy of it, so that each starts from the same bytes whatever the boot before it wrote. On each
machine (q35: AHCI; pc: IDE) the rounds alternate: the chain's (to the prompt, disk-client's raw
rows, fs-client's file rows), then Linux's (to the prompt, then /rows.sh), at least 3 of each.
The table of medians, ratios and spreads is printed and written to build/bench/results.json.
Figures, not a test: nothing here passes or fails on speed. Under QEMU's TCG the absolute
figures measure the emulation as much as the systems; the ratio in one run is the result."""
import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bootchain import image, paths

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chain_side  # noqa: E402
import initramfs  # noqa: E402
import linux_peer  # noqa: E402
import results  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fs"))
import content  # noqa: E402

MEGABYTES = 64
FILES = 1000
SMALL_FILE = 4096
MACHINES = ("q35", "pc")


def make_image(path: Path, megabytes: int = MEGABYTES, files: int = FILES) -> Path:
    """The benchmark disk: the system (so that the chain boots to its prompt from it) and the
    rows' files. Room is left for the write row's file."""
    with tempfile.TemporaryDirectory(prefix="bench-tree-") as d:
        tree = Path(d)
        (tree / "bench.bin").write_bytes(content.data(90, megabytes << 20))
        (tree / "small").mkdir()
        for i in range(files):
            (tree / "small" / f"f{i:05d}").write_bytes(content.data(91 + i % 7, SMALL_FILE))
        (tree / "stat").mkdir()
        for i in range(files):
            (tree / "stat" / f"e{i:05d}").touch()
        return image.make_system_disk(path, tree, size_mib=2 * megabytes + 128)


def fresh_copy(pristine: Path, work: Path) -> Path:
    """A copy of the benchmark disk for one boot (sparse, as the original)."""
    copy = work / "boot.img"
    copy.unlink(missing_ok=True)
    subprocess.run(["cp", "--sparse=always", str(pristine), str(copy)], check=True)
    return copy


def chain_round(machine: str, isos: chain_side.ChainIsos, pristine: Path, work: Path) -> dict:
    measures = {}
    measures.update(chain_side.to_prompt(machine, isos, fresh_copy(pristine, work)))
    measures.update(chain_side.raw_rows(machine, isos, fresh_copy(pristine, work)))
    measures.update(chain_side.file_rows(machine, isos, fresh_copy(pristine, work)))
    return measures


def linux_round(machine: str, iso_image: Path, pristine: Path, work: Path, megabytes: int, files: int) -> dict:
    with linux_peer.boot(machine, iso_image, fresh_copy(pristine, work)) as peer:
        peer.type(f"sh /rows.sh {megabytes} {files}")
        status = peer.machine.wait(900)
        if status != 0:
            tail = "\n".join(peer.machine.output.splitlines()[-25:])
            raise SystemExit(f"the Linux peer's rows failed on {machine} (status {status}):\n{tail}")
        measures = results.parse(peer.machine.output)
        measures["to prompt"] = results.seconds(peer.to_prompt)
        return measures


def versions() -> dict:
    """What was measured: the kernels, QEMU, the host."""
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True).stdout
    mach = ""
    deps = paths.ROOT / ".deps/versions.txt"
    if deps.is_file():
        found = re.search(r"^gnumach-image\S* (\S+)", deps.read_text(), re.M)
        mach = found.group(1) if found else ""
    peer = initramfs.versions()
    return {"date": datetime.date.today().isoformat(),
            "linux": f"{initramfs.kernel_release()} (Debian {peer.get(f'linux-image-{initramfs.kernel_release()}', '?')})",
            "busybox": peer.get("busybox-static", "?"),
            "gnumach": mach,
            "qemu": qemu.splitlines()[0] if qemu else "?",
            "host": f"{platform.machine()}, {os.cpu_count()} cores, TCG"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each side per machine (default 3)")
    parser.add_argument("--machines", default=",".join(MACHINES), help="q35,pc (default both)")
    parser.add_argument("--out", type=Path, default=paths.build_dir() / "bench", help="where results.json goes")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    machines = [m for m in args.machines.split(",") if m]
    about = versions()
    print("bench: " + "; ".join(f"{k} {v}" for k, v in about.items()), flush=True)
    rows: list[results.Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as d:
        work = Path(d)
        pristine = make_image(work / "bench.img")
        isos = chain_side.ChainIsos(work / "iso", MEGABYTES, FILES)
        linux_iso = linux_peer.build_iso(work / "linux")
        for machine in machines:
            chain_rounds, linux_rounds = [], []
            for n in range(1, args.rounds + 1):
                began = time.monotonic()
                chain_rounds.append(chain_round(machine, isos, pristine, work))
                middle = time.monotonic()
                linux_rounds.append(linux_round(machine, linux_iso, pristine, work, MEGABYTES, FILES))
                print(f"bench: {machine} round {n}: chain {middle - began:.0f} s, "
                      f"Linux {time.monotonic() - middle:.0f} s", flush=True)
            rows += results.collect(machine, chain_rounds, linux_rounds)
    print()
    print(results.table(rows))
    print("ratio: above 1 the chain is better (rates: chain / Linux; times: Linux / chain). "
          "spread: (max - min) / median of the rounds, the larger side's.")
    out = args.out / "results.json"
    results.write_json(rows, out, about)
    print(f"bench: written to {out}")


if __name__ == "__main__":
    main()
