"""Shared by the security boot tests and `make fuzz`: a system disk (the programs, rootfs/,
the security test programs of build/test-programs in /bin, and an /etc/rc that runs them),
a boot of the seed's chain on it, and the checks every such boot must pass (no link failed,
no panic, power-off by exec with status 0, `e2fsck -fn` clean)."""
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from bootchain import image, paths
from bootchain.machine import Machine

TEST_PROGRAMS = ("attack", "msgfuzz")


def test_programs_dir() -> Path:
    """Where the build puts the security test programs (tests/security/CMakeLists.txt)."""
    return paths.build_dir() / "test-programs"


def make_disk(workdir: Path, rc: str, size_mib: int = 128) -> Path:
    """A system disk whose /etc/rc is rc, with /bin/attack and /bin/msgfuzz."""
    tree = workdir / "tree"
    (tree / "etc").mkdir(parents=True, exist_ok=True)
    (tree / "bin").mkdir(parents=True, exist_ok=True)
    (tree / "etc/rc").write_text(rc)
    for name in TEST_PROGRAMS:
        built = test_programs_dir() / name
        if not built.exists():
            raise AssertionError(f"{built} is missing: build the tree first")
        target = tree / "bin" / name
        subprocess.run(["objcopy", "--strip-debug", str(built), str(target)], check=True)
        target.chmod(0o755)
    staged = workdir / "staged"
    image.system_tree(staged, tree)
    return image.make_disk(workdir / "disk.img", staged, size_mib=size_mib)


def boot(disk: Path, timeout: float) -> tuple[int, str]:
    """Boots the seed's chain on disk until exec powers off; (the runner's status, the console)."""
    with Machine(disks=[disk], timeout=timeout) as m:
        status = m.wait()
        return status, m.output


def end_problems(status: int, out: str, disk: Path) -> list[str]:
    """What is wrong with the end of a boot: a link that failed, a panic, an end other than
    exec's power-off with status 0, a filesystem e2fsck does not find clean."""
    problems = []
    failed = re.findall(r"^.*boot: \S+ failed.*$", out, re.M)
    if failed:
        problems.append("a link failed: " + "; ".join(failed))
    if re.search(r"panic", out, re.I):
        problems.append("the kernel panicked: " + "; ".join(re.findall(r"^.*panic.*$", out, re.M | re.I)[:3]))
    crashed = re.findall(r"^.*crashed.*$", out, re.M)
    if crashed:
        problems.append("a task crashed: " + "; ".join(crashed[:5]))
    if status != 0 or "boot: power-off by exec with status 0" not in out:
        problems.append(f"the machine did not power off normally (runner status {status})")
    code, report = image.fsck(disk)
    if code != 0:
        problems.append(f"e2fsck -fn found problems (status {code}):\n{report}")
    return problems


class WorkDir:
    """A temporary folder, removed at the end unless asked to keep it."""

    def __init__(self, prefix: str):
        self.path = Path(tempfile.mkdtemp(prefix=prefix))

    def remove(self) -> None:
        shutil.rmtree(self.path, True)
