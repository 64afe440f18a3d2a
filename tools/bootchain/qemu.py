"""QEMU's command line for a boot: the machine, the boot CD, the disks in order, and the two
sockets the runner talks through (the guest's serial port and QMP, QEMU's control protocol).
"""
import shutil
from pathlib import Path

MACHINES = ("q35", "pc")

# Where the disks go, in order, and where the boot CD goes after them.
# q35: the ICH9 AHCI controller (00:1f.2) has six ports, QEMU's buses ide.0 … ide.5, one
#      device each: disks on ports 0, 1, …, the CD on the next port.
# pc:  the PIIX IDE controller's two channels (ide.0 and ide.1), master (unit 0) and slave
#      (unit 1) each: disks on primary master, primary slave and secondary slave, the CD on
#      secondary master, which is where -cdrom puts it.
_PC_DISK_SLOTS = [("ide.0", 0), ("ide.0", 1), ("ide.1", 1)]
_PC_CD_SLOT = ("ide.1", 0)
_Q35_PORTS = 6


class QemuSetupError(Exception):
    """The requested machine cannot be built (unknown machine type, too many disks)."""


def max_disks(machine: str) -> int:
    return _Q35_PORTS - 1 if machine == "q35" else len(_PC_DISK_SLOTS)


def slots(machine: str, disk_count: int) -> tuple[list[tuple[str, int]], tuple[str, int]]:
    """The (bus, unit) of each disk in order, and of the boot CD."""
    if machine not in MACHINES:
        raise QemuSetupError(f"unknown machine type '{machine}' (choose from {', '.join(MACHINES)})")
    if disk_count > max_disks(machine):
        raise QemuSetupError(f"-M {machine} takes at most {max_disks(machine)} disks besides the boot CD, "
                             f"not {disk_count}")
    if machine == "q35":
        return [(f"ide.{i}", 0) for i in range(disk_count)], (f"ide.{disk_count}", 0)
    return _PC_DISK_SLOTS[:disk_count], _PC_CD_SLOT


def _option_value(text: str) -> str:
    # QEMU's option syntax splits on commas; a comma in a file name is written twice.
    return str(text).replace(",", ",,")


def disk_format(disk: Path) -> str:
    """'qcow2' for an image in QEMU's qcow2 format (it starts with QCOW2's magic), else 'raw'."""
    try:
        with open(disk, "rb") as f:
            return "qcow2" if f.read(4) == b"QFI\xfb" else "raw"
    except OSError:
        return "raw"


def command(machine: str, iso: Path | None, disks: list[Path], serial_socket: Path, qmp_socket: Path,
            memory_mb: int = 512, blkdebug: dict[int, Path] | None = None,
            test_exit: bool = True) -> list[str]:
    """QEMU's argv. With iso None there is no CD and the firmware boots the first disk (one
    that carries its own GRUB: image.make_bootable_disk). QEMU connects to the two sockets (the runner listens on them) and starts
    paused (-S): the runner lets the guest run once it is connected, so no output is lost.
    blkdebug maps a disk's index to a QEMU blkdebug rules file: that disk's I/O then goes
    through QEMU's blkdebug driver, which fails the requests the rules name (fault tests).
    A qcow2 disk (an overlay over a raw image, say: the power-cut tests) is attached as qcow2
    with cache=writeback, QEMU's default, named here because the tests rely on it: QEMU then
    keeps the qcow2 metadata of newly written clusters in memory until the guest flushes, so a
    write the guest did not flush can be lost when QEMU is killed, as with a disk's cache.
    test_exit: QEMU's isa-debug-exit device, through which the guest chooses its status; without
    it the machine is a plain PC, which the guest turns off through ACPI (the acpi link)."""
    blkdebug = blkdebug or {}
    qemu = shutil.which("qemu-system-x86_64") or "qemu-system-x86_64"
    disk_slots, cd_slot = slots(machine, len(disks))
    argv = [qemu, "-M", machine, "-m", str(memory_mb), "-no-reboot", "-display", "none", "-S"]
    if test_exit:
        argv += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    argv += ["-chardev", f"socket,id=console,path={_option_value(serial_socket)}",
            "-serial", "chardev:console",
            "-chardev", f"socket,id=qmp,path={_option_value(qmp_socket)}",
            "-mon", "chardev=qmp,mode=control"]
    for i, (disk, (bus, unit)) in enumerate(zip(disks, disk_slots)):
        file = f"blkdebug:{blkdebug[i]}:{disk}" if i in blkdebug else str(disk)
        form = disk_format(disk)
        options = "format=qcow2,cache=writeback" if form == "qcow2" else "format=raw"
        boot = ",bootindex=0" if iso is None and i == 0 else ""
        argv += ["-drive", f"if=none,id=disk{i},file={_option_value(file)},{options}",
                 "-device", f"ide-hd,drive=disk{i},bus={bus},unit={unit},id=disk{i}-dev{boot}"]
    if iso is None:
        return argv
    bus, unit = cd_slot
    # A disk with a partition table looks bootable to the firmware: boot the CD first.
    argv += ["-drive", f"if=none,id=cd,file={_option_value(iso)},format=raw,media=cdrom,readonly=on",
             "-device", f"ide-cd,drive=cd,bus={bus},unit={unit},id=cd-dev,bootindex=0"]
    return argv
