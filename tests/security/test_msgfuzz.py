"""The message fuzzer, bounded for `make check`: 10,000 random and mutated messages (after a
warm-up of 1,000) to every port a program reaches in each server, with a fixed seed
(MSGFUZZ_SEED overrides it); msgfuzz_run.py says what must hold afterwards."""
import os
import unittest

import msgfuzz_run

MESSAGES = 10000
SEED = int(os.environ.get("MSGFUZZ_SEED", "20261203"))


class MessageFuzzer(unittest.TestCase):
    def test_servers_survive_messages(self):
        problems, out = msgfuzz_run.run(MESSAGES, 0, SEED)
        self.assertEqual(problems, [], f"seed {SEED}:\n" + "\n".join(problems) + "\n--- console (end) ---\n"
                         + out[-6000:])


if __name__ == "__main__":
    unittest.main()
