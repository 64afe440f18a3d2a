"""rumpdisk end to end: a test module (disk-client) reads and writes through Mach's device
interface, on q35 (AHCI) and pc (IDE); the host made the images and checks them afterwards."""
import re
import unittest

import stamp
from disk_support import DiskTest, sfdisk

SECTORS = 65536  # a 32 MiB disk


class ReadEverySector(DiskTest):
    """Every sector of a stamped raw image comes back through rumpdisk with its own stamp."""

    def check(self, machine: str, rumpdisk_args: tuple[str, ...] = ()):
        big = self.stamped_image("wd0.img", SECTORS)
        small = self.stamped_image("wd1.img", SECTORS // 2)
        status, out = self.run_client(machine, [big, small], "--test=read-all", "--device=wd0", "--chunk=1048576",
                                      rumpdisk_args=rumpdisk_args)
        self.assert_client_passed(status, out)
        self.assertIn(f"disk-client: verified {SECTORS} of {SECTORS} sectors of wd0", out)
        # Disks are named in controller and port order, with their sizes.
        self.assertRegex(out, rf"rumpdisk: wd0: .*, {SECTORS} sectors of 512 bytes \(32 MiB\)")
        self.assertRegex(out, rf"rumpdisk: wd1: .*, {SECTORS // 2} sectors of 512 bytes \(16 MiB\)")
        if machine == "pc":
            # The path under test: bus-master DMA unless rumpdisk was told PIO.
            mode = "PIO" if "--ide-pio" in rumpdisk_args else "DMA"
            self.assertRegex(out, rf"rumpdisk: wd0: .*ide .* primary master, {mode}\b")
        # The boot CD is never taken for a disk.
        self.assertNotRegex(out, r"rumpdisk: wd2:")

    def test_q35(self):
        self.check("q35")

    def test_pc(self):
        self.check("pc")

    def test_pc_pio(self):
        """IDE by PIO only: READ MULTIPLE, a data block at a time, each block's status judged."""
        self.check("pc", ("--ide-pio",))


class ReadRepliesByDma(DiskTest):
    """A read's reply memory is filled by DMA, not copied, on AHCI and on IDE: from contiguous
    pages, or from scattered pages in several physical runs (a PRD each). Every sector comes back
    with its own stamp, a request that ends mid-page has zeros after its data (the client checks),
    and the last request ends at the disk's last sector. On IDE a 1 MiB request is eight commands
    of 128 KiB, each taking its own slice of the reply's runs."""

    def read_all(self, sectors: int, chunk: int, *rumpdisk_args: str, machine: str = "q35") -> str:
        image = self.stamped_image("wd0.img", sectors)
        status, out = self.run_client(machine, [image], "--test=read-all", "--device=wd0", f"--chunk={chunk}",
                                      rumpdisk_args=rumpdisk_args)
        self.assert_client_passed(status, out)
        self.assertIn(f"disk-client: verified {sectors} of {sectors} sectors of wd0 in requests of {chunk} bytes", out)
        return out

    def test_scattered_megabytes(self):
        out = self.read_all(SECTORS, 1048576, "--scattered-replies")
        runs = re.search(r"rumpdisk: scattered reply memory: (\d+) pages in (\d+) physical runs", out)
        self.assertIsNotNone(runs, "no reply came in more than one physical run")
        self.assertGreater(int(runs.group(2)), 1)

    def test_scattered_odd_requests(self):
        # Seven sectors: requests that start and end mid-page; 8192 is not a multiple of 7, so the
        # last one is shorter and ends at the disk's end.
        self.read_all(8192, 3584, "--scattered-replies")

    def test_contiguous_odd_requests(self):
        self.read_all(8192, 3584)

    def test_pc_scattered_megabytes(self):
        out = self.read_all(SECTORS, 1048576, "--scattered-replies", machine="pc")
        self.assertIn("rumpdisk: scattered reply memory:", out)
        self.assertNotIn("DMA failed", out)

    def test_pc_contiguous_odd_requests(self):
        out = self.read_all(8192, 3584, machine="pc")
        self.assertNotIn("DMA failed", out)


class WriteScattered(DiskTest):
    """Writes at scattered offsets and lengths land exactly there, as the host sees the image."""

    RANGES = [(0, 1), (1, 7), (100, 8), (1000, 255), (4095, 2051), (20000, 1), (SECTORS - 3, 3)]

    def check(self, machine: str, rumpdisk_args: tuple[str, ...] = ()):
        image = self.stamped_image("wd0.img", SECTORS)
        ranges = ",".join(f"{first}:{count}" for first, count in self.RANGES)
        status, out = self.run_client(machine, [image], "--test=write", "--device=wd0", f"--ranges={ranges}",
                                      rumpdisk_args=rumpdisk_args)
        self.assert_client_passed(status, out)
        written = {lba: 1 for first, count in self.RANGES for lba in range(first, first + count)}
        self.assertEqual(stamp.check_image(image, written), [])

    def test_q35(self):
        self.check("q35")

    def test_pc(self):
        self.check("pc")

    def test_pc_pio(self):
        self.check("pc", ("--ide-pio",))


class Partitions(DiskTest):
    """Tables made by sfdisk open as the right wdNsM, with the right sizes, and no partition
    reads outside itself. In the same boot as the MBR table, rumpdisk's handles: one per open,
    closed one at a time, one writer over overlapping volumes, freed when their client lets go."""

    def expect_volumes(self, image, partitions, numbers, tests="volumes"):
        # sfdisk --json names nodes like IMAGE1, IMAGE5; the number is the partition's.
        expect = []
        for p in partitions:
            number = int(re.search(r"(\d+)$", p["node"]).group(1))
            if number in numbers:
                expect.append(f"wd0s{number}:{p['start']}:{p['size']}")
        self.assertEqual(len(expect), len(numbers), f"sfdisk made {partitions}")
        status, out = self.run_client("q35", [image], f"--test={tests}", "--device=wd0",
                                      "--expect=" + ",".join(expect))
        self.assert_client_passed(status, out)
        for item in expect:
            name = item.split(":")[0]
            self.assertRegex(out, rf"rumpdisk: {name}: ")
        return out

    def test_mbr_with_logical_partitions(self):
        image = self.stamped_image("mbr.img", 2 * SECTORS)
        # Slot 4 holds the extended partition, so the lines after it are logical partitions.
        parts = sfdisk(image, "label: dos\n"
                              "start=2048, size=20480, type=83\n"
                              "start=22528, size=10240, type=83\n"
                              "start=32768, size=2048, type=c\n"
                              "start=36864, type=5\n"
                              "size=16384, type=83\n"
                              "size=8192, type=83\n")
        out = self.expect_volumes(image, parts, {1, 2, 3, 5, 6}, tests="volumes,handles")
        # The extended partition is a container, not a volume.
        self.assertNotRegex(out, r"rumpdisk: wd0s4: ")
        self.assertIn("disk-client: handles checked, server still serving", out)

    def test_gpt(self):
        image = self.stamped_image("gpt.img", 2 * SECTORS)
        parts = sfdisk(image, "label: gpt\n"
                              "start=2048, size=8192, name=one\n"
                              "start=10240, size=30000, name=two\n"
                              "start=40960, size=4096, name=three\n")
        self.expect_volumes(image, parts, {1, 2, 3})


class Faults(DiskTest):
    """QEMU's blkdebug fails a range of sectors: exactly those give D_IO_ERROR, and every other
    sector still reads right afterwards."""

    BAD_FIRST, BAD_COUNT = 5000, 4

    def check(self, machine: str):
        image = self.stamped_image("wd0.img", SECTORS // 4)
        rules = self.dir / "blkdebug.conf"
        rules.write_text("".join(
            f'[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "{lba}"\nonce = "off"\n\n'
            for lba in range(self.BAD_FIRST, self.BAD_FIRST + self.BAD_COUNT)))
        status, out = self.run_client(machine, [image], "--test=faults", "--device=wd0",
                                      f"--bad={self.BAD_FIRST}:{self.BAD_COUNT}", blkdebug={0: rules})
        self.assert_client_passed(status, out)
        self.assertIn(f"disk-client: {self.BAD_COUNT} sectors failed with D_IO_ERROR", out)

    def test_q35(self):
        self.check("q35")

    def test_pc(self):
        self.check("pc")


class BadRequests(DiskTest):
    """Unknown names, odd sizes, out-of-range records, writes on read-only opens, malformed
    messages: each gets its error and the server keeps serving."""

    def test_q35(self):
        image = self.stamped_image("wd0.img", SECTORS // 4)
        status, out = self.run_client("q35", [image], "--test=requests", "--device=wd0")
        self.assert_client_passed(status, out)
        self.assertIn("disk-client: bad requests answered, server still serving", out)


if __name__ == "__main__":
    unittest.main()
