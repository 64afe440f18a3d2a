"""Seeds of the partition fuzzer: valid and broken MBR, EBR and GPT tables of a few KB."""
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

# --- seed images -----------------------------------------------------------------------------


def mbr_entry(sector, slot, ptype, first, count, boot=0):
    at = 446 + 16 * slot
    sector[at:at + 16] = struct.pack("<B3sB3sII", boot, b"\0\0\0", ptype, b"\0\0\0", first, count)
    sector[510:512] = b"\x55\xaa"


def image(sector_size, sectors):
    return bytearray(sector_size * sectors)


def sector(img, sector_size, lba):
    """A writable view of one sector."""
    return memoryview(img)[lba * sector_size:(lba + 1) * sector_size]


def guid(text):
    import uuid
    return uuid.UUID(text).bytes_le


LINUX = guid("0FC63DAF-8483-4772-8E79-3D69D8477DE4")
ESP = guid("C12A7328-F81F-11D2-BA4B-00A0C93EC93B")


def gpt(sector_size, sectors, parts, entry_count=4, entry_size=128):
    """A protective MBR, primary and backup GPT; parts: (index, type, first, last)."""
    img = image(sector_size, sectors)
    mbr = bytearray(512)
    mbr_entry(mbr, 0, 0xEE, 1, min(sectors - 1, 0xFFFFFFFF))
    img[0:512] = mbr
    array = bytearray(entry_count * entry_size)
    for index, ptype, first, last in parts:
        at = index * entry_size
        array[at:at + 56] = ptype + bytes(range(16)) + struct.pack("<QQQ", first, last, 0)
        array[at + 56:at + 60] = "p".encode("utf-16-le") + b"\0\0"
    array_sectors = -(-len(array) // sector_size)
    backup_entries = sectors - 1 - array_sectors
    first_usable, last_usable = 2 + array_sectors, backup_entries - 1
    crc = zlib.crc32(array)
    for lba, alternate, entries in ((1, sectors - 1, 2), (sectors - 1, 1, backup_entries)):
        img[entries * sector_size:entries * sector_size + len(array)] = array
        header = bytearray(struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, lba, alternate,
                                       first_usable, last_usable, bytes(range(0xA0, 0xB0)), entries,
                                       entry_count, entry_size, crc))
        header[16:20] = struct.pack("<I", zlib.crc32(header))
        img[lba * sector_size:lba * sector_size + 92] = header
    return img


def mbr_chain(sector_size, sectors, ext_first, ext_count, logicals, step, loop=False):
    img = image(sector_size, sectors)
    mbr = bytearray(512)
    mbr_entry(mbr, 0, 0x83, 1, 2, boot=0x80)
    mbr_entry(mbr, 1, 0x05, ext_first, ext_count)
    img[0:512] = mbr
    for i in range(logicals):
        ebr = bytearray(512)
        mbr_entry(ebr, 0, 0x83, 1, step - 1)
        if i + 1 < logicals:
            mbr_entry(ebr, 1, 0x05, (i + 1) * step, step)
        elif loop:
            mbr_entry(ebr, 1, 0x05, 0, step)
        lba = ext_first + i * step
        img[lba * sector_size:lba * sector_size + 512] = ebr
    return img


def seeds():
    yield "blank", image(512, 2)
    primaries = image(512, 16)
    mbr = bytearray(512)
    mbr_entry(mbr, 0, 0x83, 2, 4, boot=0x80)
    mbr_entry(mbr, 2, 0x07, 6, 4)
    mbr_entry(mbr, 3, 0x0C, 9, 8)  # overlaps 3 and runs past the end
    primaries[0:512] = mbr
    yield "mbr-primaries", primaries
    yield "mbr-logical", mbr_chain(512, 24, 4, 20, 4, 4)
    yield "mbr-ebr-loop", mbr_chain(512, 24, 4, 20, 3, 4, loop=True)
    fat = image(512, 4)
    fat[0:3] = b"\xeb\x3c\x90"
    fat[3:11] = b"MSDOS5.0"
    fat[446:510] = bytes((i * 37) & 0xFF for i in range(64))
    fat[510:512] = b"\x55\xaa"
    yield "fat-boot-sector", fat
    yield "gpt", gpt(512, 16, [(0, ESP, 3, 5), (2, LINUX, 6, 12)])
    yield "gpt-136", gpt(512, 20, [(0, LINUX, 4, 6), (3, ESP, 7, 15)], entry_size=136)
    broken = gpt(512, 16, [(0, ESP, 3, 5), (1, LINUX, 5, 20)])
    broken[512 + 60] ^= 1  # primary header CRC
    yield "gpt-backup", broken
    hybrid = gpt(512, 16, [(1, LINUX, 3, 12)])
    mbr = bytearray(hybrid[0:512])
    mbr_entry(mbr, 1, 0x0C, 3, 10)
    hybrid[0:512] = mbr
    yield "gpt-hybrid", hybrid
    yield "gpt-overlaps", gpt(512, 16, [(i, LINUX, 4 + i, 12) for i in range(8)], entry_count=8)
    two = mbr_chain(512, 32, 4, 12, 3, 4)  # EBRs at 4, 8, 12
    mbr = bytearray(two[0:512])
    mbr_entry(mbr, 2, 0x0F, 14, 16)  # a second extended partition: its EBR lies in logical 7
    mbr_entry(mbr, 3, 0x83, 20, 4)   # a primary inside it
    two[0:512] = mbr
    ebr = bytearray(512)
    mbr_entry(ebr, 0, 0x83, 2, 4)
    two[14 * 512:15 * 512] = ebr
    yield "mbr-two-extended", two
    yield "gpt-4096", gpt(4096, 6, [(0, LINUX, 3, 3)])
    yield "mbr-logical-4096", mbr_chain(4096, 8, 3, 5, 2, 2)


def make_seeds(seed_dir, tmp):
    """Writes the seeds into seed_dir; their names."""
    names = []
    for name, data in seeds():
        with open(os.path.join(seed_dir, name), "wb") as f:
            f.write(data)
        names.append(name)
    return names
