"""The status the guest chooses comes out of the runner, through the API and the command line."""
import unittest

from bootchain.machine import Machine
from support import exit_with, module_cfg, run_cli


class ApiStatusTests(unittest.TestCase):
    def test_status_0(self):
        with Machine(grub_cfg=module_cfg(exit_with("--status=0")), timeout=60) as m:
            self.assertEqual(m.wait(), 0)
            self.assertIsNone(m.message)
            self.assertIn("boot: power-off by exit-with with status 0", m.output)

    def test_status_7(self):
        with Machine(grub_cfg=module_cfg(exit_with("--status=7")), timeout=60) as m:
            m.expect(r"power-off by exit-with with status 7")
            self.assertEqual(m.wait(), 7)


class CliStatusTests(unittest.TestCase):
    def test_status_0(self):
        run = run_cli(self, "run", "--timeout", "60", grub_cfg=module_cfg(exit_with("--status=0")))
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("boot: power-off by exit-with with status 0", run.stdout)
        self.assertEqual(run.stderr, "")

    def test_status_7(self):
        run = run_cli(self, "run", "--timeout", "60", grub_cfg=module_cfg(exit_with("--status=7")))
        self.assertEqual(run.returncode, 7, run.stderr)
        # The console arrives cleaned: no carriage returns, no GRUB escape sequences.
        self.assertIn("\nGNU Mach ", run.stdout)
        self.assertNotIn("\r", run.stdout)
        self.assertNotIn("\x1b", run.stdout)


if __name__ == "__main__":
    unittest.main()
