"""The fuzzer of `bootchain check`'s parsers (GRUB's quoting, GNU Mach's boot-script words, the
options and root specs), which are Python: libFuzzer cannot drive them, and Debian packages no
Python fuzzing engine (atheris). So this is a mutation loop of its own, seeded: it starts from the
clean entries and the corpus of broken ones (tests/check), mutates them (bytes flipped, inserted
or deleted; tokens of both grammars spliced in; lines duplicated, dropped or swapped) and runs
the whole check on each input. The property: every input ends in findings or a clean result,
each finding with a line inside the file and a sentence; nothing raises, nothing hangs (each
input is bounded in time). A failure leaves the input as bootscript_fuzz-crash-N.cfg.

    bootscript_fuzz.py SECONDS [SEED]
"""
import os
import random
import signal
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from bootchain import check, paths  # noqa: E402

TOKENS = ["'", '"', "\\", "\\\n", "$", "${", "}", "$(", ")", "=", "{", "}\n", ";", "#", "\n", " ", "\t",
          "${host-port}", "${device-port}", "${kernel-command-line}", "$(task-create)", "$(task-resume)",
          "$(x-task=task-create)", "${x-task}", "--next-task=", "--readonly", "-T", "typed", "part:2:device:wd0",
          "device:", "part:", "menuentry x {", "module /boot/exec exec", "multiboot /boot/gnumach", "if", "fi",
          "set root=", "$root", "${root}", "--store-type=", "root=", "\x00", "é", "$(a=b=c)"]
PER_INPUT_SECONDS = 5


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def seeds() -> list[str]:
    texts = [paths.default_grub_cfg().read_text(), (ROOT / "tests/check/hurd_amd64.cfg").read_text()]
    texts += [p.read_text() for p in sorted((ROOT / "tests/check/corpus").glob("*.cfg"))]
    return texts


def mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 6)):
        choice = rng.randrange(7)
        pos = rng.randint(0, len(text))
        if choice == 0 and text:
            text = text[:pos] + text[pos + 1:]
        elif choice == 1:
            text = text[:pos] + rng.choice(TOKENS) + text[pos:]
        elif choice == 2 and text:
            i = min(pos, len(text) - 1)
            text = text[:i] + chr(rng.randrange(1, 128)) + text[i + 1:]
        else:
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if choice == 3:
                lines.insert(i, lines[j])
            elif choice == 4 and len(lines) > 1:
                del lines[i]
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


def run_one(text: str, files: dict) -> None:
    lines = text.count("\n") + 1
    try:
        _, findings = check.analyse(text, "fuzz.cfg", files)
    except check.grubcfg.GrubSyntaxError as e:
        assert 1 <= e.line <= lines and e.message, (e.line, e.message)
        return
    for f in findings:
        assert 1 <= f.line <= lines, f"line {f.line} of a {lines}-line file: {f}"
        assert f.sentence and f.sentence[0] != " ", f


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else int(time.time())
    rng = random.Random(seed)
    files = check.medium_files(paths.modules_dir())
    pool = seeds()
    signal.signal(signal.SIGALRM, _alarm)
    end = time.monotonic() + seconds
    runs = 0
    while time.monotonic() < end:
        text = mutate(rng, rng.choice(pool))
        signal.alarm(PER_INPUT_SECONDS)
        try:
            run_one(text, files)
        except (Exception, Hang):
            signal.alarm(0)
            crash = Path(os.getcwd()) / f"bootscript_fuzz-crash-{runs}.cfg"
            crash.write_text(text)
            traceback.print_exc()
            print(f"fuzz: bootscript: input {runs} (seed {seed}) failed; it is in {crash}", file=sys.stderr)
            return 1
        signal.alarm(0)
        runs += 1
        if runs % 50 == 0:
            pool.append(text)  # mutations of mutations reach deeper
    print(f"fuzz: bootscript: {runs} inputs in {seconds:g} s (seed {seed}), from {len(seeds())} seeds; no findings")
    return 0 if runs > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
