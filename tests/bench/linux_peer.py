"""The Linux peer of the benchmarks: Debian 12's kernel and the initramfs of initramfs.py, booted
by the same GRUB from a CD on the same QEMU command line as the chain (tools/bootchain's
qemu.command, through Machine: machine type, memory, the disk on the same controller and port,
the CD after it), on the same raw disk image.

    iso = linux_peer.build_iso(work_dir)
    with linux_peer.boot("q35", iso, disk) as peer:
        seconds = peer.to_prompt          # QEMU's start to busybox's prompt, fs mounted
        peer.type("sh /rows.sh")          # the rows; QEMU ends when they are done
"""
import re
import time
from pathlib import Path

from bootchain import iso as bootiso
from bootchain.machine import Machine

import initramfs

PROMPT = re.compile(r"linux:/mnt# ")
MOUNTED = "linux-peer: /dev/sda1 mounted on /mnt"
# quiet: the kernel's log at warning level, as a distribution boots; panic=-1 with QEMU's
# -no-reboot ends QEMU at once should the kernel panic.
KERNEL_ARGS = "console=ttyS0,115200 panic=-1"


def build_iso(out_dir: Path) -> Path:
    """A GRUB CD holding Debian 12's kernel and the initramfs: out_dir/linux.iso."""
    out_dir = Path(out_dir)
    ramdisk = initramfs.build(out_dir)
    cfg = bootiso.prepare_grub_cfg(
        f"menuentry linux-peer {{\n  linux /boot/vmlinuz {KERNEL_ARGS}\n  initrd /boot/initramfs\n}}\n")
    return bootiso.build_iso(cfg, out_dir / "linux.iso", chain=False,
                             extra_files={"boot/vmlinuz": initramfs.kernel_image(), "boot/initramfs": ramdisk})


class Peer:
    """A booted Linux peer at its prompt."""

    def __init__(self, machine: Machine, to_prompt: float):
        self.machine = machine
        self.to_prompt = to_prompt

    def type(self, line: str) -> None:
        self.machine.send(line + "\n")


class boot:
    """Boots the peer and waits for its prompt (a context manager: QEMU ends with the block)."""

    def __init__(self, machine: str, iso_image: Path, disk: Path, timeout: float = 600):
        self._machine = Machine(machine=machine, iso_image=iso_image, disks=[disk], timeout=timeout)

    def __enter__(self) -> Peer:
        m = self._machine.start()
        # start() returns once QEMU, started paused, was let run: the guest's time starts here.
        started = time.monotonic()
        try:
            m.expect(PROMPT, timeout=300)
        except BaseException:
            m.close()
            raise
        to_prompt = time.monotonic() - started
        if MOUNTED not in m.output:
            m.close()
            raise AssertionError("the Linux peer came to its prompt without the disk mounted:\n"
                                 + "\n".join(m.output.splitlines()[-20:]))
        return Peer(m, to_prompt)

    def __exit__(self, *exc) -> None:
        self._machine.close()
