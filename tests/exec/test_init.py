"""exec starts /sbin/init (or --init=PATH) once it serves, and ends the boot with init's end:
a good init's exit status, a crashed init's 64 + exception, and a sentence and status 1 when
init cannot be started at all."""
import unittest

from exec_support import ExecTest


class Init(ExecTest):
    def test_default_init_runs_and_its_status_ends_the_boot(self):
        status, out = self.boot(self.disk())
        self.assertIn("hello: argv[0]=</sbin/init>", out)
        self.assertIn("hello: startup ok: 3 descriptors (kinds 1 1 1), 6 ports", out)
        self.assertIn("boot: power-off by exec with status 0", out)
        self.assertEqual(status, 0)

    def test_init_from_the_kernel_command_line(self):
        status, out = self.boot(self.disk(), append="init=/bin/hello")
        self.assertIn("hello: argv[0]=</bin/hello>", out)
        # init's environment carries the kernel's command line.
        self.assertRegex(out, r"hello: envp\[0\]=<MULTIBOOT_CMDLINE=.*init=/bin/hello.*>")
        self.assertEqual(status, 0)

    def test_exec_option_wins_over_the_kernel_command_line(self):
        status, out = self.boot(self.disk(), "--init=/sbin/init", append="init=/bin/nothing")
        self.assertIn("hello: argv[0]=</sbin/init>", out)
        self.assertEqual(status, 0)

    def test_missing_init(self):
        status, out = self.boot(self.disk(), "--init=/sbin/nothing")
        self.assertIn("boot: exec ready", out)
        self.assertIn("exec: cannot start /sbin/nothing: no such file or directory (FS_ENOENT)", out)
        self.assertEqual(status, 1)

    def test_init_is_a_text_file(self):
        status, out = self.boot(self.disk(), "--init=/bin/script")
        self.assertIn("exec: cannot start /bin/script: not an executable: the file does not start with the "
                      "ELF magic number (NotElf)", out)
        self.assertEqual(status, 1)

    def test_init_without_an_x_bit(self):
        status, out = self.boot(self.disk(), "--init=/etc/motd")
        self.assertIn("exec: cannot start /etc/motd: permission denied (FS_EACCES)", out)
        self.assertEqual(status, 1)

    def test_init_is_32_bit(self):
        status, out = self.boot(self.disk(), "--init=/bin/elf32")
        self.assertIn("exec: cannot start /bin/elf32: wrong class: the file is a 32-bit ELF", out)
        self.assertEqual(status, 1)

    def test_init_crashes(self):
        def crashing_init(tree):
            (tree / "bin/crash-on-start").write_bytes((tree / "bin/hello").read_bytes())
            (tree / "bin/crash-on-start").chmod(0o755)
        # hello crashes when its name says so (argv[0] is init's path).
        status, out = self.boot(self.disk(crashing_init), "--init=/bin/crash-on-start")
        self.assertRegex(out, r"exec: init crashed: EXC_BAD_ACCESS")
        self.assertEqual(status, 65, "64 + EXC_BAD_ACCESS")


if __name__ == "__main__":
    unittest.main()
