"""File contents of the filesystem tests, the same as tests/fs/fs-client/content.h: a file of
seed S is a run of 512-byte units; unit u holds its byte offset and a check value of the offset
and the seed, then a pattern of both."""
import struct

UNIT = 512
_MASK = (1 << 64) - 1
# The pattern after the first 16 bytes depends only on (unit * 7 + seed * 101) mod 256.
_TAILS = [bytes(((base + i * 13) & 0xFF) for i in range(16, UNIT)) for base in range(256)]


def check_value(offset: int, seed: int) -> int:
    x = ((offset // UNIT + 1) * 0x9E3779B97F4A7C15) & _MASK
    x ^= x >> 29
    return x ^ ((seed * 0xB00C4A1D5EED5EED) & _MASK)


def unit(offset: int, seed: int) -> bytes:
    head = struct.pack("<QQ", offset & _MASK, check_value(offset, seed))
    return head + _TAILS[((offset // UNIT) * 7 + seed * 101) & 0xFF]


def data(seed: int, size: int, start: int = 0) -> bytes:
    """The bytes [start, start + size) of the file of `seed`."""
    first = start - start % UNIT
    parts = [unit(o, seed) for o in range(first, start + size, UNIT)]
    blob = b"".join(parts)
    return blob[start - first:start - first + size]
