"""The interactive path through the serial console, as `make run` gives it to a person at a
terminal: the runner's bootchain.interactive=1 on the kernel's command line reaches init
(through exec's --multiboot-command-line), which runs /etc/rc, prints the motd and the boot
profile, then the shell on the console. The test types into it: the line editor echoes,
Backspace erases, Ctrl-C cancels a line, and Ctrl-D on an empty line ends the shell, and
init and the machine with the shell's last status."""
import re
import unittest

from support import UserlandTest

PROMPT = r"bootchain:/# $"
STEP = 30  # seconds for the guest to answer what was typed


class Interactive(UserlandTest):
    def test_typing_at_the_prompt(self):
        self.write("etc/rc", "echo rc-ran\n")
        self.write("etc/motd", "motd: welcome to the test disk\n")
        with self.machine(self.system_disk(size_mib=32), append="bootchain.interactive=1") as m:
            m.expect(r"^init: started at \d+ ms; a shell on the console after /etc/rc "
                     r"\(bootchain.interactive=1 on the kernel's command line\)$", timeout=120)
            m.expect(r"^rc-ran$", timeout=STEP)
            m.expect(r"^motd: welcome to the test disk$", timeout=STEP)
            # The boot profile: every link of the chain, then init's own stages.
            m.expect(r"^init: boot profile \(ms since the kernel started\)$", timeout=STEP)
            rows = {}
            for stage, resident in (("pci-arbiter ready", True), ("rumpdisk ready", True), ("ext2fs mounted", True),
                                    ("exec ready", True), ("init started", True), ("/etc/rc done", False),
                                    ("first prompt", False)):
                tail = r" +\d+ +\d+ KiB$" if resident else "$"
                match = m.expect(rf"^  {re.escape(stage)} +(\d+) +\d+{tail}", timeout=STEP)
                rows[stage] = int(match.group(1))
            self.assertEqual(list(rows.values()), sorted(rows.values()), f"stages in time order: {rows}")
            m.expect(PROMPT, timeout=STEP)

            # The console does not echo: the line editor does. Backspace (DEL and ^H) erases.
            m.send("echo abcX\x7fd\x08e\n")
            m.expect(r"^abce$", timeout=STEP)
            m.expect(PROMPT, timeout=STEP)
            # Ctrl-C cancels the line: nothing of it runs.
            m.send("echo cancelled-line\x03")
            m.expect(r"\^C$", timeout=STEP)
            m.expect(PROMPT, timeout=STEP)
            m.send("cd /etc && pwd\r")
            m.expect(r"^/etc$", timeout=STEP)
            m.expect(r"bootchain:/etc# $", timeout=STEP)
            m.send("cat motd; lspci\n")
            m.expect(r"^motd: welcome to the test disk$", timeout=STEP)
            m.expect(r"^00:1f\.2 8086:2922 class 010601 SATA controller \(AHCI\)$", timeout=STEP)
            m.send("ls /nope\n")
            m.expect(r"^ls: /nope: no such file or directory$", timeout=STEP)
            m.expect(r"bootchain:/etc# $", timeout=STEP)
            # Ctrl-D on an empty line: the shell ends with the last status (ls's 1).
            m.send("\x04")
            m.expect(r"^init: the shell ended with status 1$", timeout=STEP)
            status = m.wait()
            out = m.output
        self.assertNotIn("cancelled-line\n", out.replace("echo cancelled-line^C", ""))
        self.assertIn("boot: power-off by exec with status 1", out)
        self.assertEqual(status, 1)


if __name__ == "__main__":
    unittest.main()
