"""The runner's pure parts, without QEMU: grub.cfg rewriting, QEMU's command line, the status
mapping, and reading the console (line assembly, panic detection)."""
import tempfile
import unittest
from pathlib import Path

from bootchain import console, iso, qemu, status


class GrubCfgTests(unittest.TestCase):
    BARE = "menuentry x {\n  multiboot /boot/gnumach\n  module /boot/m m --a=1 '$(task-create)'\n}\n"

    def test_adds_the_serial_console_when_missing(self):
        text = iso.prepare_grub_cfg(self.BARE)
        lines = text.splitlines()
        for wanted in ("set timeout=0", "serial --unit=0 --speed=115200", "terminal_input serial",
                       "terminal_output serial"):
            self.assertIn(wanted, lines)
        # GRUB must read them before the menu entry.
        self.assertLess(lines.index("terminal_output serial"), lines.index("menuentry x {"))
        self.assertIn("  multiboot /boot/gnumach console=com0", lines)
        self.assertIn("  module /boot/m m --a=1 '$(task-create)'", lines)

    def test_keeps_what_the_user_said(self):
        text = ("set timeout=3\nserial --unit=1\nterminal_input console\nterminal_output serial console\n"
                "menuentry x {\n multiboot /boot/gnumach console=com1 -s\n}\n")
        self.assertEqual(iso.prepare_grub_cfg(text), text)

    def test_append_goes_on_every_kernel_line_only(self):
        text = iso.prepare_grub_cfg(
            "menuentry a {\n multiboot /boot/gnumach\n module /boot/m m x\n}\n"
            "menuentry b {\n multiboot /boot/gnumach console=com0 -H\n}\n", append=" foo=1 -s ")
        self.assertIn(" multiboot /boot/gnumach console=com0 foo=1 -s", text.splitlines())
        self.assertIn(" multiboot /boot/gnumach console=com0 -H foo=1 -s", text.splitlines())
        self.assertIn(" module /boot/m m x", text.splitlines())

    def test_default_grub_cfg_is_the_seeds_chain(self):
        text = (Path(__file__).resolve().parents[2] / "config/grub.cfg").read_text()
        modules = [line.split()[1] for line in text.splitlines() if line.strip().startswith("module ")]
        self.assertEqual(modules, ["/boot/pci-arbiter", "/boot/rumpdisk", "/boot/ext2fs", "/boot/exec"])
        self.assertIn("multiboot /boot/gnumach console=com0", text)
        self.assertIn("part:1:device:wd0", text)
        # Already complete: the runner adds nothing.
        self.assertEqual(iso.prepare_grub_cfg(text).splitlines(), text.splitlines())


class QemuCommandTests(unittest.TestCase):
    def devices(self, machine, count):
        argv = qemu.command(machine, Path("/b.iso"), [Path(f"/d{i}.img") for i in range(count)],
                            Path("/s"), Path("/q"))
        return [argv[i + 1] for i, a in enumerate(argv) if a == "-device" and argv[i + 1].startswith("ide-")]

    def test_q35_disks_on_ahci_ports_in_order_then_the_cd(self):
        self.assertEqual(self.devices("q35", 2), [
            "ide-hd,drive=disk0,bus=ide.0,unit=0,id=disk0-dev",
            "ide-hd,drive=disk1,bus=ide.1,unit=0,id=disk1-dev",
            "ide-cd,drive=cd,bus=ide.2,unit=0,id=cd-dev,bootindex=0"])

    def test_pc_disks_around_the_cd_on_secondary_master(self):
        self.assertEqual(self.devices("pc", 3), [
            "ide-hd,drive=disk0,bus=ide.0,unit=0,id=disk0-dev",
            "ide-hd,drive=disk1,bus=ide.0,unit=1,id=disk1-dev",
            "ide-hd,drive=disk2,bus=ide.1,unit=1,id=disk2-dev",
            "ide-cd,drive=cd,bus=ide.1,unit=0,id=cd-dev,bootindex=0"])

    def test_too_many_disks(self):
        with self.assertRaisesRegex(qemu.QemuSetupError, "at most 3 disks"):
            qemu.slots("pc", 4)
        with self.assertRaisesRegex(qemu.QemuSetupError, "at most 5 disks"):
            qemu.slots("q35", 6)

    def test_commas_in_file_names_are_escaped(self):
        argv = qemu.command("q35", Path("/a,b.iso"), [Path("/x,y.img")], Path("/s"), Path("/q"))
        self.assertIn("if=none,id=disk0,file=/x,,y.img,format=raw", argv)
        self.assertTrue(any("file=/a,,b.iso" in a for a in argv))

    def test_qcow2_disks_by_their_magic_with_writeback_caching(self):
        with tempfile.TemporaryDirectory() as d:
            raw, qcow2 = Path(d) / "raw.img", Path(d) / "top.qcow2"
            raw.write_bytes(b"\0" * 4096)
            qcow2.write_bytes(b"QFI\xfb" + b"\0" * 4092)
            self.assertEqual(qemu.disk_format(raw), "raw")
            self.assertEqual(qemu.disk_format(qcow2), "qcow2")
            argv = qemu.command("q35", Path("/b.iso"), [raw, qcow2], Path("/s"), Path("/q"))
            self.assertIn(f"if=none,id=disk0,file={raw},format=raw", argv)
            self.assertIn(f"if=none,id=disk1,file={qcow2},format=qcow2,cache=writeback", argv)

    def test_fixed_options(self):
        argv = qemu.command("q35", Path("/b.iso"), [], Path("/s"), Path("/q"))
        for option in (["-M", "q35"], ["-m", "512"], ["-display", "none"],
                       ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]):
            self.assertIn(option, [argv[i:i + 2] for i in range(len(argv))])
        self.assertIn("-no-reboot", argv)


class StatusTests(unittest.TestCase):
    def test_guest_status(self):
        self.assertEqual(status.from_qemu_exit(1), (0, None))
        self.assertEqual(status.from_qemu_exit(15), (7, None))
        self.assertEqual(status.from_qemu_exit(511), (255, None))

    def test_no_status(self):
        code, message = status.from_qemu_exit(0, "guest-reset")
        self.assertEqual(code, status.NO_STATUS)
        self.assertEqual(message, "the guest rebooted without choosing a status")
        self.assertEqual(status.from_qemu_exit(0)[0], 126)

    def test_qemu_failures(self):
        self.assertEqual(status.from_qemu_exit(-9), (2, "QEMU was killed by signal 9"))
        self.assertEqual(status.from_qemu_exit(2)[0], 2)


class ConsoleTests(unittest.TestCase):
    def test_lines_are_cleaned_and_split(self):
        lines = console.LineAssembler()
        self.assertEqual(lines.feed(b"\x1b[H\x1b[J\x1b[1;1H  Booting `x'\r\n\rGNU Ma"), ["  Booting `x'\n"])
        self.assertEqual(lines.partial(), "GNU Ma")
        self.assertEqual(lines.feed(b"ch\r\n"), ["GNU Mach\n"])
        self.assertEqual(lines.partial(), "")

    def test_split_utf8_and_escapes(self):
        lines = console.LineAssembler()
        self.assertEqual(lines.feed("é".encode()[:1]), [])
        self.assertEqual(lines.feed("é".encode()[1:] + b"$ \x1b["), [])
        self.assertEqual(lines.partial(), "é$ ")
        self.assertEqual(lines.feed(b"2Jx\n"), ["é$ x\n"])

    def test_panic_lines(self):
        line = "panic ../kern/bootstrap.c:319: bootstrap_create: ERROR in executing boot script: undefined symbol"
        self.assertEqual(console.incident(line), console.Incident(
            "panic", "../kern/bootstrap.c:319: bootstrap_create: ERROR in executing boot script: undefined symbol"))
        self.assertEqual(console.incident("bootstrap script missing symbol 'disk-task'"),
                         console.Incident("cause", "bootstrap script missing symbol 'disk-task'"))
        self.assertEqual(console.incident("../vm/vm_map.c:123: vm_map_enter: Assertion `x != 0' failed."),
                         console.Incident("cause", "../vm/vm_map.c:123: vm_map_enter: Assertion `x != 0' failed."))
        # The kernel's line may follow a module's unfinished line.
        self.assertEqual(console.incident("start ext2fs: panic ../kern/x.c:1: f: boom").kind, "panic")
        self.assertEqual(console.incident("You can safely power off the system or hit ctl-alt-del to reboot").kind,
                         "halt")

    def test_ordinary_lines(self):
        for line in ("rumpdisk: no panic here", "panicking is not a panic", "task loaded: exit-with --status=0",
                     "ext2fs: assertion checks passed"):
            self.assertIsNone(console.incident(line), line)


if __name__ == "__main__":
    unittest.main()
