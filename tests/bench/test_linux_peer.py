"""The benchmarks' Linux peer works: Debian 12's kernel boots from its initramfs on the
chain's QEMU command line (q35, the disk on AHCI port 0), mounts the disk's ext2 partition, comes
to busybox's prompt, reads the disk with O_DIRECT through linux-bench, and ends QEMU with the
status it was given. One short boot; `make bench` runs the real rows."""
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

from bootchain import image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import linux_peer  # noqa: E402
import results  # noqa: E402


class LinuxPeer(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="linux-peer-"))
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_boots_to_prompt_and_reads_the_disk(self):
        tree = self.dir / "tree"
        tree.mkdir()
        (tree / "hello.txt").write_text("hello from the benchmark disk\n")
        disk = image.make_disk(self.dir / "disk.img", tree, size_mib=32)
        iso = linux_peer.build_iso(self.dir / "linux")
        with linux_peer.boot("q35", iso, disk, timeout=400) as peer:
            self.assertGreater(peer.to_prompt, 0)
            peer.type("cat /mnt/hello.txt; linux-bench raw /dev/sda 65536 4194304; linux-bench exit 7")
            peer.machine.expect(r"^hello from the benchmark disk$", timeout=60)
            status = peer.machine.wait(120)
            output = peer.machine.output
        self.assertEqual(status, 7, "linux-bench exit did not end QEMU with the status given")
        rows = results.parse(output)
        self.assertIn("raw seq 64 KiB", rows, "linux-bench printed no row")
        self.assertEqual((rows["raw seq 64 KiB"].bytes, rows["raw seq 64 KiB"].count), (4194304, 64))
        self.assertGreater(rows["raw seq 64 KiB"].ns, 0)


if __name__ == "__main__":
    unittest.main()
