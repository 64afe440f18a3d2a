"""`make run` as a person runs it: at a terminal (a pseudo-terminal here) the boot trace, the
motd, the boot profile and a prompt, typed lines answered, Ctrl-C cancelling a line, and `exit
N` ending the run with N (make says "Error N" and ends with its own 2); without a terminal, /etc/rc and its status. The disk is made from the
repository's rootfs/ and the programs of the build under test."""
import os
import pty
import re
import select
import subprocess
import time
import unittest

from bootchain import paths

TIMEOUT = 240


def make_run(stdin, stdout, stderr):
    build = paths.build_dir()
    return subprocess.Popen(["make", "-s", "run", f"BUILD={build}"], cwd=paths.ROOT, stdin=stdin, stdout=stdout,
                            stderr=stderr, env=dict(os.environ, BOOTCHAIN_BUILD_DIR=str(build)),
                            start_new_session=True)


class Terminal:
    """The master side of a pseudo-terminal: what the program printed, and typing."""

    def __init__(self, fd: int):
        self.fd = fd
        self.text = ""
        self.cursor = 0

    def expect(self, pattern: str, timeout: float = 60) -> re.Match:
        regex = re.compile(pattern, re.M)
        end = time.monotonic() + timeout
        while True:
            match = regex.search(self.text, self.cursor)
            if match:
                self.cursor = match.end()
                return match
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"/{pattern}/ did not appear within {timeout} s; the terminal shows:\n"
                                     + self.text[-3000:])
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    raise AssertionError(f"the terminal closed before /{pattern}/; it shows:\n" + self.text[-3000:])
                self.text += data.decode(errors="replace").replace("\r", "")

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())


class MakeRun(unittest.TestCase):
    def test_without_a_terminal_rc_runs_and_its_status_ends_the_run(self):
        run = make_run(subprocess.DEVNULL, subprocess.PIPE, subprocess.STDOUT)
        out, _ = run.communicate(timeout=TIMEOUT)
        text = out.decode(errors="replace")
        self.assertEqual(run.returncode, 0, text[-3000:])
        self.assertIn("rc: the root filesystem is up", text)
        self.assertIn("init: /etc/rc ended with status 0", text)
        self.assertNotIn("Welcome to bootchain", text, "no motd without a terminal")

    def test_at_a_terminal_a_person_gets_a_prompt(self):
        master, slave = pty.openpty()
        run = make_run(slave, slave, slave)
        os.close(slave)
        try:
            term = Terminal(master)
            term.expect(r"^boot: exec ready$", TIMEOUT)
            term.expect(r"^Welcome to bootchain")
            term.expect(r"^  first prompt +\d+")
            term.expect(r"bootchain:/# $")
            term.type("cat /home/guest/README\r")
            term.expect(r"^A sample file in the guest's home")
            term.expect(r"bootchain:/# $")
            # Ctrl-C reaches the shell, which cancels the line; the run goes on.
            term.type("echo not-run\x03")
            term.expect(r"\^C\n")
            term.expect(r"bootchain:/# $")
            term.type("exit 3\r")
            term.expect(r"^boot: power-off by exec with status 3$")
            # make itself ends with 2 when a recipe fails, and names the recipe's status.
            self.assertEqual(run.wait(timeout=60), 2)
            term.expect(r"\] Error 3$", 10)
            self.assertNotIn("\nnot-run\n", term.text)
        finally:
            if run.poll() is None:
                os.killpg(run.pid, 15)
                run.wait()
            os.close(master)


if __name__ == "__main__":
    unittest.main()
