"""The entry GRUB's 10_hurd.in writes for Debian GNU/Hurd amd64 boots our chain unchanged: the
grub.cfg is tests/check/hurd_amd64.cfg (typed in by hand from the template), the disk is laid out
as the Hurd's (swap on partition 1, the root on partition 2 with the filesystem UUID the entry
searches for, the kernel and the servers on it under their Debian names), and GRUB loads them from
there. ext2fs is given `--readonly --multiboot-command-line='${kernel-command-line}' -T typed
'${root}'`; /etc/rc only reads, as the root is read-only, and its status 0 ends the run."""
import tempfile
import unittest
from pathlib import Path

from bootchain.machine import Machine

from support import HURD_ENTRY, hurd_disk

RC = "echo rc: the Hurd entry booted\nls /hurd\nexit 0\n"


class HurdEntry(unittest.TestCase):
    def test_boots_to_the_end_of_rc(self):
        with tempfile.TemporaryDirectory(prefix="hurd-entry-") as tmp:
            disk = hurd_disk(Path(tmp), RC)
            with Machine(grub_cfg=HURD_ENTRY.read_text(), disks=[disk], timeout=240) as m:
                m.expect(r"^boot: ext2fs uses bootstrap port for disk$", timeout=120)
                m.expect(r"mounted wd0s2 .*read-only", timeout=60)
                m.expect(r"^boot: exec ready$", timeout=60)
                m.expect(r"^rc: the Hurd entry booted$", timeout=120)
                m.expect(r"ext2fs\.static", timeout=30)   # ls /hurd lists the servers on the disk
                self.assertEqual(m.wait(), 0, m.message)
                self.assertNotIn("failed", m.output)


if __name__ == "__main__":
    unittest.main()
