"""rumpdisk faults or hangs once while /etc/rc reads, copies and writes files (q35, AHCI): the
link above restarts it and the script ends as if nothing happened (restart_support.py)."""
import unittest

from restart_support import RestartTest

# Transfers rumpdisk serves before the hook fires: past the boot and init's start (about 40),
# inside the copying.
FAULT_AT = 120


class RestartQ35(RestartTest):
    machine = "q35"

    def test_fault(self):
        status, out = self.boot(f"--fault-after={FAULT_AT}")
        self.check_survived(status, out, "crashed: EXC_BAD_ACCESS")

    def test_hang(self):
        status, out = self.boot(f"--hang-after={FAULT_AT}")
        self.check_survived(status, out, r"hung \(no answer to a health request within 5 s\)")


class RestartFiveLinks(RestartTest):
    """The Hurd's five-link chain: acpi restarts rumpdisk, and the arbiter stops the DMA."""
    machine = "q35"
    five_links = True

    def test_fault(self):
        status, out = self.boot(f"--fault-after={FAULT_AT}")
        self.check_survived(status, out, "crashed: EXC_BAD_ACCESS")


if __name__ == "__main__":
    unittest.main()
