"""Disk images are attached in the order given, where the Hurd's drivers will look for them,
and the boot CD is still what the firmware boots."""
import re
import tempfile
import unittest
from pathlib import Path

from bootchain.machine import Machine, MachineError
from support import _remove, exit_with, module_cfg, run_cli

CFG = module_cfg(exit_with("--status=0"))


def qtree_drives(qtree: str, controller: str) -> dict[str, tuple[str, int]]:
    """{drive id: (bus, unit)} for the IDE devices below `controller` in `info qtree`."""
    stack = []  # (indent, kind, name, properties) from the root to the current line
    devices = []
    for line in qtree.splitlines():
        indent = len(line) - len(line.lstrip())
        text = line.strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if m := re.match(r"(dev|bus): ([^,\s]+)", text):
            node = (indent, m.group(1), m.group(2), {})
            stack.append(node)
            if m.group(1) == "dev" and m.group(2) in ("ide-hd", "ide-cd") and \
                    any(kind == "dev" and name == controller for _, kind, name, _ in stack[:-1]):
                bus = next(name for _, kind, name, _ in reversed(stack[:-1]) if kind == "bus")
                devices.append((bus, node[3]))
        elif (m := re.match(r'(drive|unit) = "?([^"\s]*)"?', text)) and stack and stack[-1][1] == "dev":
            stack[-1][3].setdefault(m.group(1), m.group(2))
    return {props["drive"]: (bus, int(props["unit"])) for bus, props in devices}


def block_files(info_block: str) -> dict[str, str]:
    """{drive id: image file} from `info block`."""
    return dict(re.findall(r"^(\S+) \(#block\d+\): (\S+) \(raw", info_block, re.M))


class DiskTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="runner-test-")
        self.addCleanup(_remove, self.dir)

    def images(self, count):
        paths = []
        for i in range(count):
            path = Path(self.dir) / f"disk{i}.img"
            # An MBR signature makes a disk look bootable to the firmware: the CD must still win.
            data = bytearray(1024 * 1024)
            data[510:512] = b"\x55\xaa"
            path.write_bytes(bytes(data))
            paths.append(str(path))
        return paths

    def check(self, machine, controller, expected_slots):
        disks = self.images(len(expected_slots) - 1)
        with Machine(machine=machine, grub_cfg=CFG, disks=disks, timeout=60) as m:
            files = block_files(m.monitor("info block"))
            drives = qtree_drives(m.monitor("info qtree"), controller)
            self.assertEqual(m.wait(), 0, "the guest did not boot from the CD")
        for i, disk in enumerate(disks):
            self.assertEqual(files[f"disk{i}"], disk)
        self.assertTrue(files["cd"].endswith("boot.iso"))
        names = [f"disk{i}" for i in range(len(disks))] + ["cd"]
        self.assertEqual(drives, dict(zip(names, expected_slots)))

    def test_q35_ahci_ports_in_order(self):
        self.check("q35", "ich9-ahci", [("ide.0", 0), ("ide.1", 0), ("ide.2", 0), ("ide.3", 0)])

    def test_q35_without_disks(self):
        self.check("q35", "ich9-ahci", [("ide.0", 0)])

    def test_pc_ide_positions(self):
        # primary master, primary slave, secondary slave; the CD on secondary master
        self.check("pc", "piix3-ide", [("ide.0", 0), ("ide.0", 1), ("ide.1", 1), ("ide.1", 0)])

    def test_missing_disk(self):
        missing = str(Path(self.dir) / "nothing.img")
        with self.assertRaisesRegex(MachineError, "the disk image .*nothing.img does not exist"):
            Machine(grub_cfg=CFG, disks=[missing]).start()
        run = run_cli(self, "run", "--disk", missing, grub_cfg=CFG)
        self.assertEqual(run.returncode, 2)
        self.assertEqual(run.stderr, f"bootchain: the disk image {missing} does not exist\n")

    def test_too_many_disks(self):
        disks = self.images(4)
        run = run_cli(self, "run", "-M", "pc", *[a for d in disks for a in ("--disk", d)], grub_cfg=CFG)
        self.assertEqual(run.returncode, 2)
        self.assertIn("-M pc takes at most 3 disks besides the boot CD, not 4", run.stderr)


if __name__ == "__main__":
    unittest.main()
