"""The boot medium's layout: where the kernel and each built module are, by every name a grub.cfg
may use for them. The boot CD (iso.py) is laid out from here, and `bootchain check` asks here
whether a file a grub.cfg names is on the medium and which module it is.

Each module is there under the project's name (/boot/NAME) and the Hurd's (/hurd/NAME.static), so
that the entry GRUB's 10_hurd.in writes for Debian GNU/Hurd boots unchanged. The Hurd starts its
exec server through the dynamic loader (`module /lib/ld-x86-64.so.1 exec /hurd/exec`): the
loader's place holds our exec, which is static and needs no loader. The kernel is there under the
project's name and under the names of Debian's packages (GRUB decompresses a gzipped kernel itself).
"""
import re
from pathlib import Path

from bootchain import paths

KERNEL = "kernel"
KERNEL_NAMES = ("/boot/gnumach", "/boot/gnumach.gz", "/boot/gnumach-1.8-amd64.gz", "/boot/gnumach-1.8-amd64-up.gz")
# The Hurd's dynamic loader, whose line names the program it runs: exec.
LOADERS = {"/lib/ld-x86-64.so.1": "exec", "/lib/ld.so.1": "exec"}


def module_paths(module: str) -> list[str]:
    """Every path of the medium that holds the module."""
    paths = [f"/boot/{module}", f"/hurd/{module}.static"]
    paths += [path for path, name in LOADERS.items() if name == module]
    return paths


def layout(modules: list[str]) -> dict[str, str]:
    """{path on the medium: KERNEL or the module's name} for the given built modules."""
    files = {name: KERNEL for name in KERNEL_NAMES}
    for module in modules:
        for path in module_paths(module):
            files[path] = module
    return files


def built_modules(modules_dir: Path) -> list[str]:
    """The names of the built modules (the files of the build's modules folder); before the
    first build, the modules the tree declares (bootchain_module(NAME ...) in its CMakeLists)."""
    folder = Path(modules_dir)
    if folder.is_dir():
        return sorted(p.name for p in folder.iterdir() if p.is_file())
    return declared_modules()


def declared_modules(root: Path | None = None) -> list[str]:
    root = Path(root or paths.ROOT)
    names = set()
    for cmake in root.glob("**/CMakeLists.txt"):
        if "build" in cmake.relative_to(root).parts[:1] or ".deps" in cmake.parts:
            continue
        names.update(re.findall(r"bootchain_module\(\s*([A-Za-z0-9_.-]+)\s", cmake.read_text(errors="replace")))
    # programs/ declares its modules through a helper: its folders are the programs.
    names.discard("${name}")
    names.update(p.name for p in (root / "programs").iterdir() if (p / "main.cpp").is_file()) \
        if (root / "programs").is_dir() else None
    return sorted(names)


def normalize(path: str) -> str:
    """A GRUB path as the medium names it: without a device prefix like (hd0,msdos2), one slash."""
    if path.startswith("(") and ")" in path:
        path = path[path.index(")") + 1:]
    while "//" in path:
        path = path.replace("//", "/")
    return path
