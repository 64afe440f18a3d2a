"""`./bootchain`: the command line. `./bootchain run` boots the chain (or any grub.cfg) under
QEMU, streams the guest's console and exits with the status the guest chose."""
import argparse
import contextlib
import os
import select
import signal
import sys
import termios
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file (python3 tools/bootchain/cli.py): make the package importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bootchain import paths, qemu, status  # noqa: E402
from bootchain.machine import BootError, Machine, MachineError  # noqa: E402

DEFAULT_TIMEOUT = 300

STATUS_HELP = f"""\
exit status:
  N     the status the guest chose: a module powered the machine off with status N
        (runtime::power_off(N), i.e. byte N to the isa-debug-exit port 0xf4)
  {status.RUNNER_ERROR}     bad arguments, a missing file, a grub.cfg that 'bootchain check' refuses (each
        mistake on stderr; --no-check boots it anyway), or QEMU could not start or failed
  {status.TIMEOUT}   the guest still ran at the timeout; QEMU was stopped
  {status.PANIC}   the kernel panicked or an assertion failed (also "bootstrap script missing
        symbol"); QEMU was stopped at once and stderr has a one-line summary
  {status.NO_STATUS}   the guest rebooted or halted without choosing a status
  130   interrupted (Ctrl-C); 143 on SIGTERM. QEMU is stopped in every case.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bootchain",
        description="Builds and runs the GNU Hurd's boot chain (pci-arbiter -> rumpdisk -> ext2fs -> exec) "
                    "on GNU Mach under QEMU. The ./bootchain script first runs scripts/setup and builds "
                    "the tree into build/.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'bootchain run --help' for the run command's options.\n\n" + STATUS_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="boot a grub.cfg under QEMU and stream the guest's console",
        description="""\
Boots GNU Mach under QEMU through GRUB and streams the guest's console (its serial port) to
stdout line by line. The boot CD is built afresh from the grub.cfg: it holds the kernel at
/boot/gnumach and every module of build/modules at /boot/NAME (debug information stripped), so a
grub.cfg can name any built module. A grub.cfg without GRUB's serial set-up gets it ('set
timeout=0', 'serial', 'terminal_input serial', 'terminal_output serial'), and every multiboot
line without a console= word gets 'console=com0'.

When stdin is a terminal, what you type goes to the guest's console (Ctrl-C stops the runner;
with --keys-to-guest, Ctrl-C goes to the guest too and Ctrl-] stops the runner).

Disks (raw images) are attached in the order given:
  q35  AHCI disks on the ICH9 controller's ports 0, 1, ... (at most 5); the CD on the next port
  pc   IDE disks on primary master, primary slave, secondary slave; the CD on secondary master
The firmware boots the CD whatever the disks hold.""",
        epilog=STATUS_HELP)
    run.add_argument("--machine", "-M", choices=qemu.MACHINES, default="q35",
                     help="QEMU's machine type (default: q35)")
    run.add_argument("--disk", action="append", default=[], metavar="IMAGE",
                     help="attach a raw disk image; repeat for more disks, in order")
    run.add_argument("--grub-cfg", metavar="FILE",
                     help="boot this grub.cfg (default: config/grub.cfg, the whole chain)")
    run.add_argument("--append", default="", metavar="KERNEL-ARGS",
                     help="words to add to the kernel's command line (the multiboot line); "
                          "write --append=-H for words starting with '-'")
    run.add_argument("--timeout", type=_positive_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                     help=f"stop QEMU after this many seconds, with status {status.TIMEOUT} "
                          f"(default: {DEFAULT_TIMEOUT})")
    run.add_argument("--memory", type=int, default=512, metavar="MIB",
                     help="the guest's memory in MiB (default: 512)")
    run.add_argument("--no-check", action="store_true",
                     help="boot the grub.cfg even when 'bootchain check' finds mistakes in it (for tests of "
                          "what a broken chain does at run time)")
    run.add_argument("--keys-to-guest", action="store_true",
                     help="with a terminal: Ctrl-C, Ctrl-Z and Ctrl-\\ go to the guest too (its shell "
                          "cancels the line on Ctrl-C); Ctrl-] stops the runner instead")
    run.add_argument("--from-disk", action="store_true",
                     help="no CD: the firmware boots the first --disk, which carries its own GRUB and grub.cfg "
                          "('bootchain image --bootable'); --grub-cfg and --append do not apply")
    run.add_argument("--no-test-exit", action="store_true",
                     help="boot without QEMU's isa-debug-exit test device, as a plain PC: the guest powers "
                          f"off through ACPI and the run ends with status {status.NO_STATUS} (no status chosen)")
    run.set_defaults(func=run_command)

    check = commands.add_parser(
        "check", help="find the mistakes of a grub.cfg's boot chain before booting it",
        description="Reads a grub.cfg as GRUB does and each module line as GNU Mach's boot script does, and "
                    "reports, each with FILE:LINE and a sentence: variables used but never defined or defined "
                    "twice, unknown functions, tasks nothing can resume, hand-offs that are not tasks, cycles "
                    "of hand-offs, two links handing off to one task, options a server does not know (read "
                    "from the server's own option registrations), root specs that cannot be parsed, and "
                    "module files that are not on the boot medium.",
        epilog="exit status: 0 nothing found, 1 findings, 2 the file cannot be read")
    check.add_argument("file", metavar="FILE", help="the grub.cfg")
    check.add_argument("--append", default="", metavar="KERNEL-ARGS",
                       help="words 'bootchain run --append' would add to the kernel's command line")
    check.set_defaults(func=check_command)

    graph = commands.add_parser(
        "graph", help="draw a grub.cfg's boot chain (Graphviz DOT, or SVG/PNG with -o)",
        description="Prints the chain of the grub.cfg's first menu entry as Graphviz DOT: the tasks in "
                    "resumption order, who hands whose task port to whom, which bootstrap port each gets, "
                    "which privileged ports go where, and the root device. With -o FILE.svg or FILE.png, "
                    "renders it with Graphviz's dot instead.")
    graph.add_argument("file", metavar="FILE", help="the grub.cfg")
    graph.add_argument("-o", "--output", metavar="FILE", help="write an SVG or PNG picture (by its suffix)")
    graph.add_argument("--entry", type=int, default=0, metavar="N", help="the menu entry to draw (from 0)")
    graph.set_defaults(func=graph_command)

    image = commands.add_parser(
        "image", help="make a system disk image: MBR, one ext2 partition with the programs and a tree",
        description="Makes a raw disk image with an MBR partition table whose partition 1 (from "
                    "sector 2048) holds an ext2 filesystem made by e2fsprogs' mke2fs -d: the project's "
                    "programs (/sbin/init, /bin/sh and the others of build/userland), the default tree "
                    "rootfs/ (/etc/rc, /etc/motd, samples), then DIR's content over them (DIR's own "
                    "/etc/rc, if any, replaces the default). --raw puts DIR alone on the disk.")
    image.add_argument("--tree", metavar="DIR", help="what the filesystem holds besides the programs and "
                       "rootfs/ (default: nothing more)")
    image.add_argument("--raw", action="store_true",
                       help="only DIR's content: no programs, no rootfs/ (a data disk)")
    image.add_argument("--out", required=True, metavar="IMAGE", help="the image to write")
    image.add_argument("--size", type=int, default=64, metavar="MIB", help="the disk's size (default: 64)")
    image.add_argument("--block-size", type=int, choices=(1024, 2048, 4096), default=4096,
                       help="the filesystem's block size (default: 4096)")
    image.add_argument("--bootable", action="store_true",
                       help="a disk that boots by itself: GRUB's BIOS boot sector in the MBR, its core image "
                            "before the first partition, and the kernel, the servers and /boot/grub/grub.cfg "
                            "on the root partition (qemu-system-x86_64 -hda IMAGE boots it)")
    image.add_argument("--grub-cfg", metavar="FILE",
                       help="with --bootable: the grub.cfg to put on the disk (default: config/grub.cfg), checked "
                            "first and given the serial console as 'bootchain run' does")
    image.add_argument("--root-partition", type=int, choices=(1, 2), default=1,
                       help="the root filesystem's partition: 1, or 2 after a 1 MiB swap partition as Debian "
                            "GNU/Hurd lays its disk out (default: 1)")
    image.set_defaults(func=image_command)
    return parser


def check_command(args) -> int:
    from bootchain import check
    findings, why = check.check_file(Path(args.file), paths.modules_dir(), args.append)
    if why:
        error(why)
        return status.RUNNER_ERROR
    for finding in findings:
        print(finding)
    return 1 if findings else 0


def graph_command(args) -> int:
    from bootchain import graph
    try:
        dot = graph.dot_of_file(Path(args.file), paths.modules_dir(), args.entry)
        if args.output:
            graph.render(dot, Path(args.output))
        else:
            sys.stdout.write(dot)
    except graph.GraphError as e:
        error(str(e))
        return status.RUNNER_ERROR
    return 0


def image_command(args) -> int:
    from bootchain import image
    tree = Path(args.tree) if args.tree else None
    if tree is not None and not tree.is_dir():
        print(f"bootchain: --tree {tree} is not a directory", file=sys.stderr)
        return status.RUNNER_ERROR
    if args.raw and tree is None:
        print("bootchain: --raw needs --tree", file=sys.stderr)
        return status.RUNNER_ERROR
    if args.bootable and args.raw:
        print("bootchain: --bootable and --raw exclude each other", file=sys.stderr)
        return status.RUNNER_ERROR
    if args.grub_cfg and not args.bootable:
        print("bootchain: --grub-cfg goes with --bootable", file=sys.stderr)
        return status.RUNNER_ERROR
    try:
        if args.bootable:
            grub_cfg = _bootable_grub_cfg(Path(args.grub_cfg) if args.grub_cfg else paths.default_grub_cfg())
            if grub_cfg is None:
                return status.RUNNER_ERROR
            image.make_bootable_disk(Path(args.out), grub_cfg, tree, args.size, args.root_partition,
                                     block_size=args.block_size)
        elif args.raw:
            image.make_disk(Path(args.out), tree, args.size, args.block_size, root_partition=args.root_partition)
        else:
            image.make_system_disk(Path(args.out), tree, args.size, args.block_size,
                                   root_partition=args.root_partition)
    except (image.ImageError, OSError) as e:
        print(f"bootchain: {e}", file=sys.stderr)
        return status.RUNNER_ERROR
    what = f"{tree}" if args.raw else "the programs, rootfs/" + (f" and {tree}" if tree else "")
    if args.bootable:
        what += ", the kernel, the servers and GRUB (boot sector, core image, /boot/grub)"
    print(f"bootchain: wrote {args.out}: {args.size} MiB, MBR, ext2 partition {args.root_partition} with {what}")
    return 0


def _bootable_grub_cfg(path: Path) -> str | None:
    """The grub.cfg text for a bootable disk: checked as 'bootchain run' checks it (None after
    printing the mistakes), with the serial console set up as the boot CD has it."""
    from bootchain import check, iso
    findings, why = check.check_file(path, paths.modules_dir())
    if why:
        error(why)
        return None
    for finding in findings:
        print(finding, file=sys.stderr)
    if findings:
        error(f"{path} is not put on the disk: 'bootchain check' found {len(findings)} "
              f"{'mistake' if len(findings) == 1 else 'mistakes'}")
        return None
    return iso.prepare_grub_cfg(path.read_text())


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: '{text}'") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the timeout must be more than 0 seconds")
    return value


class _Terminated(Exception):
    def __init__(self, signum: int):
        self.signum = signum


def _raise_terminated(signum, frame):
    raise _Terminated(signum)


def error(message: str) -> None:
    print(f"bootchain: {message}", file=sys.stderr, flush=True)


def run_command(args: argparse.Namespace) -> int:
    if args.from_disk and (not args.disk or args.grub_cfg or args.append):
        error("--from-disk boots the first --disk's own GRUB and grub.cfg: it needs --disk and takes no "
              "--grub-cfg or --append")
        return status.RUNNER_ERROR
    grub_cfg = Path(args.grub_cfg) if args.grub_cfg else paths.default_grub_cfg()
    if not grub_cfg.is_file():
        error(f"the grub.cfg {grub_cfg} does not exist")
        return status.RUNNER_ERROR
    grub_text = None
    if not args.no_check and not args.from_disk:
        from bootchain import check
        findings, why = check.check_file(grub_cfg, paths.modules_dir(), args.append)
        if why:
            error(why)
            return status.RUNNER_ERROR
        if findings and all(f.kind == "missing-link" for f in findings):
            # Links of the Hurd's chain that ours does not have yet: dropped, with a note.
            grub_text, notes = check.drop_missing_links(grub_cfg.read_text(), str(grub_cfg))
            for note in notes:
                error(note)
            _, findings = check.analyse(grub_text, str(grub_cfg), check.medium_files(paths.modules_dir()),
                                        args.append)
        if findings:
            for finding in findings:
                print(finding, file=sys.stderr)
            error(f"{grub_cfg} is not booted: 'bootchain check' found {len(findings)} "
                  f"{'mistake' if len(findings) == 1 else 'mistakes'} (--no-check boots it anyway)")
            return status.RUNNER_ERROR

    def show(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    # SIGTERM and SIGHUP unwind like Ctrl-C does, through the code that stops QEMU.
    signal.signal(signal.SIGTERM, _raise_terminated)
    signal.signal(signal.SIGHUP, _raise_terminated)
    try:
        machine = Machine(machine=args.machine, grub_cfg=grub_text if grub_text is not None else grub_cfg,
                          disks=args.disk, append=args.append,
                          timeout=args.timeout, memory_mb=args.memory, on_output=show,
                          from_disk=args.from_disk, test_exit=not args.no_test_exit)
        with machine, _keyboard(args.keys_to_guest) as keyboard:
            _forward_keyboard(machine, keyboard, args.keys_to_guest)
    except MachineError as e:
        error(str(e))
        return status.RUNNER_ERROR
    except KeyboardInterrupt:
        error("interrupted; QEMU stopped")
        return 130
    except _Terminated as t:
        error(f"terminated by signal {t.signum}; QEMU stopped")
        return 128 + t.signum
    if machine.message:
        error(machine.message)
    return machine.status if machine.status is not None else status.RUNNER_ERROR


# Ctrl-]: the key that stops the runner when Ctrl-C goes to the guest (telnet's escape).
STOP_KEY = b"\x1d"


@contextlib.contextmanager
def _keyboard(keys_to_guest: bool = False):
    """stdin's descriptor when it is a terminal, switched to pass keys on at once and not
    echo them (the guest echoes), or None. Ctrl-C still interrupts the runner, unless
    keys_to_guest: then the terminal makes no signals of keys, and Ctrl-] stops the runner."""
    fd = sys.stdin.fileno() if sys.stdin is not None and sys.stdin.isatty() else None
    if fd is None:
        yield None
        return
    saved = termios.tcgetattr(fd)
    mode = termios.tcgetattr(fd)
    mode[3] &= ~(termios.ECHO | termios.ICANON | (termios.ISIG if keys_to_guest else 0))
    mode[6][termios.VMIN] = 1
    mode[6][termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSANOW, mode)
    try:
        yield fd
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)


def _forward_keyboard(machine: Machine, fd: int | None, keys_to_guest: bool = False) -> None:
    while fd is not None and not machine.finished:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        data = os.read(fd, 1024)
        if not data:
            break
        if keys_to_guest and STOP_KEY in data:
            raise KeyboardInterrupt
        with contextlib.suppress(BootError):
            machine.send(data)
    machine.wait()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return status.RUNNER_ERROR
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
