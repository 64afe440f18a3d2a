#!/usr/bin/env python3
"""The message fuzzer (tests/security/msgfuzz) in a boot: /etc/rc runs msgfuzz, and the console
and the disk are checked afterwards:
  - msgfuzz's last line says every check passed (each server answers its real protocol: a file
    written and read back through ext2fs, a program started by exec, the PCI listing, the
    console opened, wd0's sector 0 read when the disk is reachable) and no FINDING was printed;
  - it sent at least the messages asked for (unless a time limit was given);
  - no link's resident memory grew by more than 64 KiB from the end of the warm-up to the end;
  - no link failed, no panic, power-off by exec with status 0, e2fsck -fn clean.

    msgfuzz_run.py [--messages N] [--seconds S] [--seed N] [--keep]

Used by test_msgfuzz.py (a bounded run in `make check`) and by `make fuzz` (as long as asked)."""
import argparse
import random
import re
import sys

from security_support import WorkDir, boot, end_problems, make_disk

MEMORY_GROWTH_KIB = 64
MEMORY = re.compile(r"^msgfuzz: memory (\S+) start=(\d+) before=(\d+) after=(\d+) KiB$", re.M)
# The links whose memory must be reported (boot_profile_get on the device master).
SERVERS = ("pci-arbiter", "rumpdisk", "ext2fs", "exec")


def rc(messages: int, seconds: int, seed: int, extra: str = "") -> str:
    return ("# the message fuzzer's /etc/rc\n"
            f"msgfuzz --seed={seed} --count={messages} --seconds={seconds}{extra}\n"
            'echo "msgfuzz-end status=$?"\n')


def problems_of(out: str, messages: int, seconds: int) -> list[str]:
    problems = []
    done = re.search(r"^msgfuzz: done: (\d+) messages; (.*)$", out, re.M)
    if not done:
        problems.append("msgfuzz did not finish (no 'msgfuzz: done' line)")
    else:
        if done.group(2) != "all checks passed":
            problems.append("msgfuzz: " + done.group(2) + ": " +
                            "; ".join(re.findall(r"^msgfuzz: check .*FAILED.*$", out, re.M)))
        if not seconds and int(done.group(1)) < messages:
            problems.append(f"only {done.group(1)} messages were sent, not {messages}")
    findings = re.findall(r"^msgfuzz: FINDING: .*$", out, re.M)
    if findings:
        problems.append("findings:\n  " + "\n  ".join(findings))
    grown = []
    reported = set()
    for name, _start, before, after in MEMORY.findall(out):
        reported.add(name)
        if int(before) == 0 or int(after) == 0:
            problems.append(f"no resident memory figure of {name} before or after the run")
        elif int(after) - int(before) > MEMORY_GROWTH_KIB:
            grown.append(f"{name} {before} -> {after} KiB")
    if grown:
        problems.append(f"resident memory grew by more than {MEMORY_GROWTH_KIB} KiB: " + ", ".join(grown))
    missing = [s for s in SERVERS if s not in reported]
    if done and missing:
        problems.append("no memory figures for: " + ", ".join(missing))
    if not re.search(r"^msgfuzz-end status=0$", out, re.M):
        problems.append("msgfuzz did not end with status 0")
    return problems


def run(messages: int, seconds: int, seed: int, keep: bool = False, extra: str = "") -> tuple[list[str], str]:
    """One boot; (the problems found, the console). extra: more words for msgfuzz."""
    work = WorkDir("msgfuzz-")
    try:
        disk = make_disk(work.path, rc(messages, seconds, seed, extra))
        # The boot (~60 s), the run (a few ms per message under TCG, or the seconds), the checks.
        timeout = 300 + (seconds if seconds else messages // 40)
        status, out = boot(disk, timeout)
        problems = problems_of(out, messages, seconds) + end_problems(status, out, disk)
        if keep:
            print(f"msgfuzz_run: the disk is kept in {work.path}")
        return problems, out
    finally:
        if not keep:
            work.remove()


def summary(out: str) -> str:
    return "\n".join(re.findall(r"^(?:msgfuzz: (?!check .*: ok).*|attack.*)$", out, re.M))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=0, help="messages after the warm-up (0: as many as the time allows)")
    parser.add_argument("--seconds", type=int, default=0, help="seconds of fuzzing (0: no limit)")
    parser.add_argument("--seed", type=int, default=None, help="the generator's seed (default: random)")
    parser.add_argument("--keep", action="store_true", help="keep the disk")
    parser.add_argument("--no-hostile-ports", action="store_true",
                        help="no port that never answers where a server calls it")
    parser.add_argument("--honest-complex-bit", action="store_true",
                        help="the complex bit on every message whose body carries rights or memory")
    args = parser.parse_args()
    messages = args.messages or (10 ** 9 if args.seconds else 10000)
    seed = args.seed if args.seed is not None else random.randrange(1, 2 ** 48)
    print(f"msgfuzz_run: seed {seed}, {args.messages or 'unlimited'} messages, time limit {args.seconds or 'none'} s",
          flush=True)
    extra = (" --no-hostile-ports" if args.no_hostile_ports else "") + \
        (" --honest-complex-bit" if args.honest_complex_bit else "")
    problems, out = run(messages, args.seconds, seed, args.keep, extra)
    print(summary(out))
    if problems:
        print("msgfuzz_run: FAILED (seed %d):\n%s" % (seed, "\n".join(problems)), file=sys.stderr)
        print(out[-8000:], file=sys.stderr)
        return 1
    print(f"msgfuzz_run: passed (seed {seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
