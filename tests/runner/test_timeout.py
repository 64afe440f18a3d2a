"""The timeout stops QEMU with status 124, and no path out of the runner leaves QEMU behind:
the timeout, SIGTERM, Ctrl-C (SIGINT), the runner being killed outright, an API user's exception."""
import signal
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from bootchain.machine import BootError, Machine
from support import _remove, alive, cli_command, cli_environment, module, module_cfg, qemu_pids

HANG = module_cfg(module("hang"))


class CliTimeoutTests(unittest.TestCase):
    def start_runner(self, *args):
        """Starts `bootchain run` on the hang module; returns the runner and its QEMU's pid once
        the module's first line has arrived on the runner's stdout."""
        tmpdir = tempfile.mkdtemp(prefix="runner-test-")
        self.addCleanup(_remove, tmpdir)
        cfg = Path(tmpdir) / "grub.cfg"
        cfg.write_text(HANG)
        runner = subprocess.Popen(cli_command("run", "--grub-cfg", str(cfg), *args), env=cli_environment(tmpdir),
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        self.addCleanup(runner.kill)
        self.started = time.monotonic()
        seen = []
        for line in runner.stdout:  # arrives while the guest runs: the console is streamed
            seen.append(line)
            if "hang: waiting forever" in line:
                break
        else:
            self.fail(f"the hang module's line never came; runner said: {''.join(seen)}{runner.stderr.read()}")
        pids = qemu_pids(tmpdir)
        self.assertEqual(len(pids), 1, f"expected one QEMU process naming {tmpdir}")
        self.assertTrue(alive(pids[0]))
        return runner, pids[0]

    def finish(self, runner):
        stdout, stderr = runner.communicate(timeout=60)
        return runner.returncode, stdout, stderr

    def test_timeout_stops_qemu_with_124(self):
        runner, pid = self.start_runner("--timeout", "5")
        code, stdout, stderr = self.finish(runner)
        elapsed = time.monotonic() - self.started
        self.assertEqual(code, 124, stderr)
        self.assertEqual(stderr.strip(), "bootchain: timed out after 5 s; QEMU stopped")
        self.assertIn("hang: tick 2", stdout)
        self.assertLess(elapsed, 10)
        self.assertFalse(alive(pid), "QEMU is still running after the timeout")

    def test_sigterm_stops_qemu(self):
        runner, pid = self.start_runner("--timeout", "60")
        runner.send_signal(signal.SIGTERM)
        code, _, stderr = self.finish(runner)
        self.assertEqual(code, 143, stderr)
        self.assertIn("terminated by signal 15; QEMU stopped", stderr)
        self.assertFalse(alive(pid), "QEMU is still running after SIGTERM to the runner")

    def test_ctrl_c_stops_qemu(self):
        runner, pid = self.start_runner("--timeout", "60")
        runner.send_signal(signal.SIGINT)
        code, _, stderr = self.finish(runner)
        self.assertEqual(code, 130, stderr)
        self.assertIn("interrupted; QEMU stopped", stderr)
        self.assertFalse(alive(pid), "QEMU is still running after Ctrl-C to the runner")

    def test_runner_killed_outright_takes_qemu_along(self):
        runner, pid = self.start_runner("--timeout", "60")
        runner.kill()
        runner.communicate()
        deadline = time.monotonic() + 5
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(pid), "QEMU outlived a runner killed with SIGKILL")


class ApiTimeoutTests(unittest.TestCase):
    def test_timeout_is_124(self):
        start = time.monotonic()
        with Machine(grub_cfg=HANG, timeout=4) as m:
            self.assertEqual(m.wait(), 124)
            self.assertEqual(m.message, "timed out after 4 s; QEMU stopped")
            self.assertIn("hang: tick 1", m.output)
            pid = m.qemu_pid
        self.assertLess(time.monotonic() - start, 9)
        self.assertFalse(alive(pid))

    def test_expect_timeout_and_exception_in_with_block(self):
        with self.assertRaises(BootError) as caught:
            with Machine(grub_cfg=HANG, timeout=60) as m:
                pid = m.qemu_pid
                m.expect("hang: waiting forever", timeout=30)
                m.expect("never printed", timeout=1.5)
        self.assertIn("/never printed/ did not appear within 1.5 s", str(caught.exception))
        # The message ends with the console's last lines.
        self.assertIn("hang: waiting forever", str(caught.exception))
        self.assertFalse(alive(pid), "leaving the with block did not stop QEMU")


if __name__ == "__main__":
    unittest.main()
