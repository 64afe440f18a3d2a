"""Shared by the disk tests: grub.cfg with disk-client in ext2fs's place, images, sfdisk."""
import json
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from bootchain import paths
from bootchain.machine import Machine

import stamp


def client_cfg(*client_args: str, rumpdisk_args: tuple[str, ...] = ()) -> str:
    """The seed's chain with disk-client as the link after rumpdisk (in ext2fs's place), rumpdisk
    given `rumpdisk_args` besides its own."""
    out = []
    for line in paths.default_grub_cfg().read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("module /boot/rumpdisk rumpdisk ") and rumpdisk_args:
            line = line.replace("rumpdisk rumpdisk ", "rumpdisk rumpdisk " + " ".join(rumpdisk_args) + " ", 1)
        if stripped.startswith("module /boot/ext2fs "):
            out.append("  module /boot/disk-client disk-client " + " ".join(client_args)
                       + " '$(fs-task=task-create)'")
        elif stripped.startswith("module /boot/exec "):
            continue
        else:
            out.append(line)
    return "\n".join(out) + "\n"


class DiskTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="disk-test-"))
        self.addCleanup(shutil.rmtree, self.dir, True)

    def stamped_image(self, name: str, sectors: int) -> Path:
        path = self.dir / name
        stamp.make_image(path, sectors)
        return path

    def run_client(self, machine: str, disks: list[Path], *client_args: str, blkdebug=None, timeout: float = 240,
                   rumpdisk_args: tuple[str, ...] = ()):
        """Boots the chain with disk-client and returns (status, console text)."""
        with Machine(machine=machine, grub_cfg=client_cfg(*client_args, rumpdisk_args=rumpdisk_args), disks=disks,
                     timeout=timeout, blkdebug=blkdebug) as m:
            status = m.wait()
            return status, m.output

    def assert_client_passed(self, status: int, output: str):
        self.assertRegex(output, r"disk-client: \d+ checks, 0 failed", "the client did not finish its checks")
        self.assertEqual(status, 0, "disk-client powered off with a failure")


def sfdisk(image: Path, script: str) -> list[dict]:
    """Writes a partition table with sfdisk and returns its partitions as sfdisk reports them."""
    if not shutil.which("sfdisk"):
        raise AssertionError("sfdisk is missing: scripts/setup installs it (Debian package fdisk)")
    subprocess.run(["sfdisk", "--no-reread", "--no-tell-kernel", "-q", str(image)], input=script, text=True,
                   check=True, capture_output=True)
    report = subprocess.run(["sfdisk", "--json", str(image)], text=True, check=True, capture_output=True)
    return json.loads(report.stdout)["partitiontable"]["partitions"]
