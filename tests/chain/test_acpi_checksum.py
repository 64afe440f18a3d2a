"""An ACPI table with a wrong checksum is reported by name, and the chain boots all the same.

QEMU (7.2) recomputes the checksum of a table given with -acpitable, so the table is broken in the
guest's memory instead: QEMU starts with its gdb stub (tests/chain/gdb_remote.py), the guest is
stopped at 0x7c00, where the firmware jumps to the boot CD's loader (the firmware has built the
tables by then, and the kernel has not started), one byte of the extra table is flipped, and the
guest runs on. acpi must say that the table TEST has a wrong checksum, list it as not used, and
the five-link chain must reach rc's end."""
import struct
import tempfile
import unittest
from pathlib import Path

from bootchain import image
from bootchain.machine import Machine

from gdb_remote import GdbRemote
from support import five_link_cfg

# Where the firmware jumps to the boot loader it read from the CD (El Torito's default load
# address): its POST, the ACPI tables included, is over.
BOOT_LOADER_ENTRY = 0x7C00
BIOS_AREA = (0xE0000, 0x20000)
HEADER = 36
BODY = b"\x01\x02\x03\x04"


def find_table(gdb: GdbRemote, signature: bytes) -> int:
    """The address of the table the RSDT (or XSDT) lists with that signature, read in the guest."""
    area = gdb.read(*BIOS_AREA)
    for at in range(0, len(area) - 20, 16):
        if area[at:at + 8] == b"RSD PTR " and sum(area[at:at + 20]) % 256 == 0:
            rsdp = area[at:at + 36]
            break
    else:
        raise AssertionError("no RSDP in the BIOS area")
    revision = rsdp[15]
    if revision >= 2 and struct.unpack_from("<Q", rsdp, 24)[0]:
        root, entry = struct.unpack_from("<Q", rsdp, 24)[0], 8
    else:
        root, entry = struct.unpack_from("<I", rsdp, 16)[0], 4
    length = struct.unpack_from("<I", gdb.read(root + 4, 4))[0]
    entries = gdb.read(root + HEADER, length - HEADER)
    for i in range(0, len(entries), entry):
        address = int.from_bytes(entries[i:i + entry], "little")
        if gdb.read(address, 4) == signature:
            return address
    raise AssertionError(f"the root table lists no {signature.decode()}")


class BadChecksum(unittest.TestCase):
    def test_table_with_a_bad_checksum_is_named_and_the_chain_boots(self):
        with tempfile.TemporaryDirectory(prefix="acpi-checksum-") as folder:
            tmp = Path(folder)
            table = b"TEST" + struct.pack("<IBB", HEADER + len(BODY), 1, 0) + b"BOCHS TESTTABL" \
                + struct.pack("<I", 1) + b"BXPC" + struct.pack("<I", 1) + BODY
            (tmp / "test.bin").write_bytes(table)
            (tmp / "tree/etc").mkdir(parents=True)
            (tmp / "tree/etc/rc").write_text("echo rc: booted past a broken table\nexit 0\n")
            disk = image.make_system_disk(tmp / "root.img", tmp / "tree", size_mib=32)
            gdb_socket = tmp / "gdb.sock"
            qemu_args = ["-acpitable", f"file={tmp / 'test.bin'}",
                         "-chardev", f"socket,id=gdb,path={gdb_socket},server=on,wait=off", "-gdb", "chardev:gdb"]
            with Machine(grub_cfg=five_link_cfg(), disks=[disk], timeout=120, qemu_args=qemu_args,
                         paused=True) as m:
                with GdbRemote(gdb_socket) as gdb:
                    gdb.break_at(BOOT_LOADER_ENTRY)
                    stop = gdb.cont_until_stop(60)
                    self.assertTrue(stop.startswith((b"T05", b"S05")), f"the guest stopped with {stop!r}")
                    gdb.remove_break(BOOT_LOADER_ENTRY)
                    self.assertNotIn("boot:", m.output, "the kernel ran before the table was broken")
                    gdb.physical_memory()
                    address = find_table(gdb, b"TEST")
                    last = address + len(table) - 1
                    self.assertEqual(gdb.read(address, len(table))[10:], table[10:], "QEMU's TEST table")
                    gdb.write(last, bytes([gdb.read(last, 1)[0] ^ 0xFF]))
                # Detached: the guest runs on.
                m.expect(r"^rc: booted past a broken table$", timeout=90)
                status = m.wait(timeout=60)
            self.assertEqual(status, 0, m.message)
        out = m.output
        self.assertIn(f"acpi: the table TEST at {address:#x} has a wrong checksum: not used", out)
        self.assertIn(f"acpi: TEST at {address:#x}, {len(table)} bytes, OEM 'BOCHS' (not used)", out)
        # The other tables are used: the power-off's \_S5 is found and nothing else is refused.
        self.assertRegex(out, r"(?m)^acpi: \\_S5: SLP_TYPa \d+, SLP_TYPb \d+$")
        self.assertEqual(out.count("not used"), 2, "only TEST is refused")
        self.assertNotIn("failed", out)


if __name__ == "__main__":
    unittest.main()
