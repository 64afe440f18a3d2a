"""The Hurd's five-link chain (config/grub.cfg: pci-arbiter -> acpi -> rumpdisk -> ext2fs -> exec)
runs to rc's end on both machines; without QEMU's test device, `poweroff` turns the machine off
through ACPI and `reboot` resets it through the FADT's reset register; an extra table given with
QEMU's -acpitable is listed by name; the Hurd's 10_hurd.in entry with its acpi line boots."""
import struct
import tempfile
import time
import unittest
from pathlib import Path

from bootchain import image, status
from bootchain.machine import Machine

from support import FIVE_LINK_TRACE, HURD_ACPI_ENTRY, five_link_cfg, hurd_disk



class FiveLinkChain(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._dir = tempfile.TemporaryDirectory(prefix="acpi-test-")

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def disk(self, rc: str) -> Path:
        tmp = Path(tempfile.mkdtemp(dir=self._dir.name))
        (tmp / "tree/etc").mkdir(parents=True)
        (tmp / "tree/etc/rc").write_text(rc)
        return image.make_system_disk(tmp / "root.img", tmp / "tree", size_mib=32)

    def boot_to_rc_end(self, machine: str) -> Machine:
        with Machine(machine=machine, grub_cfg=five_link_cfg(), disks=[self.disk("echo rc: five links\nexit 0\n")],
                     timeout=120) as m:
            for line in FIVE_LINK_TRACE:
                m.expect(r"(?:^|: )" + line + "$", timeout=60)
            m.expect(r"^rc: five links$", timeout=60)
            self.assertEqual(m.wait(), 0, m.message)
        self.assertNotIn("failed", m.output)
        # One line per table, the FADT's ports and \_S5, and acpi's stage in the boot profile.
        for table in ("RSDT", "FACP", "DSDT", "APIC"):
            self.assertRegex(m.output, rf"(?m)^acpi: {table} at 0x[0-9a-f]+, \d+ bytes, OEM 'BOCHS'$")
        self.assertRegex(m.output, r"(?m)^acpi: \\_S5: SLP_TYPa 0, SLP_TYPb 0$")
        self.assertRegex(m.output, r"(?m)^  acpi ready +\d+ +\d+ +\d+ +\d+ KiB$")
        self.assertNotIn("not used", m.output)
        return m

    def test_q35_to_rc_end(self):
        m = self.boot_to_rc_end("q35")
        self.assertRegex(m.output, r"(?m)^acpi: FADT revision 3: PM1a control 0x604, .*reset register yes$")

    def test_pc_to_rc_end(self):
        m = self.boot_to_rc_end("pc")
        # QEMU's pc machine has an ACPI 1.0 FADT: no reset register.
        self.assertRegex(m.output, r"(?m)^acpi: FADT revision 1: PM1a control 0x604, .*reset register none$")

    def end_without_test_device(self, machine: str, rc: str) -> tuple[Machine, float]:
        with Machine(machine=machine, grub_cfg=five_link_cfg(), disks=[self.disk(rc)], timeout=90,
                     test_exit=False) as m:
            m.expect(r"^boot: (power-off|reboot) by exec", timeout=80)
            asked = time.monotonic()
            m.wait()
            return m, time.monotonic() - asked

    def check_power_off(self, machine: str):
        m, seconds = self.end_without_test_device(machine, "echo rc: off\npoweroff 0\n")
        self.assertEqual(m.status, status.NO_STATUS, m.output[-2000:])
        self.assertIn("the guest powered off", m.message)
        self.assertIn("boot: power-off through acpi", m.output)
        self.assertIn("acpi: entering S5", m.output)
        self.assertLess(seconds, 5, "QEMU did not end within 5 s of the power-off")

    def test_poweroff_without_test_device_q35(self):
        self.check_power_off("q35")

    def test_poweroff_without_test_device_pc(self):
        self.check_power_off("pc")

    def test_reboot_q35(self):
        m, seconds = self.end_without_test_device("q35", "echo rc: reboot\nreboot\n")
        self.assertEqual(m.status, status.NO_STATUS, m.output[-2000:])
        self.assertIn("the guest rebooted", m.message)
        self.assertIn("acpi: reset", m.output)
        # Through the FADT's reset register, not the kernel's fallback.
        self.assertNotIn("the kernel reboots instead", m.output)
        self.assertIn("ext2fs: wd0s1 is clean", m.output)
        self.assertLess(seconds, 5)

    def test_extra_table_is_listed(self):
        # QEMU (7.2) recomputes the checksum of a table given with -acpitable, so a broken one
        # cannot be made this way: the table is listed by name and the chain boots. A broken
        # checksum is made in the guest's memory in test_acpi_checksum.py.
        tmp = Path(tempfile.mkdtemp(dir=self._dir.name))
        body = b"\x01\x02\x03\x04"
        table = bytearray(b"XTRA" + struct.pack("<IBB", 36 + len(body), 1, 0) + b"BOCHS XTRATEST"
                          + struct.pack("<I", 1) + b"BXPC" + struct.pack("<I", 1) + body)
        table[9] = (-sum(table) + 0x55) & 0xFF   # wrong on purpose
        (tmp / "xtra.bin").write_bytes(table)
        with Machine(grub_cfg=five_link_cfg(), disks=[self.disk("exit 0\n")], timeout=120,
                     qemu_args=["-acpitable", f"file={tmp / 'xtra.bin'}"]) as m:
            m.expect(r"^acpi: XTRA at 0x[0-9a-f]+, 40 bytes, OEM 'BOCHS'", timeout=60)
            self.assertEqual(m.wait(), 0, m.message)
        self.assertIn("init: /etc/rc ended with status 0", m.output)

    def test_hurd_entry_with_acpi(self):
        tmp = Path(tempfile.mkdtemp(dir=self._dir.name))
        disk = hurd_disk(tmp, "echo rc: the Hurd entry with acpi booted\nexit 0\n")
        with Machine(grub_cfg=HURD_ACPI_ENTRY.read_text(), disks=[disk], timeout=240) as m:
            m.expect(r"boot: pci-arbiter -> acpi$", timeout=120)
            m.expect(r"^boot: acpi -> rumpdisk$", timeout=60)
            m.expect(r"mounted wd0s2 .*read-only", timeout=60)
            m.expect(r"^rc: the Hurd entry with acpi booted$", timeout=120)
            self.assertEqual(m.wait(), 0, m.message)
        self.assertNotIn("failed", m.output)


if __name__ == "__main__":
    unittest.main()
