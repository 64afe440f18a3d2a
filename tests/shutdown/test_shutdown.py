"""Every way down is an orderly shutdown (lib/chain/shutdown.h). shutdown-client takes exec's
place: it writes /synced-N files and syncs, writes /dirty-N files and leaves them in ext2fs's
cache, then faults or waits.

- The client faults: ext2fs, the link above it, is alive: it must write everything and mark the
  filesystem clean before the power-off. The host finds the image `e2fsck -fn` clean, marked
  clean, and every file there with its bytes.
- ext2fs faults (its --fault-after test hook, at the io_write of the second unsynced file): its
  cache is lost, and rumpdisk, the link above it, says so and powers off with a non-zero status.
  After `e2fsck -fy` on a copy, every file synced before is there with its bytes."""
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from bootchain import image, paths
from bootchain.machine import Machine

NEXT_LINK_DIED = 3
SYNCED = 5
DIRTY = 5


def file_text(name: str) -> bytes:
    """What shutdown-client writes to /NAME."""
    return "".join(f"{name} line {k}\n" for k in range(100)).encode()


def client_cfg(client_args: str, ext2fs_args: str = "") -> str:
    """The seed's chain with shutdown-client in exec's place."""
    out = []
    for line in paths.default_grub_cfg().read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("module /boot/ext2fs ") and ext2fs_args:
            out.append(line.replace(" '$(fs-task", f" {ext2fs_args} '$(fs-task"))
        elif stripped.startswith("module /boot/exec "):
            out.append(f"  module /boot/shutdown-client shutdown-client {client_args} '$(exec-task=task-create)'")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


class OrderlyShutdown(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="shutdown-test-"))
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.disk = image.make_disk(self.dir / "disk.img", size_mib=16)

    def boot(self, cfg: str) -> tuple[int, str]:
        with Machine(grub_cfg=cfg, disks=[self.disk], timeout=120) as m:
            status = m.wait()
            return status, m.output

    def cat(self, disk: Path, name: str) -> bytes | None:
        """The bytes of /NAME as debugfs reads them; None when it does not exist."""
        out = self.dir / "dumped"
        out.unlink(missing_ok=True)
        image.debugfs(disk, f"dump /{name} {out}")
        return out.read_bytes() if out.exists() else None

    def state(self, disk: Path) -> str:
        m = re.search(r"^Filesystem state:\s+(.*)$", image.debugfs(disk, "stats"), re.M)
        self.assertIsNotNone(m, "debugfs stats gave no filesystem state")
        return m.group(1).strip()

    def test_a_crash_below_the_filesystem_leaves_it_synced_and_clean(self):
        status, out = self.boot(client_cfg(f"--synced={SYNCED} --dirty={DIRTY} --then=fault"))
        self.assertIn(f"shutdown-client: wrote {DIRTY} files without syncing", out)
        self.assertRegex(out, r"boot: ext2fs failed: the next link shutdown-client crashed: EXC_BAD_ACCESS")
        # ext2fs put itself away before the power-off, which is its own.
        self.assertRegex(out, r"ext2fs: wd0s1 is clean; serving it read-only\n(?:.*\n)*?"
                              r"boot: power-off by ext2fs with status 3")
        self.assertNotIn("could not be put away", out)
        self.assertEqual(status, NEXT_LINK_DIED)

        code, report = image.fsck(self.disk)
        self.assertEqual(code, 0, f"e2fsck -fn found problems:\n{report}")
        self.assertEqual(self.state(self.disk), "clean")
        for i in range(1, SYNCED + 1):
            self.assertEqual(self.cat(self.disk, f"synced-{i}"), file_text(f"synced-{i}"), f"/synced-{i}")
        for i in range(1, DIRTY + 1):
            self.assertEqual(self.cat(self.disk, f"dirty-{i}"), file_text(f"dirty-{i}"), f"/dirty-{i}")

    def test_a_crash_of_the_filesystem_keeps_what_it_synced(self):
        # ext2fs faults at the io_write of /dirty-2: SYNCED files were synced, /dirty-1 was not.
        fault_at = SYNCED + 2
        status, out = self.boot(client_cfg(f"--synced={SYNCED} --dirty={DIRTY} --then=wait",
                                           ext2fs_args=f"--fault-after={fault_at}"))
        self.assertIn(f"shutdown-client: wrote and synced {SYNCED} files", out)
        self.assertIn(f"ext2fs: test hook: faulting at io_write request {fault_at} (--fault-after)", out)
        self.assertRegex(out, r"boot: rumpdisk failed: the next link ext2fs crashed: EXC_BAD_ACCESS")
        self.assertRegex(out, r"rumpdisk: ext2fs is gone: what it had not synced is lost")
        self.assertIn("boot: power-off by rumpdisk with status 3", out)
        self.assertNotIn("nobody ended the chain", out)
        self.assertEqual(status, NEXT_LINK_DIED)

        # The host repairs a copy, as a system's next boot would, and finds every synced file.
        repaired = self.dir / "repaired.img"
        shutil.copyfile(self.disk, repaired)
        e2fsck = shutil.which("e2fsck") or shutil.which("e2fsck", path="/usr/sbin:/sbin")
        fixed = subprocess.run([e2fsck, "-fy", image.partition_spec(repaired)], capture_output=True, text=True)
        self.assertIn(fixed.returncode, (0, 1), f"e2fsck -fy could not repair:\n{fixed.stdout}{fixed.stderr}")
        code, report = image.fsck(repaired)
        self.assertEqual(code, 0, f"still not clean after e2fsck -fy:\n{report}")
        for i in range(1, SYNCED + 1):
            self.assertEqual(self.cat(repaired, f"synced-{i}"), file_text(f"synced-{i}"), f"/synced-{i}")


if __name__ == "__main__":
    unittest.main()
