"""The seed's chain boots on both machines, and its trace shows the hand-offs in order."""
import re
import unittest


from bootchain.machine import Machine

from support import SEED_TRACE, WithRootDisk, edit_line, seed_cfg


class SeedChain(WithRootDisk):
    def boot_and_follow(self, cfg: str, machine: str, trace=SEED_TRACE) -> Machine:
        # What the chain does once exec is up (runs init) is the exec tests' business: these
        # stop at `boot: exec ready`.
        with Machine(machine=machine, grub_cfg=cfg, disks=[self.disk], timeout=120) as m:
            # Each expect() starts after the previous match: the order is checked too. The first
            # line follows the kernel's "start pci-arbiter: " on the same console line.
            for line in trace:
                m.expect(r"(?:^|: )" + line + "$", timeout=60)
            self.assertNotIn("failed", m.output)
            return m

    def test_q35(self):
        m = self.boot_and_follow(seed_cfg(), "q35")
        # The kernel resumed the first task only; the others were started by the chain.
        self.assertEqual(len(re.findall(r"^start ", m.output, re.M)), 1)

    def test_pc(self):
        self.boot_and_follow(seed_cfg(), "pc")

    def test_next_task_spelling(self):
        # The Hurd's later spelling of all three hand-off options.
        cfg = seed_cfg()
        cfg = edit_line(cfg, "pci-arbiter", "--disk-server-task=", "--next-task=")
        cfg = edit_line(cfg, "rumpdisk", "--fs-server-task=", "--next-task=")
        cfg = edit_line(cfg, "ext2fs", "--exec-server-task=", "--next-task=")
        self.assertNotIn("server-task", cfg)
        self.boot_and_follow(cfg, "q35")

    def test_privileged_ports_on_a_later_link(self):
        # Given the kernel's ports, ext2fs uses them instead of asking its bootstrap port, so it
        # does not open its disk through rumpdisk; the rest of the chain is unchanged.
        cfg = edit_line(seed_cfg(), "ext2fs", "ext2fs --exec-server-task",
                        "ext2fs --host-priv-port='${host-port}' --device-master-port='${device-port}' "
                        "--exec-server-task")
        # Its device master is then the kernel's, which has no wd0: ext2fs says so and the chain
        # ends there, having used the ports it was given and not its bootstrap port.
        with Machine(grub_cfg=cfg, disks=[self.disk], timeout=120) as m:
            self.assertNotEqual(m.wait(), 0)
            self.assertRegex(m.output, re.compile(r"^boot: ext2fs failed: .*wd0s1.*D_NO_SUCH_DEVICE", re.M))
            self.assertNotIn("ext2fs uses bootstrap port", m.output)


if __name__ == "__main__":
    unittest.main()
