"""The PCI boot tests' readers and comparison, on fixed texts (no QEMU): a comparison that
cannot see a difference would let every boot test pass."""
import unittest

import pci_support as pci

INFO_PCI = """\
  Bus  0, device   0, function 0:\r
    Host bridge: PCI device 8086:29c0\r
      PCI subsystem 1af4:1100\r
      id ""\r
  Bus  0, device   1, function 0:\r
    VGA controller: PCI device 1234:1111\r
      PCI subsystem 1af4:1100\r
      BAR0: 32 bit prefetchable memory at 0xfd000000 [0xfdffffff].\r
      BAR2: 32 bit memory at 0xfea94000 [0xfea94fff].\r
      BAR6: 32 bit memory at 0xffffffffffffffff [0x0000fffe].\r
      id ""\r
  Bus  0, device   3, function 0:\r
    PCI bridge: PCI device 1b36:0001\r
      IRQ 11, pin A\r
      BUS 0.\r
      secondary bus 1.\r
      subordinate bus 1.\r
      IO range [0xc000, 0xcfff]\r
      memory range [0xfe800000, 0xfe9fffff]\r
      prefetchable memory range [0xfe000000, 0xfe1fffff]\r
      BAR0: 64 bit memory at 0xfea95000 [0xfea950ff].\r
      id "br1"\r
  Bus  1, device   2, function 0:\r
    SCSI controller: PCI device 1af4:1001\r
      PCI subsystem 1af4:0002\r
      IRQ 10, pin A\r
      BAR0: I/O at 0xc000 [0xc07f].\r
      BAR1: 32 bit memory at 0xfe800000 [0xfe800fff].\r
      BAR4: 64 bit prefetchable memory at 0xfe000000 [0xfe003fff].\r
      id ""\r
  Bus  0, device  31, function 3:\r
    SMBus: PCI device 8086:2930\r
      BAR4: I/O at 0x0700 [0x073f].\r
      id ""\r
  Bus  0, device  31, function 5:\r
    Class 3345: PCI device 1234:5678\r
      id ""\r
"""

CONSOLE = """\
start pci-arbiter: boot: pci-arbiter -> rumpdisk
pci-arbiter: 6 functions on 2 buses
pci-arbiter: 00:00.0 8086:29c0 class 060000 host bridge
pci-arbiter: 00:01.0 1234:1111 class 030000 VGA controller
pci-arbiter: 00:01.0 bar 0: memory 32-bit prefetchable at 0xfd000000 size 0x1000000
pci-arbiter: 00:01.0 bar 2: memory 32-bit at 0xfea94000 size 0x1000
pci-arbiter: 00:01.0 rom: memory at 0xfebc0000 size 0x10000
pci-arbiter: 00:03.0 1b36:0001 class 060400 PCI-to-PCI bridge
pci-arbiter: 00:03.0 bar 0: memory 64-bit at 0xfea95000 size 0x100
pci-arbiter: 00:1f.3 8086:2930 class 0c0500 SMBus controller
pci-arbiter: 00:1f.3 bar 4: io at 0x700 size 0x40
pci-arbiter: 00:1f.5 1234:5678 class 0d1100 wireless controller
pci-arbiter: 01:02.0 1af4:1001 class 010000 SCSI controller
pci-arbiter: 01:02.0 bar 0: io at 0xc000 size 0x80
pci-arbiter: 01:02.0 bar 1: memory 32-bit at 0xfe800000 size 0x1000
pci-arbiter: 01:02.0 bar 4: memory 64-bit prefetchable at 0xfe000000 size 0x4000
boot: pci-arbiter ready
rumpdisk: 1 mass storage controller
rumpdisk: 01:02.0 1af4:1001 class 010000 SCSI controller
"""


class Parsers(unittest.TestCase):
    def test_qemu_view(self):
        view = pci.parse_qemu_info_pci(INFO_PCI)
        self.assertEqual(sorted(view), ["00:00.0", "00:01.0", "00:03.0", "00:1f.3", "00:1f.5", "01:02.0"])
        vga = view["00:01.0"]
        self.assertEqual((vga.vendor, vga.device), (0x1234, 0x1111))
        self.assertIn(0x0300, vga.classes)
        self.assertEqual(vga.bars[0], pci.Region("memory", False, True, 0xfd000000, 0x1000000))
        self.assertEqual(vga.rom, pci.Region("memory", False, False, None, 0x10000))
        disk = view["01:02.0"]
        self.assertEqual(disk.bars[0], pci.Region("io", False, False, 0xc000, 0x80))
        self.assertEqual(disk.bars[4], pci.Region("memory", True, True, 0xfe000000, 0x4000))
        self.assertEqual(view["00:1f.5"].classes, {0x0d11})
        self.assertEqual(view["00:1f.3"].classes, {0x0c05})

    def test_unknown_qemu_class_name_fails(self):
        with self.assertRaises(AssertionError):
            pci.parse_qemu_info_pci("  Bus  0, device   0, function 0:\n    Warp drive: PCI device 1234:0001\n")

    def test_listing(self):
        listing = pci.parse_listing("pci-arbiter", CONSOLE)
        self.assertEqual(len(listing), 6)
        self.assertEqual(pci.arbiter_count(CONSOLE), 6)
        self.assertEqual(listing["01:02.0"].class_code, 0x010000)
        self.assertEqual(listing["00:1f.3"].bars[4], pci.Region("io", False, False, 0x700, 0x40))
        self.assertEqual(listing["00:01.0"].rom, pci.Region("memory", False, False, 0xfebc0000, 0x10000))
        self.assertEqual(sorted(pci.parse_listing("rumpdisk", CONSOLE)), ["01:02.0"])

    def test_agreeing_views_have_no_differences(self):
        view = pci.parse_qemu_info_pci(INFO_PCI)
        listing = pci.parse_listing("pci-arbiter", CONSOLE)
        self.assertEqual(pci.differences(view, listing), [])
        self.assertEqual(pci.differences(pci.mass_storage(view), pci.parse_listing("rumpdisk", CONSOLE),
                                         regions=False), [])

    def test_every_kind_of_difference_is_seen(self):
        view = pci.parse_qemu_info_pci(INFO_PCI)
        edits = {
            "missing function": ("pci-arbiter: 00:1f.5 1234:5678 class 0d1100 wireless controller\n", ""),
            "extra function": ("boot: pci-arbiter ready", "pci-arbiter: 02:00.0 8086:0001 class 020000 x\n"
                                                          "boot: pci-arbiter ready"),
            "vendor": ("00:00.0 8086:29c0", "00:00.0 8087:29c0"),
            "class": ("00:00.0 8086:29c0 class 060000", "00:00.0 8086:29c0 class 060100"),
            "BAR size": ("bar 2: memory 32-bit at 0xfea94000 size 0x1000", "bar 2: memory 32-bit at 0xfea94000 size 0x2000"),
            "BAR base": ("bar 1: memory 32-bit at 0xfe800000", "bar 1: memory 32-bit at 0xfe801000"),
            "BAR width": ("bar 0: memory 64-bit at 0xfea95000", "bar 0: memory 32-bit at 0xfea95000"),
            "prefetchable": ("bar 4: memory 64-bit prefetchable at", "bar 4: memory 64-bit at"),
            "I/O as memory": ("bar 0: io at 0xc000 size 0x80", "bar 0: memory 32-bit at 0xc000 size 0x80"),
            "missing BAR": ("pci-arbiter: 00:1f.3 bar 4: io at 0x700 size 0x40\n", ""),
            "BAR index": ("00:1f.3 bar 4: io", "00:1f.3 bar 3: io"),
            "ROM size": ("rom: memory at 0xfebc0000 size 0x10000", "rom: memory at 0xfebc0000 size 0x20000"),
            "missing ROM": ("pci-arbiter: 00:01.0 rom: memory at 0xfebc0000 size 0x10000\n", ""),
        }
        for what, (old, new) in edits.items():
            with self.subTest(what):
                self.assertIn(old, CONSOLE)
                listing = pci.parse_listing("pci-arbiter", CONSOLE.replace(old, new, 1))
                self.assertNotEqual(pci.differences(view, listing), [], what)

    def test_a_region_of_an_unlisted_function_fails(self):
        with self.assertRaises(AssertionError):
            pci.parse_listing("pci-arbiter", "pci-arbiter: 03:00.0 bar 0: io at 0x10 size 0x10\n")

    def test_arbiter_listing_option(self):
        cfg = pci.with_arbiter_listing(pci.seed_cfg())
        self.assertIn("pci-arbiter --list ", cfg)
        self.assertIn("module /boot/pci-probe pci-probe ", pci.probe_cfg())


if __name__ == "__main__":
    unittest.main()
