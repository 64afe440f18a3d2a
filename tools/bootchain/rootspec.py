"""Root specs as ext2fs reads them (servers/ext2fs/root_spec.cpp), for `bootchain check`: libstore's
typed names part:N:device:NAME and device:NAME, a plain device name, and the store types of
`-T`/`--store-type` (typed, device, part). Both implementations are held to one table of cases,
tests/fs/host/root_spec_cases.txt.
"""
import re

_DEVICE_NAME = re.compile(r"[A-Za-z0-9._-]{1,63}")
STORE_TYPES = ("typed", "device", "part")


class RootSpecError(Exception):
    """The spec cannot be read; the message is the sentence ext2fs prints."""


def _device_name(text: str, what: str) -> str:
    if not _DEVICE_NAME.fullmatch(text):
        raise RootSpecError(f"the {what} is not a device name")
    return text


def _part(rest: str) -> str:
    number, colon, inner = rest.partition(":")
    if not colon or not number.isdigit() or number.startswith("0") or not 1 <= int(number) <= 255:
        raise RootSpecError("the partition number of a part:N:device:NAME spec must be 1 to 255")
    if not inner.startswith("device:"):
        raise RootSpecError("a part: spec must name a device (part:N:device:NAME)")
    disk = _device_name(inner[7:], "device name of a part:N:device:NAME spec")
    name = f"{disk}s{number}"
    if len(name) > 63:
        raise RootSpecError("the device name of a part:N:device:NAME spec is too long")
    return name


def device_of(spec: str, store_type: str | None = None) -> str:
    """The device name ext2fs opens for the spec ("wd0s2"). Raises RootSpecError."""
    if store_type is not None and store_type not in STORE_TYPES:
        raise RootSpecError("the store type (-T) is not one of typed, device, part")
    if store_type == "device":
        return _device_name(spec, "name of a device store")
    if store_type == "part":
        return _part(spec)
    if spec.startswith("part:"):
        return _part(spec[5:])
    if spec.startswith("device:"):
        return _device_name(spec[7:], "name of a device:NAME spec")
    if store_type == "typed" and ":" not in spec:
        raise RootSpecError("a typed store name is TYPE:NAME (part:N:device:NAME or device:NAME)")
    if not _DEVICE_NAME.fullmatch(spec):
        raise RootSpecError("not a root spec: use part:N:device:NAME, device:NAME or a device name")
    return spec


def root_from_command_line(line: str) -> str:
    """The value of the first root= word of a kernel command line, or ''."""
    for word in line.split(" "):
        if word.startswith("root="):
            return word[5:]
    return ""
