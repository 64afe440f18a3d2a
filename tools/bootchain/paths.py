"""Where the runner finds the kernel, the built modules and the default grub.cfg.

Defaults follow the repository's layout; the environment can point elsewhere (CTest does, so
that tests use the build tree they belong to).
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build_dir() -> Path:
    return Path(os.environ.get("BOOTCHAIN_BUILD_DIR", ROOT / "build"))


def modules_dir() -> Path:
    return build_dir() / "modules"


def kernel() -> Path:
    return Path(os.environ.get("BOOTCHAIN_KERNEL", ROOT / ".deps/trixie/boot/gnumach"))


def default_grub_cfg() -> Path:
    return ROOT / "config/grub.cfg"


def seed_grub_cfg() -> Path:
    """The seed's four-link chain (no acpi link), which the chain's tests still boot."""
    return ROOT / "config/grub-seed.cfg"
