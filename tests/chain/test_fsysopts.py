"""The Hurd's read-only root made writable at run time, the Hurd's way: the Hurd's own entry
(tests/check/hurd_amd64.cfg) mounts the root `--readonly`; /etc/rc finds that writes fail with
EROFS, runs `fsysopts / --writable` (file_getcontrol on /, then fsys_set_options on ext2fs's
control port), writes and syncs, runs `fsysopts / --readonly` (ext2fs syncs and remounts
read-only), and finds that writes fail again while what it wrote reads back. The directory port
the shell held from the start works throughout. e2fsck -fn finds the disk clean afterwards."""
import subprocess
import tempfile
import unittest
from pathlib import Path

from bootchain import image
from bootchain.machine import Machine

from support import HURD_ENTRY, hurd_disk

RC = """\
fsysopts /
echo one > /one
echo "rc: write while read-only: $?"
fsysopts / --bogus
echo "rc: unknown option: $?"
fsysopts / --writable
echo "rc: --writable: $?"
fsysopts /
echo two > /two && sync
echo "rc: write while writable: $?"
cat /two
fsysopts / --readonly > /busy
echo "rc: --readonly with a file open for writing: $?"
rm /busy
fsysopts / --readonly
echo "rc: --readonly: $?"
fsysopts /
echo three > /three
echo "rc: write while read-only again: $?"
cat /two
fsysopts / --readonly
echo "rc: --readonly again: $?"
exit 0
"""


class Fsysopts(unittest.TestCase):
    def test_readonly_root_made_writable_and_back(self):
        with tempfile.TemporaryDirectory(prefix="fsysopts-") as tmp:
            disk = hurd_disk(Path(tmp), RC)
            with Machine(grub_cfg=HURD_ENTRY.read_text(), disks=[disk], timeout=240) as m:
                m.expect(r"mounted wd0s2 .*read-only", timeout=120)
                m.expect(r"^ext2fs --readonly --cache-kib=\d+ wd0s2$", timeout=120)
                m.expect(r"^sh: /one: read-only filesystem$", timeout=30)
                m.expect(r"^rc: write while read-only: 1$", timeout=30)
                m.expect(r"^fsysopts: /: invalid argument$", timeout=30)
                m.expect(r"^rc: unknown option: 1$", timeout=30)
                m.expect(r"^ext2fs: wd0s2 is writable now$", timeout=30)
                m.expect(r"^rc: --writable: 0$", timeout=30)
                m.expect(r"^ext2fs --writable --cache-kib=\d+ wd0s2$", timeout=30)
                m.expect(r"^rc: write while writable: 0$", timeout=30)
                m.expect(r"^two$", timeout=30)
                m.expect(r"^fsysopts: /: busy$", timeout=30)
                m.expect(r"^rc: --readonly with a file open for writing: 1$", timeout=30)
                m.expect(r"^ext2fs: wd0s2 is clean; read-only now$", timeout=30)
                m.expect(r"^rc: --readonly: 0$", timeout=30)
                m.expect(r"^ext2fs --readonly --cache-kib=\d+ wd0s2$", timeout=30)
                m.expect(r"^sh: /three: read-only filesystem$", timeout=30)
                m.expect(r"^rc: write while read-only again: 1$", timeout=30)
                m.expect(r"^two$", timeout=30)
                m.expect(r"^rc: --readonly again: 0$", timeout=30)
                self.assertEqual(m.wait(), 0, m.message)
                self.assertNotIn("failed", m.output)
            code, report = image.fsck(disk, root_partition=2)
            self.assertEqual(code, 0, report)
            self.assertEqual(image.debugfs(disk, "cat /two", root_partition=2), "two\n")
            for name in ("one", "three", "busy"):
                self.assertIn("not found", _debugfs_stat(disk, name))

    def test_a_filesystem_with_errors_stays_read_only(self):
        with tempfile.TemporaryDirectory(prefix="fsysopts-") as tmp:
            disk = hurd_disk(Path(tmp), 'fsysopts / --writable\necho "rc: --writable: $?"\n'
                                        'echo x > /x\necho "rc: write: $?"\nexit 0\n')
            # The superblock's state: valid, with errors (EXT2_ERROR_FS), as a failed write leaves it.
            subprocess.run(["debugfs", "-w", "-R", "ssv state 3", image.partition_spec(disk, 2)], check=True,
                           capture_output=True)
            before = disk.read_bytes()
            with Machine(grub_cfg=HURD_ENTRY.read_text(), disks=[disk], timeout=240) as m:
                m.expect(r"mounted wd0s2 .*read-only", timeout=120)
                m.expect(r"^ext2fs: wd0s2 is marked as having errors: run e2fsck before making it writable; "
                         r"it stays read-only$", timeout=120)
                m.expect(r"^fsysopts: /: read-only filesystem$", timeout=30)
                m.expect(r"^rc: --writable: 1$", timeout=30)
                m.expect(r"^rc: write: 1$", timeout=30)
                self.assertEqual(m.wait(), 0, m.message)
            self.assertTrue(disk.read_bytes() == before, "the read-only disk was written to")



def _debugfs_stat(disk: Path, name: str) -> str:
    """debugfs's answer to `stat /NAME` on the root partition, what it says on stderr included."""
    result = subprocess.run(["debugfs", "-R", f"stat /{name}", image.partition_spec(disk, 2)], text=True,
                            capture_output=True)
    return result.stdout + result.stderr


if __name__ == "__main__":
    unittest.main()
