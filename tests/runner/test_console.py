"""The console: a grub.cfg without serial lines still talks on stdout, --append reaches the
kernel's command line, and keys typed on the host reach the guest."""
import os
import select
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from bootchain.machine import Machine
from support import _remove, cli_command, cli_environment, exit_with, module, module_cfg, run_cli


class SerialSetupTests(unittest.TestCase):
    def test_grub_cfg_without_serial_lines(self):
        cfg = module_cfg(exit_with("--status=3", "--echo=plain"), serial=False)
        self.assertNotIn("serial", cfg)
        self.assertNotIn("console=", cfg)
        run = run_cli(self, "run", "--timeout", "60", grub_cfg=cfg)
        self.assertEqual(run.returncode, 3, run.stderr)
        self.assertIn("exit-with: echo: plain", run.stdout)
        self.assertIn("Booting `test'", run.stdout)  # GRUB's own output comes too


class AppendTests(unittest.TestCase):
    # The boot script's ${kernel-command-line} is the kernel's whole command line.
    ECHO_CMDLINE = exit_with("--status=0", "--echo='${kernel-command-line}'")

    def test_cli_append(self):
        run = run_cli(self, "run", "--timeout", "60", "--append", "first=1 second=two",
                      grub_cfg=module_cfg(self.ECHO_CMDLINE))
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("exit-with: echo: console=com0 first=1 second=two\n", run.stdout)

    def test_api_append_without_serial_lines(self):
        with Machine(grub_cfg=module_cfg(self.ECHO_CMDLINE, serial=False), append="-s x=y", timeout=60) as m:
            m.expect(r"exit-with: echo: console=com0 -s x=y$")
            self.assertEqual(m.wait(), 0)


class KeyboardTests(unittest.TestCase):
    ECHO_INPUT = module_cfg(module("echo-input"))

    def test_api_send(self):
        with Machine(grub_cfg=self.ECHO_INPUT, timeout=60) as m:
            m.expect("echo-input: ready")
            m.expect(r"^echo-input> $")  # a prompt: the line is not finished
            m.send("hello guest\n")
            m.expect("echo-input: got 'hello guest'")
            m.send("exit 4\n")
            self.assertEqual(m.wait(), 4)

    def test_cli_forwards_a_terminal(self):
        tmpdir = tempfile.mkdtemp(prefix="runner-test-")
        self.addCleanup(_remove, tmpdir)
        cfg = Path(tmpdir) / "grub.cfg"
        cfg.write_text(self.ECHO_INPUT)
        terminal, tty = os.openpty()
        self.addCleanup(os.close, terminal)
        runner = subprocess.Popen(cli_command("run", "--grub-cfg", str(cfg), "--timeout", "60"),
                                  env=cli_environment(tmpdir), stdin=tty, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        os.close(tty)
        self.addCleanup(runner.kill)
        stdout = _Reader(runner.stdout.fileno())
        # The prompt has no newline yet, and still shows.
        self.assertTrue(stdout.read_until(b"echo-input: ready\necho-input> ", 30), stdout.data)
        os.write(terminal, b"typed on the host\n")
        self.assertTrue(stdout.read_until(b"echo-input> typed on the host\necho-input: got 'typed on the host'\n", 30),
                        stdout.data)
        os.write(terminal, b"exit 6\r")  # Enter as a serial terminal sends it
        self.assertEqual(runner.wait(timeout=60), 6, runner.stderr.read())
        self.assertTrue(stdout.read_until(b"echo-input: got 'exit 6'\n", 5), stdout.data)
        runner.stdout.close()
        runner.stderr.close()


class _Reader:
    """Reads a pipe as data arrives, without waiting for whole lines."""

    def __init__(self, fd: int):
        self.fd = fd
        self.data = b""

    def read_until(self, wanted: bytes, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while wanted not in self.data:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
                return False
            chunk = os.read(self.fd, 4096)
            if not chunk:
                return False
            self.data += chunk
        return True


if __name__ == "__main__":
    unittest.main()
