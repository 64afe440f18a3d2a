"""Seeds of the ACPI fuzzer: memory images that acpi_fuzz.cpp sees both as the BIOS area
(0xe0000) and as the table area (0x7ffe0000). Each holds an RSDP near the start pointing to an
RSDT or XSDT at TABLES + offset, a FADT, a DSDT with \\_S5 in one encoding, and an SSDT; some
seeds carry a broken checksum or a revision-1 FADT."""
import os
import struct

TABLES = 0x7FFE0000


def checksum(data: bytes) -> int:
    return (-sum(data)) & 0xFF


def table(signature: bytes, body: bytes, revision: int = 1) -> bytearray:
    t = bytearray(signature + struct.pack("<IBB", 36 + len(body), revision, 0) + b"BOCHS BXPC    "
                  + struct.pack("<I", 1) + b"BXPC" + struct.pack("<I", 1) + body)
    t[9] = checksum(t)
    return t


def rsdp(revision: int, rsdt: int, xsdt: int) -> bytearray:
    r = bytearray(b"RSD PTR " + b"\0" + b"BOCHS " + bytes([revision]) + struct.pack("<I", rsdt))
    if revision >= 2:
        r += struct.pack("<IQ", 36, xsdt) + b"\0\0\0\0"
    r[8] = checksum(r[:20])
    if revision >= 2:
        r[32] = checksum(r[:36])
    return r


def fadt(dsdt: int, size: int) -> bytearray:
    body = bytearray(size - 36)

    def put(offset, fmt, value):
        struct.pack_into(fmt, body, offset - 36, value)
    put(40, "<I", dsdt)
    put(48, "<I", 0xB2)
    put(52, "<B", 0xF1)
    put(56, "<I", 0x600)
    put(64, "<I", 0x604)
    put(89, "<B", 2)
    if size >= 129:
        put(112, "<I", 1 << 10)
        body[116 - 36:128 - 36] = struct.pack("<BBBBQ", 1, 8, 0, 1, 0xCF9)
        put(128, "<B", 6)
    return table(b"FACP", bytes(body), 3 if size >= 244 else 1)


S5_ENCODINGS = [
    b"\x08_S5_\x12\x0a\x04\x0a\x05\x0a\x05\x00\x00",        # BytePrefix elements
    b"\x08\\_S5_\x12\x06\x04\x00\x00\x00\x00",              # '\' prefix, ZeroOp elements
    b"\x08_S5_\x12\x06\x02\x01\x00",                        # OneOp
    b"\x08_S5_\x12\x49\x00\x04\x0a\x02\x0a\x03\x00\x00",    # a two-byte PkgLength
]


def image(revision: int, fadt_size: int, s5: bytes, break_ssdt: bool = False) -> bytes:
    size = 0x3000
    mem = bytearray(size)
    at = {"rsdt": 0x100, "xsdt": 0x180, "fadt": 0x200, "ssdt": 0x400, "dsdt": 0x800}
    mem[0x40:0x40 + 36] = rsdp(revision, TABLES + at["rsdt"], TABLES + at["xsdt"]).ljust(36, b"\0")
    entries = [TABLES + at["fadt"], TABLES + at["ssdt"]]
    rsdt = table(b"RSDT", struct.pack("<II", *entries))
    xsdt = table(b"XSDT", struct.pack("<QQ", *entries))
    ssdt = table(b"SSDT", b"\x10\x05\\\0")
    if break_ssdt:
        ssdt[9] ^= 0x55
    for name, data in (("rsdt", rsdt), ("xsdt", xsdt), ("fadt", fadt(TABLES + at["dsdt"], fadt_size)),
                       ("ssdt", ssdt), ("dsdt", table(b"DSDT", b"\x10\x05\\\0" + s5))):
        mem[at[name]:at[name] + len(data)] = data
    return bytes(mem)


def make_seeds(seed_dir: str, scratch_dir: str) -> list:
    del scratch_dir
    seeds = []
    for i, s5 in enumerate(S5_ENCODINGS):
        for revision, fadt_size in ((2, 244), (0, 116)):
            name = f"acpi-{i}-r{revision}-f{fadt_size}"
            with open(os.path.join(seed_dir, name), "wb") as f:
                f.write(image(revision, fadt_size, s5, break_ssdt=(i == 3)))
            seeds.append(name)
    return seeds
