"""A client of the arbiter (pci-probe, in rumpdisk's place) checks the RPCs end to end: reads of
every size agree with the listing, a write reaches the device, wrong requests are refused with
their codes. The regions it got through pci_get_dev_regions (the Hurd's struct pci_bar on the
wire) must equal QEMU's BARs, and it must have run every check it has."""
import re
import unittest

from bootchain.machine import Machine

import pci_support as pci

# pci-probe's checks: 2 on the list, 8 per function, 3 for the write, 17 refusals and 6 absent
# functions (tests/boot/pci-probe/main.cpp).
FIXED_CHECKS = 2 + 3 + 17 + 6 + 7  # ... and 7 on what the arbiter grants
CHECKS_PER_FUNCTION = 8


class ProbeTest:
    """Mixed into one unittest.TestCase per machine below."""

    machine = "q35"
    # check_privilege: 14, and 2 more where the controller has a memory BAR (AHCI, not PIIX IDE).
    privilege_checks = 16

    def test_probe(self):
        with Machine(machine=self.machine, grub_cfg=pci.probe_cfg(), timeout=120) as m:
            m.expect(r"(?:^|: )boot: pci-arbiter ready$", timeout=60)
            info = m.monitor("info pci")
            status = m.wait(timeout=90)
            console = m.output
        qemu_view = pci.parse_qemu_info_pci(info)
        failures = re.findall(r"(?m)^pci-probe: FAIL .*$", console)
        self.assertEqual(failures, [], "pci-probe's checks failed")
        summary = re.search(r"(?m)^pci-probe: (\d+) checks on (\d+) functions, (\d+) failed$", console)
        self.assertIsNotNone(summary, "pci-probe did not finish")
        checks, functions, failed = (int(g) for g in summary.groups())
        self.assertEqual(functions, len(qemu_view))
        self.assertEqual(checks, FIXED_CHECKS + self.privilege_checks + CHECKS_PER_FUNCTION * len(qemu_view),
                         "every check ran")
        self.assertEqual(failed, 0)
        self.assertEqual(status, 0, "pci-probe powers off with 0 when every check passed")

        # What the client got through the RPCs is what QEMU has.
        seen = pci.parse_listing("pci-probe", console)
        problems = pci.differences(qemu_view, seen)
        self.assertEqual(problems, [], "the regions a client gets differ from QEMU's:\n" + "\n".join(problems))


class PciProbeQ35(ProbeTest, unittest.TestCase):
    machine = "q35"
    # check_privilege: 14, and 2 more where the controller has a memory BAR (AHCI, not PIIX IDE).
    privilege_checks = 16


class PciProbePc(ProbeTest, unittest.TestCase):
    machine = "pc"
    privilege_checks = 14


if __name__ == "__main__":
    unittest.main()
