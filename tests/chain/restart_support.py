"""Shared by the restart tests: a system disk with a tree of files and an /etc/rc that reads
them (sha256sum), copies them, writes new ones and syncs, and a boot of the seed's chain in
which rumpdisk faults or hangs once (its test hooks, servers/rumpdisk/test_hooks.h) while the
script runs. The link above restarts it, ext2fs re-issues the request it held, and the script
must end as if nothing happened: status 0, every hash right, the disk clean, every file there."""
import hashlib
import random
import re
import tempfile
import unittest
from pathlib import Path

from bootchain import image
from bootchain.machine import Machine

from support import edit_line, five_link_cfg, seed_cfg

BOOT_TIMEOUT = 180
# Files of the tree (name, size): small ones and some that take many transfers.
FILES = [("a", 4096), ("b", 70000), ("c", 300000), ("d", 1 << 20), ("e", 123), ("f", 2 << 20)]


def tree_files(seed: int = 9) -> dict[str, bytes]:
    rng = random.Random(seed)
    return {name: rng.randbytes(size) for name, size in FILES}


def rc_script(files: dict[str, bytes]) -> str:
    names = list(files)
    lines = ["echo restart-test: started", "sha256sum " + " ".join(f"/data/{n}" for n in names), "mkdir /copy"]
    lines += [f"cp /data/{n} /copy/{n}" for n in names]
    lines += ["mkdir /new"]
    lines += [f"cp /data/{n} /new/{n}-again" for n in names]
    lines += ["sync", "sha256sum " + " ".join(f"/copy/{n}" for n in names),
              "sha256sum " + " ".join(f"/new/{n}-again" for n in names), "links", "echo restart-test: done"]
    return "\n".join(lines) + "\n"


class RestartTest(unittest.TestCase):
    machine = "q35"
    # The seed's chain, where the arbiter supervises rumpdisk; with five_links, acpi does, and
    # the arbiter (two links up) still stops the controllers' DMA when it is told (link.defs).
    five_links = False

    @property
    def supervisor(self) -> str:
        return "acpi" if self.five_links else "pci-arbiter"

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="restart-test-")
        self.addCleanup(self._dir.cleanup)
        work = Path(self._dir.name)
        self.files = tree_files()
        tree = work / "tree"
        (tree / "data").mkdir(parents=True)
        (tree / "etc").mkdir()
        for name, data in self.files.items():
            (tree / "data" / name).write_bytes(data)
        (tree / "etc/rc").write_text(rc_script(self.files))
        self.disk = image.make_system_disk(work / "disk.img", tree, size_mib=64)

    def boot(self, hook: str) -> tuple[int, str]:
        cfg = edit_line(five_link_cfg() if self.five_links else seed_cfg(), "rumpdisk", "--fs-server-task", f"{hook} --fs-server-task")
        with Machine(machine=self.machine, grub_cfg=cfg, disks=[self.disk], timeout=BOOT_TIMEOUT) as m:
            status = m.wait()
            return status, m.output

    def check_survived(self, status: int, out: str, cause: str) -> None:
        # The driver failed once while the script ran, was restarted, and the script went on.
        started = out.find("restart-test: started")
        failed = re.search(rf"^boot: {self.supervisor}: rumpdisk {cause}.*; restarting it$", out, re.M)
        self.assertGreaterEqual(started, 0, out)
        self.assertIsNotNone(failed, f"rumpdisk did not fail as asked ({cause}):\n{out}")
        self.assertGreater(failed.start(), started, "the driver failed before the script ran: move the hook")
        restarted = re.search(rf"(?m)^boot: {self.supervisor} restarted rumpdisk \(restart 1, at most 5 a minute\), "
                              r"(\d+) ms after it failed$", out)
        self.assertIsNotNone(restarted, out)
        self.assertLess(int(restarted.group(1)), 2000, "a new instance within 2 s")
        self.assertRegex(out, r"(?m)^boot: rumpdisk \(instance 2\) serves ext2fs again$")
        # The dead driver's controller stopped its DMA at once; the new instance enabled it again.
        self.assertRegex(out, r"(?m)^pci-arbiter: bus mastering stopped on 1 controller until the disk server "
                              r"sets it up again$")
        self.assertRegex(out, r"(?m)^ext2fs: wd0s1: disk server restarted, request retried$")
        self.assertNotRegex(out, r"(?m)boot: \S+ failed")
        # `links` and init's boot profile show the restart.
        self.assertRegex(out, r"(?m)^rumpdisk\s+serving\s+2\s+1\s+\d+ KiB\s+\d+\s+\d+$")
        self.assertRegex(out, rf"(?m)^{self.supervisor}\s+serving\s+1\s+0\s")
        self.assertRegex(out, r"(?m)^  rumpdisk ready .* KiB restarted 1 time$")
        self.assertIn("restart-test: done", out)
        self.assertEqual(status, 0, out)
        # Every hash right: the originals read, their copies and the second copies written.
        for name, data in self.files.items():
            digest = hashlib.sha256(data).hexdigest()
            for path in (f"/data/{name}", f"/copy/{name}", f"/new/{name}-again"):
                self.assertRegex(out, rf"(?m)^{digest}  {re.escape(path)}$", f"{path}'s hash")
        code, report = image.fsck(self.disk)
        self.assertEqual(code, 0, report)
        # debugfs shows exactly the files expected, with their sizes.
        for folder, suffix in (("/copy", ""), ("/new", "-again")):
            listing = image.debugfs(self.disk, f"ls -l {folder}")
            found = {}
            for line in listing.splitlines():
                words = line.split()
                if len(words) >= 3 and words[-1] not in (".", ".."):
                    found[words[-1]] = int(words[-4]) if words[-4].isdigit() else -1
            self.assertEqual(found, {name + suffix: len(data) for name, data in self.files.items()}, listing)
