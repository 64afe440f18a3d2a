"""The command line: help, bad arguments and QEMU failing to start are status 2 with a clear
message; ./bootchain itself sets up, builds and runs the CLI."""
import subprocess
import unittest

from support import ROOT, exit_with, module_cfg, run_cli

CFG = module_cfg(exit_with("--status=0"))


class HelpTests(unittest.TestCase):
    def test_run_help_documents_statuses_and_options(self):
        run = run_cli(self, "run", "--help")
        self.assertEqual(run.returncode, 0)
        for text in ("--machine", "--disk IMAGE", "--grub-cfg FILE", "--append KERNEL-ARGS",
                     "--timeout SECONDS", "(default: 300)", "124", "125", "126", "status the guest chose"):
            self.assertIn(text, run.stdout)

    def test_no_command(self):
        run = run_cli(self)
        self.assertEqual(run.returncode, 2)
        self.assertIn("usage: bootchain", run.stderr)

    def test_wrapper_script(self):
        # ./bootchain runs scripts/setup and the build (both quick once done) before the CLI.
        result = subprocess.run([str(ROOT / "bootchain"), "--help"], capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("usage: bootchain", result.stdout)
        self.assertIn("exit status:", result.stdout)
        self.assertEqual(result.stderr, "")


class BadArgumentTests(unittest.TestCase):
    def test_unknown_machine(self):
        run = run_cli(self, "run", "--machine", "isapc")
        self.assertEqual(run.returncode, 2)
        self.assertIn("invalid choice: 'isapc'", run.stderr)

    def test_bad_timeout(self):
        run = run_cli(self, "run", "--timeout", "soon")
        self.assertEqual(run.returncode, 2)
        self.assertIn("not a number of seconds: 'soon'", run.stderr)

    def test_missing_grub_cfg(self):
        run = run_cli(self, "run", "--grub-cfg", "/nonexistent/grub.cfg")
        self.assertEqual(run.returncode, 2)
        self.assertEqual(run.stderr, "bootchain: the grub.cfg /nonexistent/grub.cfg does not exist\n")

    def test_qemu_cannot_start(self):
        # Far more memory than QEMU can reserve: QEMU stops before the guest runs.
        run = run_cli(self, "run", "--memory", str(1 << 40), grub_cfg=CFG)
        self.assertEqual(run.returncode, 2, run.stdout)
        self.assertRegex(run.stderr, r"^bootchain: QEMU could not start \(status \d+\): .*qemu-system-x86_64: ")
        self.assertEqual(run.stdout, "")


if __name__ == "__main__":
    unittest.main()
