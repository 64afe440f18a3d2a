"""Broken chains give a clear console error and a non-zero status within the timeout."""
import re
import unittest

from bootchain import status
from bootchain.machine import Machine

from support import WithRootDisk, edit_line, replace_line, seed_cfg

LINK_FAILED = 1
NEXT_LINK_DIED = 3


class BrokenChain(WithRootDisk):
    def boot(self, cfg: str, timeout: float = 60) -> Machine:
        m = Machine(grub_cfg=cfg, disks=[self.disk], timeout=timeout)
        self.addCleanup(m.close)
        m.start()
        return m

    def test_hand_off_option_without_value(self):
        m = self.boot(edit_line(seed_cfg(), "pci-arbiter", "--disk-server-task='${disk-task}'",
                                "--disk-server-task= '${disk-task}'"))
        m.expect(r"(?:^|: )boot: pci-arbiter failed: option '--disk-server-task' needs a value$")
        self.assertEqual(m.wait(), LINK_FAILED)

    def test_hand_off_option_with_a_bad_port_name(self):
        # rumpdisk is the second link: its console comes through the arbiter, so its own
        # error is readable too.
        m = self.boot(edit_line(seed_cfg(), "rumpdisk", "--fs-server-task='${fs-task}'",
                                "--fs-server-task=77 '${fs-task}'"))
        m.expect(r"^boot: rumpdisk failed: --fs-server-task=77 does not name a task port of this task$")
        self.assertEqual(m.wait(), LINK_FAILED)

    def test_hand_off_option_that_is_not_a_number(self):
        m = self.boot(edit_line(seed_cfg(), "ext2fs", "--exec-server-task='${exec-task}'",
                                "--exec-server-task=exec '${exec-task}'"))
        m.expect(r"^boot: ext2fs failed: option '--exec-server-task': 'exec' is not a number$")
        self.assertEqual(m.wait(), LINK_FAILED)

    def test_next_task_missing_from_the_script(self):
        # The kernel itself refuses a script naming a task no line creates; the runner reports
        # the panic that follows.
        m = self.boot(replace_line(seed_cfg(), "ext2fs", None))
        self.assertEqual(m.wait(), status.PANIC)
        self.assertIn("missing symbol 'fs-task'", m.message)

    def test_first_link_without_a_next_task(self):
        m = self.boot(edit_line(seed_cfg(), "pci-arbiter", "--disk-server-task='${disk-task}' ", ""))
        m.expect(r"(?:^|: )boot: pci-arbiter failed: no next task \(--disk-server-task or --next-task\) "
                 r"and no bootstrap port")
        self.assertEqual(m.wait(), LINK_FAILED)

    def test_unknown_option_on_a_later_link(self):
        m = self.boot(edit_line(seed_cfg(), "exec", "'$(exec-task", "--frobnicate '$(exec-task"))
        m.expect(r"^boot: exec failed: unknown option '--frobnicate'$")
        # The way down is orderly: the filesystem above exec is put away before the power-off.
        m.expect(r"^ext2fs: wd0s1 is clean; serving it read-only$")
        m.expect(r"^boot: power-off by exec with status 1$")
        self.assertEqual(m.wait(), LINK_FAILED)

    def test_next_link_crashes(self):
        m = self.boot(replace_line(seed_cfg(), "exec", "/boot/crash crash --how=fault '$(exec-task=task-create)'"))
        m.expect(r"^boot: ext2fs failed: the next link crash crashed: EXC_BAD_ACCESS .* at pc 0x[0-9a-f]+$")
        m.expect(r"^ext2fs: wd0s1 is clean; serving it read-only$")
        self.assertEqual(m.wait(), NEXT_LINK_DIED)

    def expect_given_up(self, m: Machine, link: str, last_fault: str) -> None:
        """rumpdisk's place is restarted (chain/policy.h): a link that fails at every start is
        restarted 5 times, each after its back-off (100 ms doubling: 3.1 s in all), then given up
        with its last fault, and the chain goes down with NEXT_LINK_DIED."""
        for restart in range(1, 6):
            m.expect(rf"(?:^|: )boot: pci-arbiter restarted {link} \(restart {restart}, at most 5 a minute\), "
                     r"\d+ ms after it failed$")
        m.expect(rf"(?:^|: )boot: pci-arbiter failed: the next link {link} failed again after 5 restarts within a "
                 rf"minute and is given up; its last fault: {last_fault}$")
        self.assertEqual(m.wait(), NEXT_LINK_DIED)
        self.assertEqual(len(re.findall(rf"restarted {link} ", m.output)), 5, "no restart storm")

    def test_driver_that_faults_at_every_start_is_given_up(self):
        # rumpdisk's test hook: every instance faults before it serves.
        m = self.boot(edit_line(seed_cfg(), "rumpdisk", "--fs-server-task", "--fault-at-start --fs-server-task"))
        self.expect_given_up(m, "rumpdisk", r"crashed: EXC_BAD_ACCESS .* at pc 0x[0-9a-f]+")

    def test_next_link_ends(self):
        m = self.boot(replace_line(seed_cfg(), "rumpdisk", "/boot/crash crash --how=exit '$(disk-task=task-create)'"))
        self.expect_given_up(m, "crash", "ended")


if __name__ == "__main__":
    unittest.main()
