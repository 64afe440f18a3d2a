#!/usr/bin/env python3
"""`make powercut`: power cuts of a write-heavy /etc/rc (SIGKILL of QEMU at seeded points, on
q35 and pc in turn), then the failing-write case on q35 and pc. What must hold is in
powercut_support.py. Prints the seed first; the status is 1 if anything failed.

    powercut_run.py [--count N] [--seed N] [--steps N] [--keep]"""
import argparse
import random
import sys

import powercut_support


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10, help="power cuts (default 10)")
    parser.add_argument("--seed", type=int, default=None, help="the seed (default: random, printed)")
    parser.add_argument("--steps", type=int, default=24, help="steps of the script (default 24)")
    parser.add_argument("--keep", action="store_true", help="keep the disks and dumps")
    args = parser.parse_args()
    if args.count < 1 or args.steps < 1:
        parser.error("--count and --steps must be at least 1")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    print(f"powercut: seed {seed} (POWERCUT_SEED={seed} repeats this run), {args.count} cuts of "
          f"{args.steps} steps", flush=True)

    def log(line: str) -> None:
        print(line, flush=True)

    cuts = powercut_support.power_cuts(seed, args.count, args.steps, log=log, keep=args.keep)
    failed = sum(1 for cut in cuts if cut.problems)
    write_errors = 0
    for machine in powercut_support.MACHINES:
        problems = powercut_support.write_error(machine, seed, log=log, keep=args.keep)
        print(f"write error ({machine}): {'passed' if not problems else 'FAILED'}", flush=True)
        for problem in problems:
            print(f"  PROBLEM: {problem}", flush=True)
        write_errors += bool(problems)
    passed = len(cuts) - failed + len(powercut_support.MACHINES) - write_errors
    print(f"powercut: seed {seed}: {passed} passed, {failed + write_errors} failed", flush=True)
    return 1 if failed or write_errors else 0


if __name__ == "__main__":
    sys.exit(main())
