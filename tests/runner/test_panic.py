"""A kernel panic is a failure of its own (125), found on the console and acted on at once;
a guest that reboots or halts without choosing a status is 126."""
import time
import unittest

from bootchain.machine import BootError, Machine
from support import alive, exit_with, module_cfg, run_cli

# ${nosuch} is defined nowhere: the kernel's boot script fails and the kernel panics.
UNDEFINED = module_cfg(exit_with("--status=0", "--x='${nosuch}'"))


class PanicTests(unittest.TestCase):
    def test_cli_missing_symbol(self):
        # The runner would refuse it before booting (bootchain check): --no-check boots it anyway.
        run = run_cli(self, "run", "--no-check", "--timeout", "60", grub_cfg=UNDEFINED)
        self.assertEqual(run.returncode, 125, run.stderr)
        self.assertEqual(run.stderr, "bootchain: kernel panic: bootstrap script missing symbol 'nosuch'\n")
        self.assertIn("panic ../kern/bootstrap.c", run.stdout)
        # The runner stops QEMU at the panic line, long before the 60 s timeout (the bound is
        # loose because a loaded machine can take many seconds just to boot).
        self.assertLess(run.seconds, 40)

    def test_api_expect_fails_on_panic(self):
        start = time.monotonic()
        with Machine(grub_cfg=UNDEFINED, timeout=60) as m:
            pid = m.qemu_pid
            with self.assertRaises(BootError) as caught:
                m.expect("power-off by exit-with")
            self.assertEqual(caught.exception.status, 125)
            self.assertIn("kernel panic before /power-off by exit-with/ appeared: "
                          "bootstrap script missing symbol 'nosuch'", str(caught.exception))
            self.assertEqual(m.wait(), 125)
            self.assertEqual(m.message, "kernel panic: bootstrap script missing symbol 'nosuch'")
        self.assertLess(time.monotonic() - start, 40)
        self.assertFalse(alive(pid))


class NoStatusTests(unittest.TestCase):
    def test_reboot_without_status(self):
        run = run_cli(self, "run", "--timeout", "60", grub_cfg=module_cfg(exit_with("--reboot")))
        self.assertEqual(run.returncode, 126, run.stderr)
        self.assertEqual(run.stderr, "bootchain: the guest rebooted without choosing a status\n")

    def test_halt_without_status(self):
        with Machine(grub_cfg=module_cfg(exit_with("--halt")), timeout=60) as m:
            self.assertEqual(m.wait(), 126)
            self.assertEqual(m.message, "the guest halted without choosing a status")


if __name__ == "__main__":
    unittest.main()
