#!/usr/bin/env python3
"""Fails when a C or C++ file of the tree is not as clang-format (the root .clang-format) would
write it, and names each such file with the command that fixes it.

    check_format.py SOURCE_DIR
"""
import shutil
import subprocess
import sys
from pathlib import Path

SUFFIXES = (".c", ".cpp", ".h")
# Not ours to format: what scripts/setup downloads and what the build generates.
SKIP = (".deps/", "build/")


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    tool = shutil.which("clang-format")
    if not tool:
        print("check_format: clang-format is missing (scripts/setup installs the clang-format package)",
              file=sys.stderr)
        return 1
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, text=True)
    if listed.returncode != 0:
        print(f"check_format: cannot list the tree's files: {listed.stderr.strip()}", file=sys.stderr)
        return 1
    files = [f for f in listed.stdout.split() if f.endswith(SUFFIXES) and not f.startswith(SKIP)]
    bad = []
    for name in files:
        if not (root / name).exists():
            continue  # deleted, not yet committed
        run = subprocess.run([tool, "--dry-run", "-Werror", str(root / name)], capture_output=True, text=True)
        if run.returncode != 0:
            bad.append(name)
    if bad:
        print(f"check_format: {len(bad)} of {len(files)} files are not formatted; fix them with", file=sys.stderr)
        print("  clang-format -i " + " ".join(bad), file=sys.stderr)
        return 1
    print(f"check_format: {len(files)} files formatted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
