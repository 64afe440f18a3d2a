"""The chain's side of the benchmarks: three boots per round on the benchmark disk.

  - the whole chain to init's shell prompt (`bootchain:/# `, as `make run` gives it at a
    terminal): the time from QEMU's start, and each server's resident memory from init's boot
    profile;
  - disk-client in ext2fs's place: the raw rows, reading the disk itself through rumpdisk
    (tests/disk/disk-client, --test=bench);
  - fs-client in exec's place: the file rows through ext2fs, the null RPC and the bare round
    trip (tests/fs/fs-client, --test=bench).

The three boot CDs are made once (ChainIsos) and booted as they are, so the time to the prompt
counts QEMU and the guest only."""
import re
import sys
import time
from pathlib import Path

from bootchain import iso, paths
from bootchain.machine import Machine

import results

_TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(_TESTS / "disk"))
sys.path.insert(0, str(_TESTS / "fs"))
import disk_support  # noqa: E402
import fs_support  # noqa: E402

PROMPT = re.compile(r"bootchain:/# ")
# init's boot profile: "  NAME ready|mounted  AT  +MS  STARTED  N KiB".
_PROFILE = re.compile(r"^\s+(pci-arbiter|rumpdisk|ext2fs|exec) (?:ready|mounted)\s+\d+\s+\d+\s+\d+\s+(\d+) KiB", re.M)


class ChainIsos:
    """The three boot CDs of a round, made once in `out_dir`."""

    def __init__(self, out_dir: Path, megabytes: int, files: int):
        out_dir.mkdir(parents=True, exist_ok=True)
        self.prompt = self._make(out_dir / "chain-prompt.iso", paths.default_grub_cfg().read_text(),
                                 "bootchain.interactive=1")
        self.disk = self._make(out_dir / "chain-disk.iso", disk_support.client_cfg(
            "--test=bench", "--device=wd0", f"--megabytes={megabytes}"))
        self.fs = self._make(out_dir / "chain-fs.iso", fs_support.client_cfg(
            "--test=bench", f"--megabytes={megabytes}", f"--files={files}"))

    @staticmethod
    def _make(out: Path, cfg: str, append: str = "") -> Path:
        return iso.build_iso(iso.prepare_grub_cfg(cfg, append), out)


def _failed(what: str, machine: Machine, status) -> SystemExit:
    tail = "\n".join(machine.output.splitlines()[-25:])
    return SystemExit(f"the chain's {what} boot failed (status {status}: {machine.message or 'chosen by the guest'}):\n{tail}")


def to_prompt(machine: str, isos: ChainIsos, disk: Path) -> dict[str, results.Measure]:
    """QEMU's start to init's prompt, and the servers' resident memory at that point."""
    with Machine(machine=machine, iso_image=isos.prompt, disks=[disk], timeout=300) as m:
        # Machine returns once QEMU, started paused, was let run: the guest's time starts here.
        started = time.monotonic()
        m.expect(PROMPT, timeout=240)
        measures = {"to prompt": results.seconds(time.monotonic() - started)}
        for name, kib in _PROFILE.findall(m.output):
            measures[f"resident {name}"] = results.kib(int(kib))
        return measures


def _client(machine: str, iso_image: Path, disk: Path, what: str) -> dict[str, results.Measure]:
    with Machine(machine=machine, iso_image=iso_image, disks=[disk], timeout=900) as m:
        status = m.wait()
        if status != 0:
            raise _failed(what, m, status)
        return results.parse(m.output)


def raw_rows(machine: str, isos: ChainIsos, disk: Path) -> dict[str, results.Measure]:
    return _client(machine, isos.disk, disk, "disk-client")


def file_rows(machine: str, isos: ChainIsos, disk: Path) -> dict[str, results.Measure]:
    return _client(machine, isos.fs, disk, "fs-client")
