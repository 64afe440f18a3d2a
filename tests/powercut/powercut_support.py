"""Power cuts and failing writes (issue 9): the disks, the /etc/rc scripts and the checks shared
by the boot tests of `make check` and by `make powercut` (powercut_run.py).

A power cut: the seed's chain boots a system disk whose /etc/rc writes files, syncs and prints
each file's SHA-256 once its sync returned, and never touches that file again; the host kills
QEMU with SIGKILL at a seeded point (after a chosen step's line appeared, plus a seeded delay).
The disk QEMU writes is a qcow2 overlay over the raw image with cache=writeback (QEMU's
default): QEMU keeps the overlay's metadata for newly written clusters in memory until the guest
flushes, so a write the guest did not flush is lost with QEMU, as with a disk's volatile cache.
Then, on the host: the overlay is flattened to a raw image, `e2fsck -fy` repairs it, a second
`e2fsck -fn` must find it clean, and every file whose hash was printed must read back (debugfs)
with that hash, and every file the image was made with must be intact. Before the kill, QEMU's
own count of the disk's flushes (`info blockstats`) must be at least the number of syncs seen:
each sync reaches the disk as a FLUSH CACHE.

A failing write: QEMU's blkdebug fails every write to the sectors of one file (learnt from a
first boot without faults: allocation is deterministic); the commands that meet the failure must
say so with a non-zero status, ext2fs must mark the filesystem as having errors (the
superblock's EXT2_ERROR_FS, which e2fsck then sees) and serve everything else; after the
power-off, `e2fsck -fy` repairs the image, `e2fsck -fn` finds it clean, and every other file is
intact."""
import hashlib
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bootchain import image
from bootchain.machine import BootError, Machine

BOOT_TIMEOUT = 240  # seconds for one boot under TCG on a loaded machine
STEP_TIMEOUT = 180  # seconds for the step chosen as the cut point to appear
MACHINES = ("q35", "pc")
SECTOR = 512
BLOCK = 4096  # the test disks' ext2 block size
# The cut comes this long at most after its step began. A step (about 1.7 MB written) takes
# 50-200 ms under TCG here, so a cut lands in that step or one of the next few.
MAX_DELAY = 0.3
# Steps of churn after the last checked one, so that a cut after it still meets writes.
TAIL_STEPS = 3

# Source files the scripts copy: their sizes cover a partial block, direct blocks only, the
# single and the double indirect block (4 KiB blocks: past 48 KiB and past 4 MiB).
SOURCE_SIZES = (1500, 12288, 40000, 150000, 700000, 4300000)
HASH_LINE = re.compile(r"^([0-9a-f]{64})  (/\S+)$")


class Tools:
    """The host tools the checks run, found once."""

    @staticmethod
    def path(name: str) -> str:
        found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
        if not found:
            raise AssertionError(f"{name} is missing: scripts/setup installs it")
        return found


def run(argv: list[str], what: str) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, capture_output=True)
    if result.returncode != 0:
        raise AssertionError(f"{what} failed (status {result.returncode}): "
                             f"{(result.stderr or result.stdout).decode(errors='replace').strip()}")
    return result


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the power-cut script ------------------------------------------------------------------------

@dataclass
class Script:
    """An /etc/rc for power cuts and what the host knows of it: the source files, and for each
    checked file (written, synced, hashed, never touched again) the hash of what it holds."""
    rc: str
    sources: dict[str, bytes]
    expected: dict[str, str] = field(default_factory=dict)  # checked file -> SHA-256
    steps: int = 0


def power_cut_script(seed: int, steps: int) -> Script:
    """Each step writes one checked file (a copy of a source, then a line appended), churns
    files that are never checked (copies, appends, truncations, removals, directories made
    and removed), then syncs and prints the checked file's hash. Which sources and sizes: from
    the seed."""
    rng = random.Random(seed)
    sources = {f"/src/s{i}": rng.randbytes(size) for i, size in enumerate(SOURCE_SIZES)}
    names = sorted(sources)
    lines = ["# power cuts (tests/powercut): each checked file is written, synced, then hashed,",
             "# and never touched again; /w/churn is written and never checked",
             "mkdir -p /w/d0 /w/d1 /w/d2 /w/d3 /w/churn",
             "sync"]
    expected = {}
    for i in range(1, steps + 1):
        source = rng.choice(names)
        checked = f"/w/d{i % 4}/f{i}"
        appended = f"line {i} of f{i} seed {seed}"
        expected[checked] = sha256(sources[source] + appended.encode() + b"\n")
        lines += [f'echo "pc step {i}"',
                  f"cp {source} {checked}",
                  f'echo "{appended}" >> {checked}',
                  f"cp {rng.choice(names)} /w/churn/c{i}",
                  f"mkdir /w/churn/dir{i}"]
        if i >= 2:
            lines += [f'echo "more churn {i}" >> /w/churn/c{i - 1}', f"rmdir /w/churn/dir{i - 1}"]
        if i >= 3:
            lines.append(f"truncate -s {rng.randrange(0, 300000)} /w/churn/c{i - 2}")
        if i >= 4:
            lines.append(f"rm /w/churn/c{i - 3}")
        lines += ["sync", f"sha256sum {checked}"]
    # A cut after the last step still meets writes: a tail of churn, never checked. The host
    # kills QEMU at most MAX_DELAY after the last step began, so the machine is still up then.
    for i in range(1, TAIL_STEPS + 1):
        lines += [f"cp {names[-1]} /w/churn/tail{i}", f"cp {names[-2]} /w/churn/tail{i}b",
                  f"rm /w/churn/tail{i}", "sync"]
    lines += ['echo "pc done"', "sleep 5"]
    return Script("\n".join(lines) + "\n", sources, expected, steps)


def system_disk(workdir: Path, rc: str, sources: dict[str, bytes], size_mib: int = 64) -> tuple[Path, Path]:
    """A raw system disk (4 KiB blocks) with /etc/rc and the sources; returns (the image, the
    staged tree it was made from)."""
    tree = workdir / "tree"
    (tree / "etc").mkdir(parents=True, exist_ok=True)
    (tree / "etc/rc").write_text(rc)
    for path, data in sources.items():
        target = tree / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    staged = workdir / "staged"
    image.system_tree(staged, tree)
    disk = image.make_disk(workdir / "disk.img", staged, size_mib=size_mib, block_size=BLOCK)
    return disk, staged


def overlay(base: Path, out: Path) -> Path:
    """A qcow2 overlay whose backing file is the raw image base (left unchanged)."""
    out.unlink(missing_ok=True)
    run([Tools.path("qemu-img"), "create", "-q", "-f", "qcow2", "-b", str(base.resolve()), "-F", "raw", str(out)],
        "qemu-img create")
    return out


def flatten(qcow2: Path, out: Path) -> Path:
    """The disk the overlay and its backing file make, as a raw image."""
    out.unlink(missing_ok=True)
    run([Tools.path("qemu-img"), "convert", "-f", "qcow2", "-O", "raw", str(qcow2), str(out)], "qemu-img convert")
    return out


# -- host checks of an image ---------------------------------------------------------------------

def fsck(disk: Path, repair: bool) -> tuple[int, str]:
    """e2fsck -fy (repair) or -fn on partition 1: (status, report)."""
    result = subprocess.run([Tools.path("e2fsck"), "-fy" if repair else "-fn", image.partition_spec(disk)],
                            capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def dump_tree(disk: Path, out: Path) -> Path:
    """Every file of the filesystem, as debugfs dumps it (rdump), under out."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    run([Tools.path("debugfs"), "-R", f"rdump / {out}", image.partition_spec(disk)], "debugfs rdump")
    return out


def superblock_state(disk: Path) -> int:
    """s_state of partition 1's superblock (bit 1: valid, bit 2: has errors)."""
    with open(disk, "rb") as f:
        f.seek(image.PARTITION_START * SECTOR + 1024 + 58)
        return int.from_bytes(f.read(2), "little")


def tree_problems(staged: Path, dumped: Path, skip: set[str] = frozenset()) -> list[str]:
    """The files of the staged tree that the dump does not hold as they were."""
    problems = []
    for item in sorted(staged.rglob("*")):
        path = "/" + str(item.relative_to(staged))
        if path in skip or item.is_symlink() or not item.is_file():
            continue
        copy = dumped / path.lstrip("/")
        if not copy.is_file():
            problems.append(f"{path} is missing")
        elif copy.read_bytes() != item.read_bytes():
            problems.append(f"{path} differs from what the image was made with")
    return problems


def complete_lines(text: str) -> list[str]:
    """The console's lines that ended (a line being written when QEMU died is left out)."""
    return text.splitlines()[:-1] if not text.endswith("\n") else text.splitlines()


def blockstats_flushes(m: Machine) -> int:
    """QEMU's count of flushes the guest sent to disk 0 (`info blockstats`)."""
    text = m.monitor("info blockstats")
    found = re.search(r"^disk0:.*?\bflush_operations=(\d+)", text, re.M | re.S)
    if not found:
        raise AssertionError(f"no flush count of disk0 in 'info blockstats':\n{text}")
    return int(found.group(1))


# -- one power cut --------------------------------------------------------------------------------

@dataclass
class Cut:
    machine: str
    step: int
    delay: float
    hashed: int = 0          # checked files whose hash was printed before the cut
    after_end: bool = False  # the cut came after the script's last step had ended
    flushes: int = 0         # flushes QEMU counted before the cut
    repaired: int = 0        # e2fsck -fy's status
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.machine}, after step {self.step} + {self.delay:.2f} s"
                f"{' (the script had ended)' if self.after_end else ''}: {self.hashed} files synced and "
                f"hashed, {self.flushes} flushes seen, e2fsck -fy status {self.repaired}"
                + ("" if not self.problems else f"; {len(self.problems)} problems"))


def choose_cuts(seed: int, count: int, steps: int) -> list[Cut]:
    """count cut points from the seed: the machine alternates (q35, pc, ...); the step and the
    delay after its line are drawn."""
    rng = random.Random(seed * 7919 + 1)
    return [Cut(MACHINES[i % len(MACHINES)], rng.randint(1, steps), round(rng.uniform(0.0, MAX_DELAY), 3))
            for i in range(count)]


def power_cut(workdir: Path, base: Path, staged: Path, script: Script, cut: Cut, keep: bool = False) -> Cut:
    """Boots an overlay of base, kills QEMU at the cut, and checks the image (cut.problems)."""
    workdir.mkdir(parents=True, exist_ok=True)
    disk = overlay(base, workdir / "overlay.qcow2")
    with Machine(machine=cut.machine, disks=[disk], timeout=BOOT_TIMEOUT) as m:
        try:
            m.expect(rf"^pc step {cut.step}$", timeout=STEP_TIMEOUT)
        except BootError as e:
            cut.problems.append(f"step {cut.step} never began: {e}")
            return cut
        time.sleep(cut.delay)
        seen = complete_lines(m.output)
        flushes = blockstats_flushes(m)
        m.kill()
        m.wait(30)
    hashes = {}
    for line in seen:
        found = HASH_LINE.match(line)
        if found:
            hashes[found.group(2)] = found.group(1)
    cut.hashed, cut.flushes = len(hashes), flushes
    cut.after_end = "pc done" in seen
    for failure in [line for line in seen if re.search(r"failed|panic|crashed|input/output error", line)]:
        cut.problems.append(f"the console says: {failure}")
    if flushes < len(hashes):
        cut.problems.append(f"QEMU saw {flushes} flushes for {len(hashes)} syncs: sync does not reach the disk")
    for path, digest in hashes.items():
        if script.expected.get(path) != digest:
            cut.problems.append(f"{path} was hashed {digest} in the guest, not {script.expected.get(path)}")

    flat = flatten(disk, workdir / "cut.img")
    cut.repaired, report = fsck(flat, repair=True)
    if cut.repaired > 1:
        cut.problems.append(f"e2fsck -fy could not repair the image (status {cut.repaired}):\n{report}")
    status, report = fsck(flat, repair=False)
    if status != 0:
        cut.problems.append(f"the repaired image is not clean: e2fsck -fn status {status}:\n{report}")
    dumped = dump_tree(flat, workdir / "dump")
    for path, digest in hashes.items():
        copy = dumped / path.lstrip("/")
        if not copy.is_file():
            cut.problems.append(f"{path}, synced before the cut, is gone")
        elif sha256(copy.read_bytes()) != digest:
            cut.problems.append(f"{path}, synced before the cut, reads back with another hash")
    cut.problems += tree_problems(staged, dumped)
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return cut


@contextmanager
def work_folder(prefix: str, keep: bool, log):
    """A temporary folder, removed at the end unless asked to keep it (then its path is logged)."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield workdir
    finally:
        if keep:
            log(f"kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def power_cuts(seed: int, count: int, steps: int, log=print, keep: bool = False) -> list[Cut]:
    """count power cuts of one script (from the seed), each on its own overlay of one image."""
    with work_folder("powercut-", keep, log) as workdir:
        script = power_cut_script(seed, steps)
        base, staged = system_disk(workdir, script.rc, script.sources)
        cuts = choose_cuts(seed, count, steps)
        for i, cut in enumerate(cuts, 1):
            power_cut(workdir / f"cut{i}", base, staged, script, cut, keep)
            log(f"power cut {i}/{count}: {cut.summary()}")
            for problem in cut.problems:
                log(f"  PROBLEM: {problem}")
        return cuts


# -- a failing write ------------------------------------------------------------------------------

VICTIM = "/fail/victim"
VICTIM_BYTES = 10 * BLOCK  # whole blocks, one run: written straight to the disk by one io_write


def write_error_script(seed: int) -> Script:
    """Files written and synced before the failure, the victim (its writes fail in the fault
    boot), then files written, synced and read after it; the statuses are printed."""
    rng = random.Random(seed)
    sources = {f"/src/s{i}": rng.randbytes(size) for i, size in enumerate(SOURCE_SIZES[:5])}
    sources["/src/victim"] = rng.randbytes(VICTIM_BYTES)
    rc = "\n".join([
        "# a failing write (tests/powercut): the victim's sectors fail in the fault boot",
        "mkdir /before /fail /after",
        "cp /src/s3 /before/a",
        "sync",
        "sha256sum /before/a",
        f"cp /src/victim {VICTIM}",
        'echo "victim cp status=$?"',
        "sync",
        'echo "victim sync status=$?"',
        "cp /src/s4 /after/b",
        'echo "after the failure" >> /after/b',
        "sync",
        'echo "after sync status=$?"',
        "sha256sum /after/b /before/a /src/s2",
        'echo "wr done"',
    ]) + "\n"
    expected = {"/before/a": sha256(sources["/src/s3"]),
                "/after/b": sha256(sources["/src/s4"] + b"after the failure\n"),
                "/src/s2": sha256(sources["/src/s2"])}
    return Script(rc, sources, expected)


def blocks_of(disk: Path, path: str) -> list[int]:
    """The filesystem blocks debugfs lists for a file."""
    out = run([Tools.path("debugfs"), "-R", f"blocks {path}", image.partition_spec(disk)], "debugfs blocks")
    return [int(word) for word in out.stdout.decode().split() if word.isdigit()]


def blkdebug_rules(first_sector: int, count: int) -> str:
    """QEMU blkdebug rules: every write that touches one of these disk sectors fails with EIO,
    every time (QEMU 7.2's inject-error: event write_aio, the raw format's write; a rule's
    sector matches a request that overlaps it)."""
    return "".join(f'[inject-error]\nevent = "write_aio"\nerrno = "5"\nsector = "{s}"\nonce = "off"\n\n'
                   for s in range(first_sector, first_sector + count))


def statuses(out: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r"^(victim cp|victim sync|after sync) status=(\d+)$",
                                                           out, re.M)}


def write_error(machine: str, seed: int, log=print, keep: bool = False) -> list[str]:
    """A dry boot to learn where the victim goes, then the fault boot; the problems found."""
    problems = []
    with work_folder("write-error-", keep, log) as workdir:
        script = write_error_script(seed)
        base, staged = system_disk(workdir, script.rc, script.sources)
        dry = workdir / "dry.img"
        shutil.copyfile(base, dry)
        with Machine(machine=machine, disks=[dry], timeout=BOOT_TIMEOUT) as m:
            status = m.wait()
            out = m.output
        if status != 0 or statuses(out) != {"victim cp": 0, "victim sync": 0, "after sync": 0}:
            return [f"the boot without faults did not run the script through (status {status}): {statuses(out)}\n"
                    + out[-3000:]]
        blocks = blocks_of(dry, VICTIM)
        if len(blocks) != VICTIM_BYTES // BLOCK or blocks != list(range(blocks[0], blocks[0] + len(blocks))):
            return [f"the victim's blocks are not one run of {VICTIM_BYTES // BLOCK}: {blocks}"]
        first = image.PARTITION_START + blocks[0] * BLOCK // SECTOR
        count = len(blocks) * BLOCK // SECTOR
        log(f"write error ({machine}): writes to sectors {first}-{first + count - 1} (blocks {blocks[0]}-{blocks[-1]}) fail")
        rules = workdir / "blkdebug.conf"
        rules.write_text(blkdebug_rules(first, count))
        with Machine(machine=machine, disks=[base], timeout=BOOT_TIMEOUT, blkdebug={0: rules}) as m:
            status = m.wait()
            out = m.output
        seen = statuses(out)
        if seen.get("victim cp") in (None, 0) or not re.search(rf"^cp: {VICTIM}: input/output error$", out, re.M):
            problems.append(f"cp of the victim did not report an I/O error and a non-zero status ({seen})")
        if seen.get("victim sync") in (None, 0) or not re.search(r"^sync: /: input/output error$", out, re.M):
            problems.append(f"the sync after the failure did not report it ({seen})")
        if not re.search(r"^ext2fs: wd0s1: a write of blocks? [\d-]+ failed: the filesystem is marked as having "
                         r"errors", out, re.M):
            problems.append("ext2fs did not say that it marked the filesystem as having errors")
        if seen.get("after sync") != 0:
            problems.append(f"a sync after the failure, of files outside the failed range, failed ({seen})")
        hashes = {m_.group(2): m_.group(1) for m_ in map(HASH_LINE.match, out.splitlines()) if m_}
        if hashes != script.expected:
            problems.append(f"the files read back in the guest are not what was written: {hashes}")
        if "wr done" not in out.splitlines():
            problems.append("the script did not end")
        if status != 0 or "boot: power-off by exec with status 0" not in out:
            problems.append(f"the machine did not power off normally (runner status {status})")
        for line in re.findall(r"^.*(?:boot: \S+ failed|panic|crashed).*$", out, re.M):
            problems.append(f"the console says: {line}")
        if not superblock_state(base) & 2:
            problems.append("the superblock is not marked as having errors (EXT2_ERROR_FS)")
        code, report = fsck(base, repair=False)
        if code == 0:
            problems.append("e2fsck -fn found nothing to repair after the failure")
        code, report = fsck(base, repair=True)
        if code > 1:
            problems.append(f"e2fsck -fy could not repair the image (status {code}):\n{report}")
        code, report = fsck(base, repair=False)
        if code != 0:
            problems.append(f"the repaired image is not clean: e2fsck -fn status {code}:\n{report}")
        dumped = dump_tree(base, workdir / "dump")
        problems += tree_problems(staged, dumped)
        for path in ("/before/a", "/after/b"):
            copy = dumped / path.lstrip("/")
            if not copy.is_file() or sha256(copy.read_bytes()) != script.expected[path]:
                problems.append(f"{path}, outside the failed range, is not intact after e2fsck -fy")
        if problems:
            problems.append("--- console (end) ---\n" + out[-4000:])
        return problems

