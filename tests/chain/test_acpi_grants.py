"""Each link of the five-link chain holds its own share of the machine (issue 6's policy, issue 14):
the arbiter grants acpi the pages of the ACPI tables and the FADT's ports, and the disk server
below acpi the disk controller's registers, I/O ports and interrupt line, through the relay that
acpi forwards rumpdisk's requests to (servers/pci-arbiter/grants.h). A tester (acpi-probe) takes
each place in turn: in acpi's, it reads the tables and is refused the AHCI controller's BAR; in
rumpdisk's, below the real acpi, it maps that BAR and is refused the tables' pages, at the
addresses the first boot found (QEMU lays the tables out the same way for the same machine).
There it also asks acpi for the controller's interrupt line (acpi_get_pci_irq): the answer must be
the arbiter's interrupt line and QEMU's IRQ for the function; an empty slot is D_NO_SUCH_DEVICE."""
import re
import unittest

from bootchain.machine import Machine

from support import WithRootDisk, five_link_cfg, replace_line

ARBITER_TO_PROBE = (
    "menuentry acpi-probe {\n"
    "  multiboot /boot/gnumach console=com0\n"
    "  module /boot/pci-arbiter pci-arbiter --host-priv-port='${host-port}' --device-master-port='${device-port}'"
    " --next-task='${acpi-task}' '$(task-create)' '$(task-resume)'\n"
    "  module /boot/acpi-probe acpi --place=acpi '$(acpi-task=task-create)'\n"
    "}\n")

# acpi-probe's checks in each place (tests/chain/acpi-probe/main.cpp).
ACPI_PLACE_CHECKS = 17
DISK_PLACE_CHECKS = 13 + 8


def probe_result(test: unittest.TestCase, console: str, want_checks: int):
    failures = re.findall(r"(?m)^acpi(?:-probe)?: FAIL .*$", console)
    test.assertEqual(failures, [], "acpi-probe's checks failed")
    summary = re.search(r"(?m)^acpi(?:-probe)?: (\d+) checks, (\d+) failed$", console)
    test.assertIsNotNone(summary, "acpi-probe did not finish")
    test.assertEqual(int(summary.group(1)), want_checks, "every check ran")
    test.assertEqual(int(summary.group(2)), 0)


class AcpiShares(WithRootDisk):
    machine = "q35"

    def test_each_link_holds_its_own_share(self):
        # acpi's place: the tables yes, the controller no; the relay the reverse.
        with Machine(machine=self.machine, grub_cfg=ARBITER_TO_PROBE, disks=[self.disk], timeout=90) as m:
            m.expect(r"(?:^|: )boot: pci-arbiter -> acpi$", timeout=60)
            status = m.wait()
        first = m.output
        self.assertIn("the disk controllers go to the link below it", first)
        probe_result(self, first, ACPI_PLACE_CHECKS)
        self.assertEqual(status, 0, m.message)
        tables = dict(re.findall(r"(?m)^acpi(?:-probe)?: table (\w{4}) at (0x[0-9a-f]+)$", first))
        for signature in ("RSDT", "FACP", "DSDT"):
            self.assertIn(signature, tables)
        pm1a = re.search(r"(?m)^acpi(?:-probe)?: FADT PM1a control (0x[0-9a-f]+)$", first).group(1)

        # rumpdisk's place, below the real acpi: the controller yes, the tables and ports no.
        line = (f"/boot/acpi-probe acpi-probe --place=rumpdisk --rsdt={tables['RSDT']} --facp={tables['FACP']}"
                f" --dsdt={tables['DSDT']} --fadt-port={pm1a} '$(disk-task=task-create)'")
        cfg = replace_line(replace_line(replace_line(five_link_cfg(), "rumpdisk", line), "ext2fs", None), "exec", None)
        with Machine(machine=self.machine, grub_cfg=cfg, disks=[self.disk], timeout=90) as m:
            m.expect(r"^boot: acpi -> acpi-probe$", timeout=60)
            info_pci = m.monitor("info pci")
            status = m.wait()
        second = m.output
        # The same tables where the first boot found them, as the real acpi lists them.
        for signature in ("RSDT", "FACP", "DSDT"):
            self.assertRegex(second, rf"(?m)^acpi: {signature} at {tables[signature]},")
        probe_result(self, second, DISK_PLACE_CHECKS)
        self.assertEqual(status, 0, m.message)

        # acpi_get_pci_irq's answer for the controller is the line QEMU's firmware routed.
        answer = re.search(r"(?m)^acpi-probe: acpi_get_pci_irq (\w\w):(\w\w)\.(\d): (\d+), interrupt line (\d+)$",
                           second)
        self.assertIsNotNone(answer, "acpi-probe did not ask acpi_get_pci_irq")
        bus, device, function, irq, line = answer.groups()
        self.assertEqual(irq, line)
        slot = re.search(rf"Bus\s+{int(bus, 16)}, device\s+{int(device, 16)}, function {function}:"
                         r"(?:\n(?!\s*Bus).*)*?\n\s*IRQ (\d+)", info_pci.replace("\r", ""))
        self.assertIsNotNone(slot, f"QEMU's info pci has no IRQ for {bus}:{device}.{function}")
        self.assertEqual(int(irq), int(slot.group(1)), "acpi's answer differs from QEMU's")


if __name__ == "__main__":
    unittest.main()
