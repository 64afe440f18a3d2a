"""The guest console as text: bytes from the serial port become clean lines, and the lines that
mean the kernel has failed (or stopped) are recognised.

GRUB draws with terminal escape sequences and the kernel ends its lines with "\\r\\n" (and
starts some with "\\r"); the runner shows, stores and matches the text without either.
"""
import codecs
import re
from dataclasses import dataclass

_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")
_UNFINISHED_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*)?$")


def clean(text: str) -> str:
    return _ESCAPE.sub("", text).replace("\r", "")


# The kernel's own words (GNU Mach kern/debug.c, kern/boot_script.c, the halt path). Module
# output and kernel output can share a line, so these are searched anywhere in it. The kernel
# prints what went wrong (a missing boot-script symbol, a failed assertion) just before its
# "panic" line; those earlier lines say more than the panic does.
_PANIC = re.compile(r"(?:^|\s)panic (\S+:\d+: .*)")
_ASSERTION = re.compile(r"(?:\S+:\d+: (?:\S+: )?)?Assertion .* failed.*")
_MISSING_SYMBOL = re.compile(r"bootstrap script missing symbol '[^']*'")
_HALTED = re.compile(r"You can safely power off the system")


# A line the kernel prints by itself at any moment, in the middle of a program's output: GNU
# Mach's intnull() (i386/i386/pic.c) names an interrupt with no handler, once per line. The
# PIC's spurious interrupt (IRQ 7 or 15, when a device drops its request before the processor
# takes it) arrives that way, and the kernel does not tell it apart. Tests that compare a
# program's output line by line leave these out.
_KERNEL_NOTICE = re.compile(r"intnull\(\d+\)\n")


def without_kernel_notices(text: str) -> str:
    return _KERNEL_NOTICE.sub("", text)


@dataclass(frozen=True)
class Incident:
    """A console line that ends the run. kind: "panic" (the kernel's panic line), "cause" (a
    line the kernel prints before it panics) or "halt" (the kernel halted); text is the part
    of the line worth quoting."""
    kind: str
    text: str


def incident(line: str) -> Incident | None:
    if m := _MISSING_SYMBOL.search(line):
        return Incident("cause", m.group(0))
    if m := _ASSERTION.search(line):
        return Incident("cause", m.group(0).strip())
    if m := _PANIC.search(line):
        return Incident("panic", m.group(1).strip())
    if _HALTED.search(line):
        return Incident("halt", line.strip())
    return None


class LineAssembler:
    """Turns the serial port's byte stream into clean text: feed() returns the complete lines
    (with their "\\n"), partial() the start of the line still being written (a prompt, say)."""

    def __init__(self):
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""

    def feed(self, data: bytes) -> list[str]:
        self._pending += self._decoder.decode(data)
        *complete, self._pending = self._pending.split("\n")
        return [clean(line) + "\n" for line in complete]

    def partial(self) -> str:
        # An escape sequence cut off by the end of a read is left for the next one.
        return clean(_UNFINISHED_ESCAPE.sub("", self._pending))
