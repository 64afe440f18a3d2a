"""The runner's pure parts, without QEMU: grub.cfg rewriting, QEMU's command line, the status
mapping, reading the console (line assembly, panic detection), and GRUB's boot sector and core
image written into a disk image (image.install_grub)."""
import tempfile
import unittest
from pathlib import Path

from bootchain import console, image, iso, qemu, status


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

    def test_default_grub_cfg_is_the_hurds_five_links_and_the_seed_keeps_four(self):
        config = Path(__file__).resolve().parents[2] / "config"
        for name, chain in (("grub.cfg", ["pci-arbiter", "acpi", "rumpdisk", "ext2fs", "exec"]),
                            ("grub-seed.cfg", ["pci-arbiter", "rumpdisk", "ext2fs", "exec"])):
            text = (config / name).read_text()
            modules = [line.split()[1] for line in text.splitlines() if line.strip().startswith("module ")]
            self.assertEqual(modules, [f"/boot/{link}" for link in chain], name)
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

    def test_from_disk_no_cd_and_the_first_disk_boots(self):
        argv = qemu.command("q35", None, [Path("/d0.img"), Path("/d1.img")], Path("/s"), Path("/q"))
        devices = [argv[i + 1] for i, a in enumerate(argv) if a == "-device" and argv[i + 1].startswith("ide-")]
        self.assertEqual(devices, ["ide-hd,drive=disk0,bus=ide.0,unit=0,id=disk0-dev,bootindex=0",
                                   "ide-hd,drive=disk1,bus=ide.1,unit=0,id=disk1-dev"])
        self.assertFalse(any("cdrom" in a or "ide-cd" in a for a in argv))

    def test_fixed_options(self):
        argv = qemu.command("q35", Path("/b.iso"), [], Path("/s"), Path("/q"))
        for option in (["-M", "q35"], ["-m", "512"], ["-display", "none"],
                       ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]):
            self.assertIn(option, [argv[i:i + 2] for i in range(len(argv))])
        self.assertIn("-no-reboot", argv)


@unittest.skipUnless((image.GRUB_PC_DIR / "boot.img").is_file(), "GRUB's i386-pc images are not installed")
class InstallGrubTests(unittest.TestCase):
    """image.install_grub against GRUB's own boot.img and a core image made by grub-mkimage: what
    it writes is read back byte by byte at GRUB's offsets."""

    def disk(self, d: Path) -> Path:
        disk = image.make_disk(d / "disk.img", None, size_mib=8)
        with open(disk, "r+b") as f:
            f.seek(0x1b8)
            f.write(b"\x12\x34\x56\x78")    # a disk signature, to be kept
        return disk

    def test_boot_sector_and_core_image(self):
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            disk = self.disk(d)
            whole = disk.read_bytes()
            before = whole[:512]
            core = image.grub_core_image(d / "core.img")
            core_bytes = core.read_bytes()
            image.install_grub(disk, core)
            data = disk.read_bytes()
            mbr = data[:512]
            boot = (image.GRUB_PC_DIR / "boot.img").read_bytes()
            # boot.img's code, the core's LBA at 0x5c, the drive check's jump made NOPs.
            self.assertEqual(mbr[0x66:0x68], b"\x90\x90")
            self.assertEqual(int.from_bytes(mbr[0x5c:0x64], "little"), 1)
            self.assertEqual(mbr[0x68:0x1b8], boot[0x68:0x1b8])
            self.assertEqual(mbr[:3], boot[:3])
            # The partition table and the disk signature stay.
            self.assertEqual(mbr[0x1b8:0x200], before[0x1b8:0x200])
            self.assertEqual(mbr[0x1fe:], b"\x55\xaa")
            # core.img at sector 1; its blocklist names the rest of it, from sector 2.
            sectors = (len(core_bytes) + 511) // 512
            written = data[512:512 + len(core_bytes)]
            self.assertEqual(written[:0x1f4], core_bytes[:0x1f4])
            self.assertEqual(written[512:], core_bytes[512:])
            self.assertEqual(int.from_bytes(written[0x1f4:0x1fc], "little"), 2)
            self.assertEqual(int.from_bytes(written[0x1fc:0x1fe], "little"), sectors - 1)
            self.assertEqual(int.from_bytes(written[0x1fe:0x200], "little"), 0x820)
            # The partition is untouched.
            self.assertEqual(data[2048 * 512:], whole[2048 * 512:])

    def test_a_core_image_that_does_not_fit_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            disk = self.disk(d)
            core = image.grub_core_image(d / "core.img")
            big = d / "big.img"
            big.write_bytes(core.read_bytes().ljust(2048 * 512, b"\0"))
            before = disk.read_bytes()
            with self.assertRaisesRegex(image.ImageError, "does not fit before the first partition"):
                image.install_grub(disk, big)
            self.assertEqual(disk.read_bytes(), before)


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

    def test_kernel_notices_are_left_out_even_inside_a_line(self):
        text = "first\nintnull(15)\nsecond\nthiintnull(7)\nrd\nintnull (15) stays\n"
        self.assertEqual(console.without_kernel_notices(text), "first\nsecond\nthird\nintnull (15) stays\n")


if __name__ == "__main__":
    unittest.main()
