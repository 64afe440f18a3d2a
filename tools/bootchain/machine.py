"""A GNU Mach machine under QEMU, for boot tests and for `./bootchain run`.

    with Machine(grub_cfg=text, disks=[image], timeout=30) as m:
        m.expect(r"ext2fs: mounted")       # waits for a console line, fails clearly
        print(m.monitor("info pci"))       # QEMU's monitor (HMP) command
        assert m.wait() == 0               # the status the guest chose (see status.py)

Whatever happens (an exception, a timeout, Ctrl-C), leaving the `with` block kills QEMU. QEMU
also dies with the thread that started it (the kernel's parent-death signal, so that a runner
killed outright leaves nothing behind): start machines from a thread that outlives them.

How it works: QEMU runs in its own process group and connects to two Unix sockets the
Machine listens on: the guest's serial port (the console, both ways) and QMP, QEMU's control
protocol (monitor commands, and the reason of a shutdown). QEMU starts paused and the Machine
lets the guest run once both are connected, so no output is lost. One thread per machine reads
both sockets: it keeps the console text, watches it for kernel panics, and enforces the timeout.
"""
import json
import os
import queue
import re
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from bootchain import console, iso, paths, qemu, status

# After a line that says why the kernel is about to panic, QEMU is stopped as soon as the panic
# line follows, or after this long if it does not.
_PANIC_LINE_GRACE = 0.5
# A partial line (a prompt, say) is shown once the guest has written nothing more for this long.
_PARTIAL_LINE_DELAY = 0.1
# How long QEMU may take to connect to the sockets and to answer QMP commands.
_QEMU_START_TIMEOUT = 30.0
_QMP_TIMEOUT = 30.0


class MachineError(Exception):
    """The machine could not be set up or started (missing file, bad argument, QEMU failed).
    The runner's status for this is status.RUNNER_ERROR."""

    status = status.RUNNER_ERROR


class BootError(AssertionError):
    """What a test expected did not happen. The message says what happened instead and ends
    with the last lines of the console."""

    def __init__(self, message: str, output: str = "", status: int | None = None):
        self.message = message
        self.status = status
        tail = "\n".join(output.rstrip("\n").splitlines()[-30:])
        super().__init__(f"{message}\n--- last lines of the console ---\n{tail}" if tail else message)


class Machine:
    def __init__(self, machine: str = "q35", grub_cfg: str | Path | None = None,
                 disks: list[str | Path] = (), append: str = "", timeout: float = 300,
                 memory_mb: int = 512, modules_dir: Path | None = None, kernel: Path | None = None,
                 iso_image: Path | None = None, on_output: Callable[[str], None] | None = None,
                 qemu_args: list[str] = (), blkdebug: dict[int, Path] | None = None,
                 from_disk: bool = False, test_exit: bool = True, paused: bool = False):
        """machine: "q35" (AHCI disks) or "pc" (IDE disks). grub_cfg: the grub.cfg text, or a
        Path to one; None boots config/grub.cfg. The serial console is set up in it when
        missing, and `append` is added to the kernel's command line (see iso.prepare_grub_cfg).
        disks: raw or qcow2 images, attached in order (see qemu.slots and qemu.command). timeout: seconds from QEMU's
        start until it is stopped (status 124). iso_image: boot this ISO as it is instead.
        on_output: called (from the machine's thread) with console text as it arrives.
        qemu_args: more words for QEMU's command line (extra devices, say).
        blkdebug: disk index -> QEMU blkdebug rules file, to make that disk fail chosen requests.
        from_disk: no CD; the firmware boots the first disk, which carries its own GRUB and
        grub.cfg (image.make_bootable_disk): grub_cfg, append and iso_image are not used.

        test_exit: False boots without QEMU's isa-debug-exit (qemu.command): the guest cannot
        choose a status, and a power-off or reboot ends the run with status.NO_STATUS and a
        message saying which (shutdown_reason).

        paused: QEMU is left stopped before the firmware's first instruction: the test lets it
        run itself, through a gdb stub it gave QEMU in qemu_args (tests/chain/gdb_remote.py), say.
        The timeout runs from QEMU's start all the same."""
        if machine not in qemu.MACHINES:
            raise MachineError(f"unknown machine type '{machine}' (choose from {', '.join(qemu.MACHINES)})")
        self.machine = machine
        self.disks = [Path(d) for d in disks]
        self.append = append
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.modules_dir = modules_dir
        self.kernel = kernel
        self.iso_image = iso_image
        self.on_output = on_output
        self.qemu_args = list(qemu_args)
        self.blkdebug = dict(blkdebug or {})
        self.from_disk = from_disk
        if from_disk and not self.disks:
            raise MachineError("booting from a disk needs a disk")
        self.test_exit = test_exit
        self.paused = paused
        if isinstance(grub_cfg, Path):
            grub_cfg = _read(grub_cfg, "grub.cfg")
        self.grub_cfg = grub_cfg if grub_cfg is not None else _read(paths.default_grub_cfg(), "grub.cfg")

        self.status: int | None = None     # once finished: the runner's status (status.py)
        self.message: str | None = None    # once finished: a line saying what went wrong, if it did
        self.qemu_pid: int | None = None

        self._dir: Path | None = None
        self._proc: subprocess.Popen | None = None
        self._log = None
        self._serial: socket.socket | None = None
        self._qmp: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._qmp_lock = threading.Lock()
        self._qmp_replies: queue.Queue = queue.Queue()
        self._qmp_buffer = b""
        self._shutdown_reason: str | None = None
        self._running = False     # the guest was let run

        # Shared with the machine's thread, under _cond.
        self._cond = threading.Condition()
        self._text = ""           # the complete console lines so far
        self._partial = ""        # the line being written
        self._cursor = 0          # where the next expect() starts looking
        self._finished = False
        self._stop_reason: str | None = None  # "timeout", "panic", "halt", "closed" once we kill QEMU
        self._panic_text: str | None = None
        self._panic_deadline: float | None = None

        # Used by the machine's thread only.
        self._lines = console.LineAssembler()
        self._shown = 0           # how much of the partial line on_output already has
        self._last_data = 0.0
        self._deadline = 0.0

    # -- life cycle ---------------------------------------------------------------------------

    def __enter__(self) -> "Machine":
        if self._proc is None:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> "Machine":
        """Builds the ISO, starts QEMU and lets the guest run. Raises MachineError."""
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        try:
            qemu.slots(self.machine, len(self.disks))
        except qemu.QemuSetupError as e:
            raise MachineError(str(e)) from None
        for disk in self.disks:
            if not disk.is_file():
                raise MachineError(f"the disk image {disk} does not exist")
        if not shutil.which("qemu-system-x86_64"):
            raise MachineError("qemu-system-x86_64 is missing: run scripts/setup")
        self._dir = Path(tempfile.mkdtemp(prefix="bootchain-"))
        image = self.iso_image
        if self.from_disk:
            image = None
        elif image is None:
            try:
                image = iso.build_iso(iso.prepare_grub_cfg(self.grub_cfg, self.append), self._dir / "boot.iso",
                                      kernel=self.kernel, modules_dir=self.modules_dir)
            except iso.IsoError as e:
                raise MachineError(str(e)) from None
        elif not Path(image).is_file():
            raise MachineError(f"the ISO {image} does not exist")

        argv = qemu.command(self.machine, Path(image) if image is not None else None, self.disks,
                            self._dir / "console.sock", self._dir / "qmp.sock", self.memory_mb, self.blkdebug,
                            self.test_exit) + self.qemu_args
        # Should the runner itself be killed outright, the kernel kills QEMU too.
        if shutil.which("setpriv"):
            argv = ["setpriv", "--pdeathsig", "KILL", "--"] + argv
        with _listen(self._dir / "console.sock") as serial_listener, \
                _listen(self._dir / "qmp.sock") as qmp_listener:
            self._log = open(self._dir / "qemu.log", "w+b")
            try:
                self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                              stderr=subprocess.STDOUT, process_group=0)
            except OSError as e:
                raise MachineError(f"cannot start QEMU: {e}") from None
            self.qemu_pid = self._proc.pid
            self._deadline = time.monotonic() + self.timeout
            self._serial = self._accept(serial_listener)
            self._qmp = self._accept(qmp_listener)
        self._thread = threading.Thread(target=self._run, name=f"qemu-{self.qemu_pid}", daemon=True)
        self._thread.start()
        self._qmp_reply()  # QMP's greeting
        self._qmp_command("qmp_capabilities")
        if not self.paused:
            self._qmp_command("cont")
        self._running = True

    def close(self) -> None:
        """Stops QEMU if it still runs and removes the machine's temporary files."""
        if self._proc is not None and self._proc.returncode is None:
            self._stop("closed")
        if self._thread is not None:
            self._thread.join()
        elif self._proc is not None:
            self._proc.wait()
        for s in (self._serial, self._qmp):
            if s is not None:
                s.close()
        if self._log is not None:
            self._log.close()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def kill(self) -> None:
        """Stops QEMU now. The machine then counts as stopped by the runner."""
        self._stop("closed")

    # -- what tests use -----------------------------------------------------------------------

    @property
    def output(self) -> str:
        """All the console text so far, without carriage returns and terminal escapes."""
        with self._cond:
            return self._text + self._partial

    @property
    def finished(self) -> bool:
        with self._cond:
            return self._finished

    def expect(self, pattern: str | re.Pattern, timeout: float | None = None) -> re.Match:
        """Waits for the console to show `pattern` (a regular expression, multi-line mode) after
        the previous match, and returns the match. Raises BootError when the timeout passes
        (default: the machine's own), the kernel panics, or QEMU ends first."""
        regex = re.compile(pattern, re.M) if isinstance(pattern, str) else pattern
        end = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                text = self._text + self._partial
                match = regex.search(text, self._cursor)
                if match:
                    self._cursor = match.end()
                    return match
                if self._panic_text is not None:
                    raise BootError(f"kernel panic before /{regex.pattern}/ appeared: {self._panic_text}",
                                    text, status.PANIC)
                if self._finished:
                    raise BootError(f"the machine ended (status {self.status}: {self.message or 'chosen by the guest'})"
                                    f" before /{regex.pattern}/ appeared", text, self.status)
                remaining = None if end is None else end - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise BootError(f"/{regex.pattern}/ did not appear within {timeout:g} s", text)
                self._cond.wait(remaining)

    def wait(self, timeout: float | None = None) -> int | None:
        """Waits for the machine to end and returns the runner's status (status.py): the status
        the guest chose, or 124 (timeout), 125 (panic), 126 (no status), 2 (QEMU failed).
        Raises BootError if it still runs after `timeout` seconds (default: its own timeout)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._finished, timeout):
                raise BootError(f"the machine still runs after {timeout:g} s", self._text + self._partial)
            return self.status

    def send(self, text: str | bytes) -> None:
        """Writes to the guest's serial port, as if typed on its console."""
        data = text.encode() if isinstance(text, str) else text
        try:
            self._serial.sendall(data)
        except OSError as e:
            raise BootError(f"cannot write to the console: QEMU has ended ({e})", self.output) from None

    def monitor(self, command: str) -> str:
        """Runs a QEMU monitor command (the human monitor's, e.g. "info block") and returns
        its output."""
        return self._qmp_command("human-monitor-command", {"command-line": command})

    # -- QEMU and QMP -------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> socket.socket:
        listener.settimeout(0.05)
        give_up = time.monotonic() + _QEMU_START_TIMEOUT
        while True:
            try:
                conn, _ = listener.accept()
                conn.settimeout(None)
                return conn
            except TimeoutError:
                pass
            if self._proc.poll() is not None:
                raise MachineError(f"QEMU could not start (status {self._proc.returncode}): {self._qemu_log()}")
            if time.monotonic() > give_up:
                raise MachineError(f"QEMU did not connect to the console within {_QEMU_START_TIMEOUT:g} s")

    def _qemu_log(self) -> str:
        self._log.flush()
        self._log.seek(0)
        text = self._log.read().decode(errors="replace").strip()
        return text or "(QEMU printed nothing)"

    def _qmp_command(self, name: str, arguments: dict | None = None):
        with self._qmp_lock:
            request = {"execute": name}
            if arguments:
                request["arguments"] = arguments
            try:
                self._qmp.sendall(json.dumps(request).encode() + b"\n")
            except OSError:
                pass  # QEMU has gone; the reply says so
            reply = self._qmp_reply()
            if "error" in reply:
                raise MachineError(f"QEMU refused {name}: {reply['error'].get('desc', reply['error'])}")
            return reply.get("return")

    def _qmp_reply(self) -> dict:
        try:
            reply = self._qmp_replies.get(timeout=_QMP_TIMEOUT)
        except queue.Empty:
            raise MachineError(f"QEMU did not answer on QMP within {_QMP_TIMEOUT:g} s") from None
        if reply is None:
            self._qmp_replies.put(None)  # for whoever asks next
            if not self._running:
                # QEMU gave up while setting the machine up (a bad disk image, say).
                self._thread.join()
                raise MachineError(f"QEMU could not start (status {self._proc.returncode}): {self._qemu_log()}")
            raise BootError("QEMU has ended; its monitor is gone", self.output, self.status)
        return reply

    def _stop(self, reason: str) -> None:
        with self._cond:
            if self._stop_reason is None:
                self._stop_reason = reason
        proc = self._proc
        if proc is not None and proc.returncode is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    # -- the machine's thread -----------------------------------------------------------------

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._serial, selectors.EVENT_READ, self._on_console)
        selector.register(self._qmp, selectors.EVENT_READ, self._on_qmp)
        # Both sockets close when QEMU ends, however it ends.
        while selector.get_map():
            for key, _ in selector.select(self._next_wakeup()):
                try:
                    data = key.fileobj.recv(65536)
                except OSError:
                    data = b""
                if data:
                    key.data(data)
                else:
                    selector.unregister(key.fileobj)
                    if key.fileobj is self._qmp:
                        self._qmp_replies.put(None)
            self._check_clocks()
        selector.close()
        returncode = self._proc.wait()
        self._show_partial()
        with self._cond:
            self._conclude(returncode)
            self._finished = True
            self._cond.notify_all()

    def _next_wakeup(self) -> float:
        now = time.monotonic()
        times = [self._deadline]
        if self._panic_deadline is not None:
            times.append(self._panic_deadline)
        if self._shown < len(self._partial):
            times.append(self._last_data + _PARTIAL_LINE_DELAY)
        return max(0.0, min(times) - now)

    def _check_clocks(self) -> None:
        now = time.monotonic()
        if now >= self._deadline:
            self._stop("timeout")
        if self._panic_deadline is not None and now >= self._panic_deadline:
            self._stop("panic")
        if now >= self._last_data + _PARTIAL_LINE_DELAY:
            self._show_partial()

    def _on_console(self, data: bytes) -> None:
        self._last_data = time.monotonic()
        lines = self._lines.feed(data)
        with self._cond:
            self._text += "".join(lines)
            self._partial = self._lines.partial()
            self._cond.notify_all()
        for line in lines:
            self._show(line[self._shown:])
            self._shown = 0
            self._watch(line)

    def _show_partial(self) -> None:
        partial = self._partial
        if len(partial) > self._shown:
            self._show(partial[self._shown:])
            self._shown = len(partial)

    def _show(self, text: str) -> None:
        if self.on_output is not None and text:
            try:
                self.on_output(text)
            except Exception:
                self.on_output = None  # e.g. stdout closed; the run goes on

    def _watch(self, line: str) -> None:
        found = console.incident(line)
        if found is None or self._stop_reason is not None:
            return
        with self._cond:
            if found.kind == "halt":
                self._stop_reason = "halt"
            elif self._panic_text is None:
                self._panic_text = found.text
            self._cond.notify_all()
        if found.kind == "cause":
            self._panic_deadline = time.monotonic() + _PANIC_LINE_GRACE
        elif found.kind == "panic":
            self._stop("panic")
        else:
            self._stop("halt")

    def _on_qmp(self, data: bytes) -> None:
        self._qmp_buffer += data
        *messages, self._qmp_buffer = self._qmp_buffer.split(b"\n")
        for raw in messages:
            if not raw.strip():
                continue
            message = json.loads(raw)
            if "event" in message:
                if message["event"] == "SHUTDOWN":
                    self._shutdown_reason = message.get("data", {}).get("reason")
            else:
                self._qmp_replies.put(message)

    def _conclude(self, returncode: int) -> None:
        if self._panic_text is not None:
            self.status, self.message = status.PANIC, f"kernel panic: {self._panic_text}"
        elif self._stop_reason == "timeout":
            self.status, self.message = status.TIMEOUT, f"timed out after {self.timeout:g} s; QEMU stopped"
        elif self._stop_reason == "halt":
            self.status, self.message = status.NO_STATUS, "the guest halted without choosing a status"
        elif self._stop_reason == "closed":
            self.status, self.message = None, "stopped by the runner"
        else:
            self.status, self.message = status.from_qemu_exit(returncode, self._shutdown_reason)
            # A status the guest chose has no message, even when it equals one of the runner's.
            if self.message is not None and self.status == status.RUNNER_ERROR:
                self.message += f": {self._qemu_log()}"


def _listen(path: Path) -> socket.socket:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
    except OSError as e:
        listener.close()
        raise MachineError(f"cannot create the socket {path}: {e}") from None
    listener.listen(1)
    return listener


def _read(path: Path, what: str) -> str:
    try:
        return Path(path).read_text()
    except OSError as e:
        raise MachineError(f"cannot read the {what} {path}: {e.strerror}") from None
