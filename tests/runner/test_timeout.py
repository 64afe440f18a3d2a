"""The timeout stops QEMU with status 124, within moments of the time given."""
import time
import unittest

from bootchain.machine import BootError, Machine
from support import alive, module, module_cfg, start_runner

HANG = module_cfg(module("hang"))


class CliTimeoutTests(unittest.TestCase):
    def finish(self, runner):
        stdout, stderr = runner.communicate(timeout=60)
        return runner.returncode, stdout, stderr

    def test_timeout_stops_qemu_with_124(self):
        started = time.monotonic()
        runner, pid = start_runner(self, HANG, "--timeout", "20", ready="hang: waiting forever")
        code, stdout, stderr = self.finish(runner)
        elapsed = time.monotonic() - started
        self.assertEqual(code, 124, stderr)
        self.assertEqual(stderr.strip(), "bootchain: timed out after 20 s; QEMU stopped")
        # The console kept streaming until the timeout.
        self.assertIn("hang: tick 1", stdout)
        # Stopped at the timeout, not long after it (loose: a loaded machine is slow to start).
        self.assertLess(elapsed, 45)
        self.assertFalse(alive(pid), "QEMU is still running after the timeout")


class ApiTimeoutTests(unittest.TestCase):
    def test_timeout_is_124(self):
        # The guest must have run before the timeout stops it; on a loaded machine the boot
        # alone can take seconds, so the timeout leaves room for it.
        start = time.monotonic()
        with Machine(grub_cfg=HANG, timeout=20) as m:
            m.expect("hang: tick 1")
            self.assertEqual(m.wait(), 124)
            self.assertEqual(m.message, "timed out after 20 s; QEMU stopped")
            pid = m.qemu_pid
        self.assertLess(time.monotonic() - start, 45)
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
