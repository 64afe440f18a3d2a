"""`bootchain graph`: the chain drawn from the same reading as `bootchain check`."""
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from bootchain import graph, paths

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"


class Graph(unittest.TestCase):
    def test_dot_of_the_hurds_entry(self):
        dot = graph.dot_of_file(HERE / "hurd_amd64.cfg", paths.modules_dir())
        for expected in ('link0 [label="1. pci-arbiter\\n/hurd/pci-arbiter.static"',
                         'link3 [label="4. exec\\n/lib/ld-x86-64.so.1"',
                         'kernel -> link0 [label="task-resume"',
                         'kernel -> link0 [label="--host-priv-port: the privileged host port"',
                         'link0 -> link1 [label="--next-task=${disk-task}: rumpdisk\'s task port;',
                         'link3 -> link2 [label="exec\'s bootstrap port: ext2fs\'s',
                         'root2 [shape=cylinder, label="root: part:2:device:wd0\\n-> wd0s2"'):
            self.assertIn(expected, dot)
        # A link nothing resumes is drawn as such.
        broken = graph.dot_of_file(CORPUS / "never_resumed.cfg", paths.modules_dir())
        self.assertIn('link1 [label="never resumed: rumpdisk', broken)

    def test_svg_with_dot(self):
        if not shutil.which("dot"):
            self.skipTest("Graphviz's dot is not installed (scripts/setup installs it)")
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "chain.svg"
            run = subprocess.run([sys.executable, "-m", "bootchain", "graph", str(paths.default_grub_cfg()),
                                  "-o", str(out)], capture_output=True, text=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertIn("<svg", out.read_text())
            self.assertIn("rumpdisk", out.read_text())


if __name__ == "__main__":
    unittest.main()
