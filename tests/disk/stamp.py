"""Sector stamps for the disk tests, the same as tests/disk/disk-client/stamp.h: every 512-byte
sector holds its LBA, a check value of the LBA and a generation (0: as made on the host, 1:
written by the guest), and a pattern of both."""
import struct

SECTOR = 512
_MASK = (1 << 64) - 1


def check_value(lba: int, generation: int) -> int:
    x = ((lba + 1) * 0x9E3779B97F4A7C15) & _MASK
    x ^= x >> 29
    return x ^ ((generation * 0xB00C4A1D5EED5EED) & _MASK)



# The pattern after the first 16 bytes depends only on (lba * 7 + generation * 101) mod 256.
_TAILS = [bytes(((base + i * 13) & 0xFF) for i in range(16, 512)) for base in range(256)]


def sector(lba: int, generation: int = 0) -> bytes:
    head = struct.pack("<QQ", lba & _MASK, check_value(lba, generation))
    return head + _TAILS[(lba * 7 + generation * 101) & 0xFF]


def make_image(path, sectors: int) -> None:
    """A raw image whose every sector carries its stamp of generation 0."""
    with open(path, "wb") as f:
        chunk = []
        for lba in range(sectors):
            chunk.append(sector(lba))
            if len(chunk) == 2048:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))


def check_image(path, written: dict[int, int] | None = None, skip: set[int] = frozenset()) -> list[str]:
    """Compares every sector of the image with its expected stamp: generation written[lba] if
    the LBA is in `written`, else 0; sectors in `skip` are not looked at. Returns the
    differences as sentences (at most 20)."""
    written = written or {}
    problems = []
    with open(path, "rb") as f:
        lba = 0
        while True:
            block = f.read(SECTOR * 2048)
            if not block:
                break
            for i in range(0, len(block), SECTOR):
                if lba not in skip:
                    expected = sector(lba, written.get(lba, 0))
                    if block[i:i + SECTOR] != expected:
                        got = struct.unpack_from("<Q", block, i)[0]
                        problems.append(f"sector {lba}: expected generation {written.get(lba, 0)}, "
                                        f"found a sector claiming LBA {got}")
                        if len(problems) == 20:
                            return problems
                lba += 1
    return problems
