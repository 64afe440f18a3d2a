"""`./bootchain image` (tools/bootchain/image.py) without booting: a system disk holds the
programs (/sbin/init, /bin/sh ...), rootfs/ and the given tree, the tree's own files replace
rootfs/'s, --raw holds the tree alone, and the filesystem is clean with the requested block
size."""
import os
import subprocess
import sys
import unittest
from pathlib import Path

from bootchain import image, paths
from support import UserlandTest


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bootchain", *args], capture_output=True, text=True,
                          env=dict(os.environ))


def names(disk: Path, directory: str) -> set[str]:
    listing = image.debugfs(disk, f"ls -l {directory}")
    return {line.split()[-1] for line in listing.splitlines() if line.strip()} - {".", ".."}


class Image(UserlandTest):
    def test_system_tree_merges_programs_rootfs_and_the_tree(self):
        self.write("etc/rc", "echo mine\n")
        self.write("extra/file", "x")
        staged = image.system_tree(self.staged, self.tree)
        self.assertTrue(os.access(staged / "sbin/init", os.X_OK))
        for program in ("sh", "manifest"):
            self.assertTrue(os.access(staged / "bin" / program, os.X_OK), program)
        self.assertEqual((staged / "etc/rc").read_text(), "echo mine\n", "the tree's rc replaces rootfs/'s")
        self.assertEqual((staged / "etc/motd").read_bytes(), (paths.ROOT / "rootfs/etc/motd").read_bytes())
        self.assertEqual((staged / "extra/file").read_text(), "x")
        # Debug information is stripped: the disk's programs are smaller than the build's.
        built = paths.build_dir() / "userland/sh"
        self.assertLess((staged / "bin/sh").stat().st_size, built.stat().st_size)

    def test_cli_makes_a_clean_system_disk(self):
        self.write("data/note", "a note\n")
        out = self.dir / "system.img"
        run = cli("image", "--tree", str(self.tree), "--out", str(out), "--size", "16", "--block-size", "1024")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(out.stat().st_size, 16 << 20)
        status, report = image.fsck(out)
        self.assertEqual(status, 0, report)
        self.assertIn("Block size:               1024", image.debugfs(out, "stats"))
        self.assertLessEqual({"bin", "sbin", "etc", "data", "lost+found"}, names(out, "/"))
        self.assertLessEqual({"sh", "manifest"}, names(out, "/bin"))
        self.assertEqual(names(out, "/sbin"), {"init"})
        self.assertEqual(image.debugfs(out, "cat /data/note"), "a note\n")

    def test_cli_raw_and_errors(self):
        self.write("only", "1")
        out = self.dir / "raw.img"
        run = cli("image", "--raw", "--tree", str(self.tree), "--out", str(out), "--size", "8")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(names(out, "/"), {"only", "lost+found"})
        run = cli("image", "--tree", str(self.dir / "missing"), "--out", str(out))
        self.assertEqual(run.returncode, 2)
        self.assertIn("is not a directory", run.stderr)
        run = cli("image", "--raw", "--out", str(out))
        self.assertEqual(run.returncode, 2)
        self.assertIn("--raw needs --tree", run.stderr)


if __name__ == "__main__":
    unittest.main()
