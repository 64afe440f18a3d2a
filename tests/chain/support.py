"""Shared by the chain's boot tests: the seed's grub.cfg and variations of it, the disk the
seed's ext2fs mounts (part:1:device:wd0), and the Hurd's own entries with a disk laid out as
the Hurd's (root on partition 2)."""
import tempfile
import unittest
from pathlib import Path

from bootchain import image, paths


# The entries GRUB's 10_hurd.in writes for Debian GNU/Hurd amd64, typed in by hand.
HURD_ENTRY = paths.ROOT / "tests/check/hurd_amd64.cfg"
HURD_ACPI_ENTRY = paths.ROOT / "tests/check/hurd_amd64_acpi.cfg"


def hurd_disk(folder: Path, rc: str) -> Path:
    """A disk laid out as the Hurd's (image.make_hurd_disk) whose /etc/rc is rc, in folder."""
    tree = folder / "tree"
    (tree / "etc").mkdir(parents=True)
    (tree / "etc/rc").write_text(rc)
    return image.make_hurd_disk(folder / "hurd.img", tree)


class WithRootDisk(unittest.TestCase):
    """Makes, once per test class, a small disk whose partition 1 holds an empty ext2."""

    @classmethod
    def setUpClass(cls):
        cls._dir = tempfile.TemporaryDirectory(prefix="chain-test-")
        cls.disk = image.make_disk(Path(cls._dir.name) / "root.img", size_mib=16)

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()


def seed_cfg() -> str:
    """The seed's four-link chain (config/grub-seed.cfg); config/grub.cfg adds acpi."""
    return paths.seed_grub_cfg().read_text()


def five_link_cfg() -> str:
    """The Hurd's five-link chain, config/grub.cfg."""
    return paths.default_grub_cfg().read_text()


def module_lines(cfg: str) -> list[str]:
    return [line for line in cfg.splitlines() if line.strip().startswith("module ")]


def replace_line(cfg: str, server: str, new_line: str | None) -> str:
    """The grub.cfg with the module line of `server` replaced (or removed when new_line is None)."""
    out = []
    found = False
    for line in cfg.splitlines():
        if line.strip().startswith(f"module /boot/{server} "):
            found = True
            if new_line is not None:
                out.append("  module " + new_line)
        else:
            out.append(line)
    assert found, f"no module line for {server} in the grub.cfg"
    return "\n".join(out) + "\n"


def edit_line(cfg: str, server: str, old: str, new: str) -> str:
    """The grub.cfg with `old` replaced by `new` in the module line of `server`."""
    out = []
    for line in cfg.splitlines():
        if line.strip().startswith(f"module /boot/{server} "):
            assert old in line, f"'{old}' is not in the line of {server}: {line}"
            line = line.replace(old, new)
        out.append(line)
    return "\n".join(out) + "\n"


# The trace every good boot of the five-link chain prints, in this order.
FIVE_LINK_TRACE = [
    r"boot: pci-arbiter -> acpi",
    r"boot: pci-arbiter ready",
    r"boot: acpi -> rumpdisk",
    r"boot: acpi ready",
    r"boot: rumpdisk -> ext2fs",
    r"boot: rumpdisk uses bootstrap port for pci",
    r"boot: rumpdisk ready",
    r"boot: ext2fs -> exec",
    r"boot: ext2fs ready",
    r"boot: exec ready",
]

# The trace every good boot of the seed's chain prints, in this order.
SEED_TRACE = [
    r"boot: pci-arbiter -> rumpdisk",
    r"boot: pci-arbiter ready",
    r"boot: rumpdisk -> ext2fs",
    r"boot: rumpdisk uses bootstrap port for pci",
    r"boot: rumpdisk ready",
    r"boot: ext2fs -> exec",
    r"boot: ext2fs uses bootstrap port for disk",
    r"boot: ext2fs ready",
    r"boot: exec uses bootstrap port for fs",
    r"boot: exec ready",
]
