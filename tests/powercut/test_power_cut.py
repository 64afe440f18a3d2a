"""Power cuts, bounded for `make check`: two SIGKILLs of QEMU (one on q35, one on pc) at seeded
points of a write-heavy /etc/rc; every file synced before the cut reads back with its hash after
`e2fsck -fy`, and a second `e2fsck -fn` finds the image clean (powercut_support.py says it all).
The seed is fixed (POWERCUT_SEED overrides it) and printed; `make powercut` runs more cuts."""
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import powercut_support

SEED = int(os.environ.get("POWERCUT_SEED", "20261203"))
CUTS = 2
STEPS = 10


class PowerCut(unittest.TestCase):
    def test_synced_files_survive_power_cuts(self):
        print(f"power cuts: seed {SEED}, {CUTS} cuts of {STEPS} steps", file=sys.stderr)
        lines = []
        cuts = powercut_support.power_cuts(SEED, CUTS, STEPS, log=lambda line: (lines.append(line),
                                                                               print(line, file=sys.stderr)))
        self.assertEqual(len(cuts), CUTS, "not every cut ran")
        problems = [p for cut in cuts for p in cut.problems]
        self.assertEqual(problems, [], f"seed {SEED}:\n" + "\n".join(lines))
        # The cuts must test something: at least one landed after a file was synced.
        self.assertGreater(sum(cut.hashed for cut in cuts), 0, "no cut came after a sync")

    def test_the_disk_mode_loses_unflushed_writes(self):
        """The premise of the power cuts: on a qcow2 overlay with cache=writeback, a write that
        was not flushed is lost when QEMU is killed, and a flushed one is not (qemu-io, QEMU's
        own block layer, killing itself with SIGKILL)."""
        qemu_img, qemu_io = powercut_support.Tools.path("qemu-img"), powercut_support.Tools.path("qemu-io")
        with tempfile.TemporaryDirectory(prefix="powercut-mode-") as d:
            base, top = Path(d) / "base.raw", Path(d) / "top.qcow2"
            with open(base, "wb") as f:
                f.truncate(16 << 20)
            subprocess.run([qemu_img, "create", "-q", "-f", "qcow2", "-b", str(base), "-F", "raw", str(top)],
                           check=True)
            subprocess.run([qemu_io, "-t", "writeback", "-c", "write -P 0xab 1M 64k", "-c", "write -P 0xcd 2M 64k",
                            "-c", "flush", "-c", "write -P 0xef 4M 64k", "-c", "write -P 0x12 6M 64k",
                            "-c", "sigraise 9", str(top)], capture_output=True)

            def holds(pattern: int, offset: str) -> bool:
                r = subprocess.run([qemu_io, "-r", "-c", f"read -P {pattern:#x} {offset} 64k", str(top)],
                                   capture_output=True, text=True)
                return r.returncode == 0 and "verification failed" not in r.stdout

            self.assertTrue(holds(0xcd, "2M"), "a flushed write was lost")
            self.assertFalse(holds(0xef, "4M") or holds(0x12, "6M"),
                             "no unflushed write was lost: the power cuts would not test sync")


if __name__ == "__main__":
    unittest.main()
