"""The arbiter's full listing (--list) and rumpdisk's mass storage lines equal QEMU's own view
of the machine (`info pci` on its monitor): the same functions at the same addresses, with the
same IDs and classes, and the same BARs and ROMs at the same addresses with the same sizes.
On q35 and pc as they come, and with bridges added (a secondary bus behind a bridge behind
a bridge), which only an enumeration that follows bridges finds."""
import os
import tempfile
import unittest

from bootchain.machine import Machine

import pci_support as pci


class ListingTest:
    """Mixed into one unittest.TestCase per machine set-up below."""

    machine = "q35"
    qemu_arguments: list = []
    # Functions the machine has at least: a listing that lost the bridges' buses cannot pass.
    minimum_functions = 1
    minimum_buses = 1

    def boot(self, extra: list) -> tuple[str, str, str]:
        """Boots the chain with --list; returns the console up to rumpdisk's readiness, the
        arbiter's part of it, and QEMU's `info pci`."""
        cfg = pci.with_arbiter_listing(pci.seed_cfg())
        with Machine(machine=self.machine, grub_cfg=cfg, timeout=120, qemu_args=extra) as m:
            m.expect(r"(?:^|: )boot: pci-arbiter ready$", timeout=60)
            arbiter_part = m.output
            # QEMU's view does not change after the firmware: ask while the machine surely runs.
            info = m.monitor("info pci")
            m.expect(r"^boot: rumpdisk ready$", timeout=60)
            return m.output, arbiter_part, info

    def run_comparison(self, extra: list):
        console, arbiter_part, info = self.boot(extra)
        qemu_view = pci.parse_qemu_info_pci(info)
        self.assertGreaterEqual(len(qemu_view), self.minimum_functions, f"QEMU's view is too small:\n{info}")

        listing = pci.parse_listing("pci-arbiter", arbiter_part)
        self.assertEqual(pci.arbiter_count(arbiter_part), len(listing),
                         "the arbiter's count and its listing disagree")
        problems = pci.differences(qemu_view, listing)
        self.assertEqual(problems, [], "the arbiter's listing differs from QEMU's view:\n" + "\n".join(problems)
                         + f"\n--- info pci ---\n{info}")
        buses = {address[:2] for address in listing}
        self.assertGreaterEqual(len(buses), self.minimum_buses, f"buses listed: {sorted(buses)}")

        disks = pci.parse_listing("rumpdisk", console)
        want = pci.mass_storage(qemu_view)
        self.assertTrue(want, "QEMU's machine has a mass storage controller")
        problems = pci.differences(want, disks, regions=False)
        self.assertEqual(problems, [], "rumpdisk's controllers differ from QEMU's:\n" + "\n".join(problems))
        controllers = "controller" if len(want) == 1 else "controllers"
        self.assertRegex(console, rf"(?m)^rumpdisk: {len(want)} mass storage {controllers}$")
        self.assertNotIn("failed", console)

    def test_listing_equals_qemu(self):
        if not self.qemu_arguments:
            self.run_comparison([])
            return
        with tempfile.TemporaryDirectory(prefix="pci-test-") as folder:
            image = os.path.join(folder, "virtio.img")
            with open(image, "wb") as f:
                f.truncate(1 << 20)
            self.run_comparison([a.replace("{disk}", image) for a in self.qemu_arguments])


class PciQ35(ListingTest, unittest.TestCase):
    machine = "q35"
    minimum_functions = 6  # host bridge, VGA, e1000e, LPC, AHCI, SMBus


class PciPc(ListingTest, unittest.TestCase):
    machine = "pc"
    minimum_functions = 6  # host bridge, ISA bridge, IDE, ACPI, VGA, e1000


class PciBridgesQ35(ListingTest, unittest.TestCase):
    machine = "q35"
    qemu_arguments = pci.bridge_devices("q35", "{disk}")
    minimum_functions = 6 + 6
    minimum_buses = 3


class PciBridgesPc(ListingTest, unittest.TestCase):
    machine = "pc"
    qemu_arguments = pci.bridge_devices("pc", "{disk}")
    minimum_functions = 6 + 6
    minimum_buses = 3


if __name__ == "__main__":
    unittest.main()
