"""ISOs built on their own (iso.build_iso), as boot tests with unusual needs may do, and booted
as they are (Machine(iso_image=...))."""
import re
import subprocess
import tempfile
import unittest
from pathlib import Path

from bootchain import iso, paths
from bootchain.machine import Machine
from support import _remove, exit_with, module_cfg


def iso_files(image: Path) -> dict[str, int]:
    """{path: size} of the files in the ISO."""
    listing = subprocess.run(["xorriso", "-indev", str(image), "-find", "/", "-type", "f", "-exec", "lsdl", "--"],
                             capture_output=True, text=True, check=True).stdout
    return {m.group(2): int(m.group(1)) for m in re.finditer(r"^\S+\s+\d+\s+\S+\s+\S+\s+(\d+) .* '(.*)'$", listing, re.M)}


def iso_file_text(image: Path, path: str, into: Path) -> str:
    subprocess.run(["xorriso", "-osirrox", "on", "-indev", str(image), "-extract", path, str(into)],
                   capture_output=True, check=True)
    return into.read_text()


class IsoTests(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="runner-test-"))
        self.addCleanup(_remove, str(self.dir))

    def test_contents(self):
        (self.dir / "note.txt").write_text("extra\n")
        cfg = iso.prepare_grub_cfg(module_cfg(exit_with("--status=12")))
        image = iso.build_iso(cfg, self.dir / "boot.iso", extra_files={"/boot/note.txt": self.dir / "note.txt"})
        files = iso_files(image)
        self.assertEqual(files["/boot/gnumach"], paths.kernel().stat().st_size)
        modules = [m for m in paths.modules_dir().iterdir() if m.is_file()]
        self.assertIn("exit-with", [m.name for m in modules])
        for module in modules:
            self.assertIn(f"/boot/{module.name}", files)
            # Stripped of its debug information (the build has it: RelWithDebInfo).
            self.assertLess(files[f"/boot/{module.name}"], module.stat().st_size, module.name)
        self.assertEqual(files["/boot/note.txt"], 6)
        self.assertEqual(iso_file_text(image, "/boot/grub/grub.cfg", self.dir / "grub.cfg"), cfg)

        with Machine(iso_image=image, timeout=60) as m:
            self.assertEqual(m.wait(), 12)

    def test_missing_kernel(self):
        with self.assertRaisesRegex(iso.IsoError, "the kernel /nonexistent/gnumach is missing"):
            iso.build_iso("", self.dir / "boot.iso", kernel=Path("/nonexistent/gnumach"))


if __name__ == "__main__":
    unittest.main()
