"""A failing write, for `make check`: QEMU's blkdebug fails every write to one file's sectors
in the middle of /etc/rc, on q35. The commands that meet it say so with a non-zero status,
ext2fs marks the filesystem as having errors and serves everything else, and after the
power-off `e2fsck -fy` repairs the image and every other file is intact
(powercut_support.write_error). `make powercut` runs it on pc too."""
import os
import unittest

import powercut_support

SEED = int(os.environ.get("POWERCUT_SEED", "20261203"))


class WriteError(unittest.TestCase):
    def test_q35(self):
        problems = powercut_support.write_error("q35", SEED)
        self.assertEqual(problems, [], f"seed {SEED}:\n" + "\n".join(problems))


if __name__ == "__main__":
    unittest.main()
