#!/usr/bin/env python3
"""Runs one of the project's libFuzzer targets for a bounded time, from seeds made here, and
fails on any finding, when the fuzzer was not built, or when a seed cannot be made. The targets
are the table below; each one's seeds are made by its seeds_*.py.

    fuzz.py TARGET SECONDS [extra libFuzzer options]

Run in the folder of the fuzzers (build/fuzz): the binary is found there, and a reproducer of a
finding is left there as BINARY-crash-..., BINARY-leak-... and so on.
"""
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seeds_acpi  # noqa: E402
import seeds_elf  # noqa: E402
import seeds_ext2  # noqa: E402
import seeds_partition  # noqa: E402


@dataclass
class Target:
    binary: str  # in the fuzzers' folder
    make_seeds: Callable[[str, str], list]  # (seed folder, scratch folder) -> seed names
    max_len: int  # bytes of one input
    rss_limit_mb: int
    # ASan keeps freed memory in quarantine; libFuzzer's own buffers would otherwise grow
    # towards the RSS limit on a library that allocates much.
    quarantine_mb: int | None = None


TARGETS = {
    "partition": Target("partition_fuzz", seeds_partition.make_seeds, 32768, 512, 32),
    "elf": Target("elf_fuzz", seeds_elf.make_seeds, 16384, 512),
    "acpi": Target("acpi_fuzz", seeds_acpi.make_seeds, 16384, 512),
    "ext2": Target("ext2_fuzz", seeds_ext2.make_seeds, 262144, 1024, 64),
    # The same images with e2fsck -fn as the oracle, before and after each run: fewer executions.
    "ext2_fsck": Target("ext2_fsck_fuzz", seeds_ext2.make_seeds, 262144, 1024, 64),
}

# Targets whose parser is Python (`bootchain check`'s): a mutation loop of their own instead of
# libFuzzer, which cannot drive Python (Debian packages no atheris); see the script's docstring.
PYTHON_TARGETS = {
    "bootscript": "bootscript_fuzz.py",
}


def main():
    if len(sys.argv) >= 3 and sys.argv[1] in PYTHON_TARGETS:
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), PYTHON_TARGETS[sys.argv[1]])
        return subprocess.run([sys.executable, script, *sys.argv[2:]]).returncode
    if len(sys.argv) < 3 or sys.argv[1] not in TARGETS:
        sys.exit(__doc__ + "\ntargets: " + ", ".join([*TARGETS, *PYTHON_TARGETS]))
    target, seconds, extra = TARGETS[sys.argv[1]], sys.argv[2], sys.argv[3:]
    fuzzer = os.path.join(os.getcwd(), target.binary)
    if not os.access(fuzzer, os.X_OK):
        print(f"fuzz: {fuzzer} was not built: clang++ (Debian package clang) with libFuzzer is needed",
              file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix=f"{target.binary}-") as tmp:
        seed_dir, corpus_dir = os.path.join(tmp, "seeds"), os.path.join(tmp, "corpus")
        os.mkdir(seed_dir)
        os.mkdir(corpus_dir)
        seeds = target.make_seeds(seed_dir, tmp)
        command = [fuzzer, f"-max_total_time={seconds}", f"-rss_limit_mb={target.rss_limit_mb}",
                   f"-max_len={target.max_len}", "-timeout=10", "-print_final_stats=1",
                   f"-artifact_prefix={os.getcwd()}/{target.binary}-", corpus_dir, seed_dir] + extra
        print("fuzz:", " ".join(command), flush=True)
        env = dict(os.environ)
        if target.quarantine_mb:
            env.setdefault("ASAN_OPTIONS", f"quarantine_size_mb={target.quarantine_mb}")
        run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             errors="replace", env=env)
    out = run.stdout
    done = re.search(r"Done (\d+) runs in (\d+) second", out)
    units = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
    speed = re.search(r"stat::average_exec_per_sec:\s*(\d+)", out)
    cov = re.findall(r"cov: (\d+) ft: (\d+)", out)
    rss = re.search(r"stat::peak_rss_mb:\s*(\d+)", out)
    if run.returncode != 0 or not done:
        print(out[-20000:])
        print(f"fuzz: the fuzzer failed (status {run.returncode}); a reproducer is in "
              f"{os.getcwd()}/{target.binary}-*", file=sys.stderr)
        return 1
    print(f"fuzz: {target.binary}: {len(seeds)} seeds; {units.group(1) if units else done.group(1)} executions in "
          f"{done.group(2)} s, {speed.group(1) if speed else '?'} per second; "
          f"coverage {cov[-1][0] if cov else '?'} edges, {cov[-1][1] if cov else '?'} features; "
          f"peak RSS {rss.group(1) if rss else '?'} MB; no findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
