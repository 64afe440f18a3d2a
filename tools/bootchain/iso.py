"""Boot ISOs for GNU Mach: a grub.cfg, the kernel and the modules, made bootable by GRUB.

QEMU's own multiboot loader refuses the ELF64 kernel, so every boot goes through GRUB on a
CD image made by grub-mkrescue.
"""
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from bootchain import medium, paths


class IsoError(Exception):
    """The ISO could not be built; the message says why (missing file, tool output)."""


# What a grub.cfg needs so that GRUB boots at once and GRUB, the kernel and the tasks all talk
# on the first serial port, which the runner reads. Each line is added only when the user's
# grub.cfg does not already say it, so a grub.cfg that sets its own terminal keeps it.
_SERIAL_SETUP = [
    (re.compile(r"^\s*(set\s+)?timeout\s*=", re.M), "set timeout=0"),
    (re.compile(r"^\s*serial\b", re.M), "serial --unit=0 --speed=115200"),
    (re.compile(r"^\s*terminal_input\b", re.M), "terminal_input serial"),
    (re.compile(r"^\s*terminal_output\b", re.M), "terminal_output serial"),
]
_MULTIBOOT = re.compile(r"^(\s*multiboot\s+\S+)(.*)$")


def prepare_grub_cfg(text: str, append: str = "") -> str:
    """Returns the grub.cfg text the runner boots: the serial console set up when missing,
    `console=com0` on every multiboot (kernel) line that names no console, then `append`."""
    added = [line for pattern, line in _SERIAL_SETUP if not pattern.search(text)]
    lines = []
    for line in text.splitlines():
        match = _MULTIBOOT.match(line)
        if match:
            head, words = match.group(1), match.group(2).rstrip()
            if not any(w.startswith("console=") for w in words.split()):
                words += " console=com0"
            if append.strip():
                words += " " + append.strip()
            line = head + words
        lines.append(line)
    header = ["# added by bootchain: boot at once, console on the serial port"] + added if added else []
    return "\n".join(header + lines) + "\n"


def build_iso(grub_cfg: str, output: Path, kernel: Path | None = None,
              modules_dir: Path | None = None, extra_files: dict[str, Path] | None = None,
              chain: bool = True) -> Path:
    """Builds a boot ISO at `output` from the grub.cfg text, used as it is (callers run
    prepare_grub_cfg first when they want the serial console). The ISO holds the kernel and
    every file of modules_dir (debug information stripped) under each of their names of the
    boot medium (medium.py: /boot/gnumach, /boot/NAME, the Hurd's /hurd/NAME.static, ...), and
    extra_files ({path in the ISO: host file}) as they are. With chain=False it holds the
    extra files only: another system booted by the same GRUB (the benchmarks' Linux peer)."""
    kernel = Path(kernel or paths.kernel())
    modules_dir = Path(modules_dir or paths.modules_dir())
    if chain and not kernel.is_file():
        raise IsoError(f"the kernel {kernel} is missing: run scripts/setup")
    if chain and not modules_dir.is_dir():
        raise IsoError(f"the modules folder {modules_dir} is missing: build the tree first")
    for tool in ("grub-mkrescue", "objcopy", "xorriso"):
        if not shutil.which(tool):
            raise IsoError(f"the command {tool} is missing: run scripts/setup")

    output = Path(output)
    with tempfile.TemporaryDirectory(prefix="iso-", dir=output.parent) as staging:
        boot = Path(staging) / "boot"
        (boot / "grub").mkdir(parents=True)
        (boot / "grub/grub.cfg").write_text(grub_cfg)
        modules = sorted(modules_dir.iterdir()) if chain else []
        if chain:
            for name in medium.KERNEL_NAMES:
                shutil.copyfile(kernel, Path(staging) / name.lstrip("/"))
        for module in modules:
            if module.is_file():
                # Debug information makes modules many times larger, and GRUB loads every byte
                # of every module from the CD at each boot.
                first, *others = medium.module_paths(module.name)
                stripped = Path(staging) / first.lstrip("/")
                _run(["objcopy", "--strip-debug", str(module), str(stripped)], f"stripping the module {module}")
                for other in others:
                    target = Path(staging) / other.lstrip("/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(stripped, target)
        for name, source in (extra_files or {}).items():
            target = Path(staging) / name.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        # GRUB talks on the serial port only: no fonts, translations or themes (a third of the
        # size, and quicker to build).
        _run(["grub-mkrescue", "--fonts=", "--locales=", "--themes=", "-o", str(output), staging],
             "grub-mkrescue")
    return output


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise IsoError(f"{what} failed (status {result.returncode}):\n{result.stdout.strip()}")
