"""The restart tests of test_restart.py on pc, whose disks are on IDE (a file of its own so that
CTest runs it beside the q35 one)."""
import unittest

import test_restart


class RestartPc(test_restart.RestartQ35):
    machine = "pc"


if __name__ == "__main__":
    unittest.main()
