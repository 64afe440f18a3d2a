"""Shared by the runner's tests: grub.cfg texts for the test modules, running the command line,
and finding QEMU processes."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bootchain import paths

ROOT = paths.ROOT


def module_cfg(*lines: str, serial: bool = True, kernel_args: str = "") -> str:
    """A grub.cfg that boots the kernel with the given module lines. Without `serial` it has
    none of GRUB's serial lines and no console= word, as a user's own grub.cfg might not."""
    head = "set timeout=0\nserial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\n"
    kernel = "multiboot /boot/gnumach" + (" console=com0" if serial else "") + (f" {kernel_args}" if kernel_args else "")
    body = "".join(f"  module {line}\n" for line in lines)
    return (head if serial else "") + f"menuentry test {{\n  {kernel}\n{body}}}\n"


def exit_with(*args: str) -> str:
    """The module line of exit-with with its ports and the given options."""
    return ("/boot/exit-with exit-with --host-priv-port='${host-port}' --device-master-port='${device-port}' "
            + " ".join(args) + " '$(task-create)' '$(task-resume)'")


def module(name: str, *args: str) -> str:
    """The module line of a test module that takes only the device master port."""
    return (f"/boot/{name} {name} --device-master-port='${{device-port}}' " + " ".join(args)
            + " '$(task-create)' '$(task-resume)'")


class CliRun:
    def __init__(self, returncode: int, stdout: str, stderr: str, seconds: float, tmpdir: str):
        self.returncode, self.stdout, self.stderr, self.seconds, self.tmpdir = returncode, stdout, stderr, seconds, tmpdir


def cli_command(*args: str) -> list[str]:
    """`bootchain ARGS` through the Python package, without ./bootchain's setup and build (CTest
    runs after the build, and tests may run in parallel)."""
    return [sys.executable, "-m", "bootchain", *args]


def cli_environment(tmpdir: str) -> dict:
    # The runner keeps its sockets and ISO under TMPDIR: a private one lets a test find the QEMU
    # processes its runner started (their command lines name it).
    env = dict(os.environ, TMPDIR=tmpdir, PYTHONPATH=str(ROOT / "tools"))
    return env


def run_cli(testcase, *args: str, grub_cfg: str | None = None, timeout: float = 120) -> CliRun:
    """Runs `bootchain ARGS` (with --grub-cfg FILE when grub_cfg text is given) to its end."""
    tmpdir = tempfile.mkdtemp(prefix="runner-test-")
    testcase.addCleanup(_remove, tmpdir)
    if grub_cfg is not None:
        cfg = Path(tmpdir) / "grub.cfg"
        cfg.write_text(grub_cfg)
        args = (*args, "--grub-cfg", str(cfg))
    start = time.monotonic()
    result = subprocess.run(cli_command(*args), env=cli_environment(tmpdir), stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=timeout)
    return CliRun(result.returncode, result.stdout, result.stderr, time.monotonic() - start, tmpdir)


def start_runner(testcase, grub_cfg: str, *args: str, ready: str):
    """Starts `bootchain run --grub-cfg FILE ARGS` and reads its stdout up to the line that
    contains `ready`, which must come while the guest runs (the console is streamed).
    Returns the runner and the pid of its QEMU."""
    tmpdir = tempfile.mkdtemp(prefix="runner-test-")
    testcase.addCleanup(_remove, tmpdir)
    cfg = Path(tmpdir) / "grub.cfg"
    cfg.write_text(grub_cfg)
    runner = subprocess.Popen(cli_command("run", "--grub-cfg", str(cfg), *args), env=cli_environment(tmpdir),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    testcase.addCleanup(runner.kill)
    seen = []
    for line in runner.stdout:
        seen.append(line)
        if ready in line:
            break
    else:
        testcase.fail(f"'{ready}' never came; the runner said: {''.join(seen)}{runner.stderr.read()}")
    pids = qemu_pids(tmpdir)
    testcase.assertEqual(len(pids), 1, f"expected one QEMU process naming {tmpdir}")
    testcase.assertTrue(alive(pids[0]))
    return runner, pids[0]


def qemu_pids(marker: str) -> list[int]:
    """The QEMU processes whose command line mentions `marker` (a test's private TMPDIR)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"qemu-system" in a for a in argv) and any(marker.encode() in a for a in argv):
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _remove(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
