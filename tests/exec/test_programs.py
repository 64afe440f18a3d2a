"""exec runs programs from the root filesystem: exec-tester, as init, asks it to run good and
bad programs and checks every answer; the console and the disk show what the programs did."""
import re
import unittest

from bootchain import image

from exec_support import ExecTest

# exec-tester's checks, by their sentences: each must pass (and the count says all ran).
EXPECTED_CHECKS = 79


class ExecTester(ExecTest):
    def test_exec_tester(self):
        disk = self.disk()
        status, out = self.boot(disk, "--init=/bin/exec-tester")
        self.assertNotIn("exec-tester: FAIL", out)
        m = re.search(r"^exec-tester: (\d+) checks, (\d+) failed$", out, re.M)
        self.assertIsNotNone(m, "exec-tester did not finish")
        self.assertEqual(int(m.group(2)), 0)
        self.assertEqual(int(m.group(1)), EXPECTED_CHECKS, "every check of exec-tester ran")
        self.assertEqual(status, 0, "exec powers off with init's status")
        self.assertIn("boot: power-off by exec with status 0", out)
        # A program has its starter's identity (exec_types.h), whatever ports it leaves null.
        for sentence in ["a null root is exec's root as the starter's read-only uid 1000 cwd",
                         "a null root is exec's root as the read-only uid 1000 directory of exec_exec_path",
                         "a request without directory ports gives nobody's read-only root",
                         "exec's own port as the cwd lends no identity",
                         "a root starter's writable cwd gives root's writable root"]:
            self.assertIn("exec-tester: PASS " + sentence, out)

        # The chain came up in order and exec started init after it was ready.
        order = ["boot: ext2fs ready", "boot: exec uses bootstrap port for fs", "boot: exec ready",
                 "exec-tester: started; exec port given"]
        positions = [out.find(line) for line in order]
        self.assertTrue(all(p >= 0 for p in positions) and positions == sorted(positions), positions)

        # What the programs printed: argv with an empty word and a space, envp, the current
        # directory of a relative start, start-up information.
        for line in ["hello: argc=4", "hello: argv[0]=<hello>", "hello: argv[1]=<two words>",
                     "hello: argv[2]=<>", "hello: argv[3]=<--status=42>",
                     "hello: envp[0]=<HOME=/>", "hello: envp[1]=<TERM=dumb>",
                     "hello: cat etc/motd: welcome to the exec test disk",
                     "hello: cat note.txt: a note in /data"]:
            self.assertRegex(out, re.compile("^" + re.escape(line) + "$", re.M))
        self.assertRegex(out, r"hello: startup ok: 3 descriptors \(kinds 1 1 1\), 6 ports")
        self.assertNotIn("startup BAD", out)
        # Hostile program files are refused at once, each with lib/elf's sentence.
        too_large = "too large: the program's loadable segments need more than 1 GiB of memory"
        for what, name, sentence in [
                ("a PT_LOAD of 127 TiB", "ImageTooLarge", too_large),
                ("a PT_LOAD of 4 KiB in the file and 64 TiB in memory", "ImageTooLarge", too_large),
                ("16 PT_LOADs of 80 MiB each", "ImageTooLarge", too_large),
                ("overlapping PT_LOADs of 500 MiB", "SegmentsOverlap", "bad segments: two loadable segments overlap"),
                ("a PT_LOAD in the kernel's half", "SegmentOutsideUserSpace",
                 "bad segment: a segment lies outside the user address space (below 0x800000000000)")]:
            self.assertIn(f"exec-tester: PASS {what} is refused with {name} (got {name}: {sentence})", out)
            self.assertRegex(out, re.escape(f"exec-tester: PASS {what} is refused within 2 s (took ") + r"\d+ ms\)")
        # A client that never answers, or whose port's queue is full, costs its own request
        # exec's bound, and another request is served meanwhile; the programs whose reply was
        # lost left no entry (the share test after them passed).
        for check in ["a directory that never answers is MACH_RCV_TIMED_OUT",
                      "and gave up on it (dir_lookups waited for: 0, given up: 1)",
                      "a request sent while another waits on a silent directory ends with how 0 status 11",
                      "a third request while two wait on the client's port is EXEC_E_BUSY (got EXEC_E_BUSY)",
                      "it was served while exec waited on the directory",
                      "a directory with a full queue is MACH_SEND_TIMED_OUT",
                      "a program file with a full queue is MACH_SEND_TIMED_OUT",
                      "a program whose process port got forged no-senders is still known",
                      "603 forged notifications were sent (603)",
                      "70 programs started with their reply lost",
                      "a client's share refuses with EXEC_E_TOO_MANY after 16 programs (got EXEC_E_TOO_MANY after 16)",
                      "another client starts a program meanwhile ends with how 0 status 12"]:
            self.assertIn(f"exec-tester: PASS {check}", out)

        # The crash is reported by exec with the program's name and the fault.
        self.assertRegex(out, r"exec: hello crashed: EXC_BAD_ACCESS \(code 0x[0-9a-f]+, subcode 0x0\) at pc 0x[0-9a-f]+")
        self.assertNotRegex(out, r"boot: \S+ failed")

        # The disk: exec put the filesystem away before the power-off, and the program's
        # descriptor 1 was the file.
        code, report = image.fsck(disk)
        self.assertEqual(code, 0, report)
        written = image.debugfs(disk, "cat /hello-output.txt")
        self.assertIn("hello: argv[2]=<to-a-file>", written)
        self.assertIn("hello: startup ok: 3 descriptors (kinds 1 2 1)", written)


if __name__ == "__main__":
    unittest.main()
