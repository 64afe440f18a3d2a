#!/usr/bin/env python3
"""Runs clang-tidy with the root .clang-tidy on every C++ source file of the tree, in parallel.

The compile commands come from the build (CMAKE_EXPORT_COMPILE_COMMANDS); the few GCC-only
flags of the guest's build are dropped for clang, and each file is checked once (the guest's
command where it is built for both). Exit status 0 when no check fires, 1 when one does, 2 when
clang-tidy or the build's commands are missing.

    tests/lint/clang_tidy.py BUILD_DIR [FILE ...]
"""
import concurrent.futures
import json
import os
import shlex
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Flags GCC knows and clang does not; dropping them changes nothing the checks look at.
GCC_ONLY = {"-fno-tree-loop-distribute-patterns", "-Wno-maybe-uninitialized"}


def commands(build):
    path = os.path.join(build, "compile_commands.json")
    with open(path) as f:
        entries = json.load(f)
    chosen = {}
    for e in entries:
        source = os.path.realpath(e["file"])
        if not source.endswith(".cpp") or not source.startswith(ROOT + "/") or "/build" in source[len(ROOT):]:
            continue
        words = [w for w in shlex.split(e["command"]) if w not in GCC_ONLY]
        # The guest's command (freestanding) wins: it is the code that boots.
        if source not in chosen or "-ffreestanding" in words:
            chosen[source] = {"directory": e["directory"], "file": source, "arguments": words}
    return chosen


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    build = os.path.abspath(sys.argv[1])
    tidy = shutil.which("clang-tidy")
    if not tidy:
        print("clang-tidy: not installed (scripts/setup installs it)", file=sys.stderr)
        return 2
    try:
        chosen = commands(build)
    except OSError as e:
        print(f"clang-tidy: no compile commands in {build}: {e}", file=sys.stderr)
        return 2
    lint_dir = os.path.join(build, "lint")
    os.makedirs(lint_dir, exist_ok=True)
    with open(os.path.join(lint_dir, "compile_commands.json"), "w") as f:
        json.dump(list(chosen.values()), f)
    files = [os.path.realpath(p) for p in sys.argv[2:]] or sorted(chosen)

    def run(source):
        r = subprocess.run([tidy, "-p", lint_dir, "--quiet", source], capture_output=True, text=True)
        findings = [l for l in r.stdout.splitlines() if ": error: " in l or ": warning: " in l]
        return source, r.returncode, findings, r.stdout + r.stderr

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for source, code, findings, output in pool.map(run, files):
            if code != 0:
                failed += 1
                print(output.strip() if not findings else "\n".join(findings))
    print(f"clang-tidy: {len(files)} files, {failed} with findings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
