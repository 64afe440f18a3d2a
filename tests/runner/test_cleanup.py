"""No way out of the runner leaves QEMU behind: SIGTERM, Ctrl-C (SIGINT), or the runner being
killed outright. (The timeout and an API user's exception: test_timeout.py.)"""
import signal
import time
import unittest

from support import alive, module, module_cfg, start_runner

HANG = module_cfg(module("hang"))


class CleanUpTests(unittest.TestCase):
    def start_runner(self):
        return start_runner(self, HANG, "--timeout", "60", ready="hang: waiting forever")

    def finish(self, runner):
        stdout, stderr = runner.communicate(timeout=60)
        return runner.returncode, stdout, stderr

    def test_sigterm_stops_qemu(self):
        runner, pid = self.start_runner()
        runner.send_signal(signal.SIGTERM)
        code, _, stderr = self.finish(runner)
        self.assertEqual(code, 143, stderr)
        self.assertIn("terminated by signal 15; QEMU stopped", stderr)
        self.assertFalse(alive(pid), "QEMU is still running after SIGTERM to the runner")

    def test_ctrl_c_stops_qemu(self):
        runner, pid = self.start_runner()
        runner.send_signal(signal.SIGINT)
        code, _, stderr = self.finish(runner)
        self.assertEqual(code, 130, stderr)
        self.assertIn("interrupted; QEMU stopped", stderr)
        self.assertFalse(alive(pid), "QEMU is still running after Ctrl-C to the runner")

    def test_runner_killed_outright_takes_qemu_along(self):
        runner, pid = self.start_runner()
        runner.kill()
        runner.communicate()
        deadline = time.monotonic() + 5
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(pid), "QEMU outlived a runner killed with SIGKILL")


if __name__ == "__main__":
    unittest.main()
