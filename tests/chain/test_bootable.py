"""A disk that boots by itself: `bootchain image --bootable` writes GRUB's boot sector into the MBR
and its core image into the gap before partition 1, and the kernel, the servers and a grub.cfg
(config/grub.cfg with the serial console) onto the root filesystem; `bootchain run --from-disk`
boots it with no CD: the firmware starts the disk's own GRUB, which loads everything from the
disk, and the chain runs to rc's end with status 0."""
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from bootchain import image, paths

RC = "echo rc: booted from its own disk\nls /boot/grub\nexit 0\n"


def bootchain(*words: str, timeout: float) -> subprocess.CompletedProcess:
    """The runner's command line (python3 -m bootchain, as ./bootchain runs it once built)."""
    env = dict(os.environ, PYTHONPATH=str(paths.ROOT / "tools"))
    return subprocess.run([sys.executable, "-m", "bootchain", *words], text=True, capture_output=True,
                          timeout=timeout, env=env, stdin=subprocess.DEVNULL)


class Bootable(unittest.TestCase):
    def test_boots_from_its_own_grub_with_no_cd(self):
        with tempfile.TemporaryDirectory(prefix="bootable-") as tmp:
            tree = Path(tmp) / "tree"
            (tree / "etc").mkdir(parents=True)
            (tree / "etc/rc").write_text(RC)
            disk = Path(tmp) / "disk.img"
            made = bootchain("image", "--bootable", "--tree", str(tree), "--out", str(disk), timeout=120)
            self.assertEqual(made.returncode, 0, made.stderr)
            # GRUB's boot sector, with the partition table sfdisk wrote.
            mbr = disk.read_bytes()[:512]
            self.assertEqual(mbr[0x1fe:], b"\x55\xaa")
            self.assertEqual(mbr[0x68:0x1b8], (image.GRUB_PC_DIR / "boot.img").read_bytes()[0x68:0x1b8])
            self.assertIn("grub.cfg", image.debugfs(disk, "ls -l /boot/grub"))

            ran = bootchain("run", "--disk", str(disk), "--from-disk", "--timeout", "240", timeout=300)
            self.assertEqual(ran.returncode, 0, ran.stdout[-3000:] + ran.stderr)
            out = ran.stdout
            for line in ("boot: ext2fs uses bootstrap port for disk", "boot: exec ready",
                         "rc: booted from its own disk", "init: /etc/rc ended with status 0"):
                self.assertIn(line, out.splitlines())
            self.assertIn("grub.cfg", out)          # ls /boot/grub on the root filesystem it booted from
            self.assertNotIn("cd0", out)            # rumpdisk found no CD: there was none
            code, report = image.fsck(disk)
            self.assertEqual(code, 0, report)


if __name__ == "__main__":
    unittest.main()
