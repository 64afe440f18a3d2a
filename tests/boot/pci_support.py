"""Shared by the PCI boot tests: reading QEMU's `info pci`, reading the listings the arbiter,
rumpdisk and pci-probe print, comparing them, and the grub.cfg and QEMU devices of each test.

Both sides are parsed into the same shape, {address: Function}, so a comparison says which
function or which region differs, not just that two texts do.
"""
import re
from dataclasses import dataclass, field

from bootchain import paths, qemu

# QEMU 7.2's monitor names a class (class << 8 | subclass) by these words (hw/pci/pci.c,
# pci_class_descriptions); a class it has no words for is printed "Class NNNN", in decimal. A name not
# listed here fails the test rather than being guessed.
QEMU_CLASS_NAMES = {
    "SCSI controller": {0x0100}, "IDE controller": {0x0101}, "Floppy controller": {0x0102},
    "IPI controller": {0x0103}, "RAID controller": {0x0104}, "SATA controller": {0x0106},
    "SAS controller": {0x0107}, "Storage controller": {0x0180},
    "Ethernet controller": {0x0200}, "Token Ring controller": {0x0201}, "FDDI controller": {0x0202},
    "ATM controller": {0x0203}, "Network controller": {0x0280},
    "VGA controller": {0x0300, 0x0001}, "XGA controller": {0x0301}, "3D controller": {0x0302},
    "Display controller": {0x0380},
    "Video controller": {0x0400}, "Audio controller": {0x0401, 0x0403}, "Phone": {0x0402},
    "Multimedia controller": {0x0480},
    "RAM controller": {0x0500}, "Flash controller": {0x0501}, "Memory controller": {0x0580},
    "Host bridge": {0x0600}, "ISA bridge": {0x0601}, "EISA bridge": {0x0602}, "MC bridge": {0x0603},
    "PCI bridge": {0x0604}, "PCMCIA bridge": {0x0605}, "NUBUS bridge": {0x0606},
    "CARDBUS bridge": {0x0607}, "RACEWAY bridge": {0x0608}, "Bridge": {0x0680},
    "Communication controller": {0x0780}, "USB controller": {0x0c03}, "SMBus": {0x0c05},
    "Fibre Channel controller": {0x0c04}, "Serial bus controller": {0x0c80},
}

MASS_STORAGE = 0x01


@dataclass(frozen=True)
class Region:
    kind: str                 # "io" or "memory"
    is_64: bool
    prefetchable: bool
    base: int | None          # None: QEMU says the region is not mapped (address -1)
    size: int


@dataclass
class Function:
    address: str              # "bb:dd.f"
    vendor: int
    device: int
    classes: set              # the possible (class << 8 | subclass) values
    class_code: int | None = None   # the full 24-bit code, when the listing gives it
    bars: dict = field(default_factory=dict)   # index -> Region
    rom: Region | None = None


# -- QEMU's monitor ---------------------------------------------------------------------------

_QEMU_SLOT = re.compile(r"^\s*Bus\s+(\d+), device\s+(\d+), function (\d+):\s*$")
_QEMU_IDS = re.compile(r"^\s*(.+?): PCI device ([0-9a-f]{4}):([0-9a-f]{4})\s*$")
_QEMU_BAR = re.compile(r"^\s*BAR(\d+): (?:(I/O)|(32|64) bit (prefetchable )?memory) at 0x([0-9a-f]+) "
                       r"\[0x([0-9a-f]+)\]\.\s*$")
_UNMAPPED = 0xffffffffffffffff


def qemu_class(name: str) -> set:
    # QEMU prints this number in decimal ("Class %04" PRId64): virtio-rng's 0x00ff is "Class 0255".
    match = re.fullmatch(r"Class (\d+)", name)
    if match:
        return {int(match.group(1), 10)}
    if name not in QEMU_CLASS_NAMES:
        raise AssertionError(f"QEMU names a class '{name}' that pci_support.QEMU_CLASS_NAMES does not know")
    return QEMU_CLASS_NAMES[name]


def parse_qemu_info_pci(text: str) -> dict:
    """{address: Function} from the output of the monitor's `info pci`. BAR6 is the ROM."""
    functions = {}
    current = None
    for line in text.replace("\r", "").splitlines():
        slot = _QEMU_SLOT.match(line)
        if slot:
            bus, device, function = (int(g) for g in slot.groups())
            current = f"{bus:02x}:{device:02x}.{function:x}"
            continue
        ids = _QEMU_IDS.match(line)
        if ids and current is not None and current not in functions:
            functions[current] = Function(current, int(ids.group(2), 16), int(ids.group(3), 16),
                                          qemu_class(ids.group(1)))
            continue
        bar = _QEMU_BAR.match(line)
        if bar and current in functions:
            index, io, width, prefetchable, start, end = bar.groups()
            start, end = int(start, 16), int(end, 16)
            if start == _UNMAPPED:
                # QEMU prints [address + size - 1] with address -1: the size is end + 2.
                base, size = None, (end + 2) & _UNMAPPED
            else:
                base, size = start, end - start + 1
            region = Region("io" if io else "memory", width == "64", bool(prefetchable), base, size)
            if int(index) == 6:
                functions[current].rom = region
            else:
                functions[current].bars[int(index)] = region
    return functions


# -- the guest's listings (lib/pci/listing.h) ---------------------------------------------------

_ADDRESS = r"([0-9a-f]{2}:[0-9a-f]{2}\.[0-7])"


def _line(program: str, rest: str) -> re.Pattern:
    # A task's line may follow the kernel's "start NAME: " on the same console line.
    return re.compile(r"(?:^|: )" + re.escape(program) + r": " + rest + r"$", re.M)


def parse_listing(program: str, text: str) -> dict:
    """{address: Function} from the function and region lines `program` printed."""
    functions = {}
    for m in _line(program, _ADDRESS + r" ([0-9a-f]{4}):([0-9a-f]{4}) class ([0-9a-f]{6}) (.+)").finditer(text):
        address, vendor, device, code, _name = m.groups()
        if address in functions:
            raise AssertionError(f"{program} listed {address} twice")
        code = int(code, 16)
        functions[address] = Function(address, int(vendor, 16), int(device, 16), {code >> 8}, code)
    bar = _line(program, _ADDRESS + r" bar (\d): (?:(io) |memory (32|64)-bit (prefetchable )?)"
                         r"at 0x([0-9a-f]+) size 0x([0-9a-f]+)")
    for m in bar.finditer(text):
        address, index, io, width, prefetchable, base, size = m.groups()
        region = Region("io" if io else "memory", width == "64", bool(prefetchable), int(base, 16), int(size, 16))
        if address not in functions:
            raise AssertionError(f"{program} printed a region of {address}, which it did not list")
        functions[address].bars[int(index)] = region
    for m in _line(program, _ADDRESS + r" rom: memory at 0x([0-9a-f]+) size 0x([0-9a-f]+)").finditer(text):
        address, base, size = m.groups()
        if address not in functions:
            raise AssertionError(f"{program} printed the ROM of {address}, which it did not list")
        functions[address].rom = Region("memory", False, False, int(base, 16), int(size, 16))
    return functions


def arbiter_count(text: str) -> int:
    m = _line("pci-arbiter", r"(\d+) functions on (\d+) bus(?:es)?").search(text)
    if not m:
        raise AssertionError("pci-arbiter did not say how many functions it found")
    return int(m.group(1))


# -- comparison ---------------------------------------------------------------------------------

def _region_differences(where: str, want: Region | None, got: Region | None, rom: bool) -> list:
    if want is None and got is None:
        return []
    if want is None:
        return [f"{where}: the guest has {got}, QEMU has none"]
    if got is None:
        return [f"{where}: QEMU has {want}, the guest has none"]
    problems = []
    if got.size != want.size:
        problems.append(f"{where}: size {got.size:#x}, QEMU says {want.size:#x}")
    if want.base is not None and got.base != want.base:
        problems.append(f"{where}: base {got.base:#x}, QEMU says {want.base:#x}")
    if not rom:
        # QEMU calls a ROM "32 bit memory"; the arbiter's ROM line has neither width nor
        # prefetchability, as a ROM BAR has neither.
        for attribute in ("kind", "is_64", "prefetchable"):
            if getattr(got, attribute) != getattr(want, attribute):
                problems.append(f"{where}: {attribute} is {getattr(got, attribute)}, "
                                f"QEMU says {getattr(want, attribute)}")
    return problems


def differences(qemu_view: dict, guest: dict, regions: bool = True) -> list:
    """Every way the guest's listing differs from QEMU's: functions missing or extra, IDs,
    classes, and (with regions) each BAR and the ROM."""
    problems = []
    for address in sorted(set(qemu_view) - set(guest)):
        problems.append(f"{address} is in QEMU's view but not in the guest's listing")
    for address in sorted(set(guest) - set(qemu_view)):
        problems.append(f"{address} is in the guest's listing but not in QEMU's view")
    for address in sorted(set(qemu_view) & set(guest)):
        want, got = qemu_view[address], guest[address]
        if (got.vendor, got.device) != (want.vendor, want.device):
            problems.append(f"{address}: IDs {got.vendor:04x}:{got.device:04x}, "
                            f"QEMU says {want.vendor:04x}:{want.device:04x}")
        if not got.classes & want.classes:
            problems.append(f"{address}: class {got.class_code:06x}, QEMU says "
                            + " or ".join(f"{c:04x}xx" for c in sorted(want.classes)))
        if regions:
            for index in sorted(set(want.bars) | set(got.bars)):
                problems += _region_differences(f"{address} BAR{index}", want.bars.get(index),
                                                got.bars.get(index), rom=False)
            problems += _region_differences(f"{address} ROM", want.rom, got.rom, rom=True)
    return problems


def mass_storage(functions: dict) -> dict:
    return {a: f for a, f in functions.items() if any(c >> 8 == MASS_STORAGE for c in f.classes)}


# -- grub.cfg and QEMU set-ups -------------------------------------------------------------------

def seed_cfg() -> str:
    """The seed's chain up to rumpdisk, then the `hang` test module in ext2fs's place: these
    tests boot without a disk, and the machine must keep running while QEMU's monitor is asked
    (ext2fs would end the boot at once without its root device)."""
    lines = []
    for line in paths.default_grub_cfg().read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("module /boot/ext2fs "):
            lines.append("  module /boot/hang hang '$(fs-task=task-create)'")
        elif not stripped.startswith("module /boot/exec "):
            lines.append(line)
    return "\n".join(lines) + "\n"


def with_arbiter_listing(cfg: str) -> str:
    """The grub.cfg with --list on the arbiter's line."""
    lines = cfg.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("module /boot/pci-arbiter "):
            lines[i] = line.replace(" pci-arbiter ", " pci-arbiter --list ", 1)
            return "\n".join(lines) + "\n"
    raise AssertionError("no pci-arbiter line in the grub.cfg")


def probe_cfg() -> str:
    """The arbiter (with --list) handing off to pci-probe instead of rumpdisk."""
    return ("menuentry pci-probe {\n"
            "  multiboot /boot/gnumach\n"
            "  module /boot/pci-arbiter pci-arbiter --list --host-priv-port='${host-port}' "
            "--device-master-port='${device-port}' --disk-server-task='${probe-task}' "
            "'$(task-create)' '$(task-resume)'\n"
            "  module /boot/pci-probe pci-probe '$(probe-task=task-create)'\n"
            "}\n")


def bridge_devices(machine: str, disk_image: str) -> list:
    """QEMU devices beyond the machine's own: a PCI bridge with a virtio disk, a multi-function
    device and a second bridge behind it, and an AHCI controller behind that one. The firmware
    numbers the buses; the arbiter must follow both bridges to find the lot."""
    root_bus = "pcie.0" if machine == "q35" else "pci.0"
    return ["-drive", f"if=none,id=pcidisk,file={disk_image},format=raw",
            "-device", f"pci-bridge,id=pcitest1,chassis_nr=1,bus={root_bus},addr=0x5",
            "-device", "virtio-blk-pci,bus=pcitest1,addr=0x2,drive=pcidisk",
            "-device", "pci-bridge,id=pcitest2,chassis_nr=2,bus=pcitest1,addr=0x3",
            "-device", "virtio-rng-pci,bus=pcitest1,addr=0x4.0,multifunction=on",
            "-device", "virtio-rng-pci,bus=pcitest1,addr=0x4.1",
            "-device", "ahci,id=pcitestahci,bus=pcitest2,addr=0x1"]
