"""`bootchain check` on the host: the seed's chain, config/grub.cfg and the Hurd's own entry are
clean; every entry of corpus/ is refused with its sentence on its line; the exit statuses; the
root-spec parser agrees with ext2fs's on their shared table; and the option tables are read from
the servers' C++."""
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from bootchain import check, medium, paths, rootspec, servers

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
SEED = Path("/work/shared/seed")

# corpus file -> (line, a fragment of the sentence reported there)
EXPECTED = {
    "undefined_variable": (4, "the variable ${fs-tsak} is used but never defined: the kernel stops with "
                              "'bootstrap script missing symbol' (did you mean fs-task?)"),
    "defined_twice": (6, "the variable fs-task is defined twice (first on line 5)"),
    "unknown_function": (3, "$(task-resum): the kernel has no function task-resum"),
    "never_resumed": (4, "nothing can ever resume rumpdisk: its line has no $(task-resume) and no link hands on "
                         "${disk-task}"),
    "handoff_not_task": (5, "the hand-off --exec-server-task='${device-port}' is the device master port, not a task"),
    "handoff_literal": (4, "the hand-off --fs-server-task is given '3', not a task"),
    "cycle": (4, "the hand-offs make a cycle (rumpdisk -> ext2fs -> rumpdisk)"),
    "two_handoffs_to_one": (7, "rumpdisk and ext2fs both hand off to exec"),
    "unknown_option": (5, "ext2fs has no option --exec-server-tsk (did you mean --exec-server-task?)"),
    "flag_with_value": (5, "ext2fs: --readonly takes no value"),
    "bad_root_spec": (5, "ext2fs: the root spec 'part:0:device:wd0' cannot be parsed: the partition number"),
    "bad_root_on_command_line": (5, "the root spec 'part:x:device:wd0' (root= of the kernel's command line) "
                                    "cannot be parsed"),
    "two_root_devices": (5, "ext2fs: more than one root device given ('part:1:device:wd0', 'wd1')"),
    "missing_module_file": (4, "the module file /boot/rumpdsik is not on the boot medium (did you mean /boot/rumpdisk?)"),
    "missing_kernel": (2, "the kernel /boot/gnumach-2.0 is not on the boot medium"),
    "unquoted_boot_variable": (6, "${kernel-command-line} is not in single quotes: GRUB reads it before the kernel"),
    "grub_root_unquoted": (5, "${root} is not in single quotes: GRUB replaces it with its own variable root"),
    "unclosed_construct": (4, "the kernel cannot read this module line: '$(task-create' is not closed by ')'"),
    "function_as_variable": (6, "'${task-create}': task-create is a function; call it with $(task-create)"),
    "no_task_create": (6, "exec has no $(task-create): the kernel loads /boot/exec and never runs it"),
    "resumed_and_handed": (4, "rumpdisk is resumed by the kernel and handed to pci-arbiter too"),
    "port_twice": (3, "${host-port} is given twice on one line"),
    "compat_mode": (3, "the only module line has nothing after its name: the kernel starts it in its 'compat mode'"),
    "unclosed_quote": (6, "GRUB cannot read this: a single quote (') that is never closed"),
}


def findings_of(path: Path, append: str = "") -> list[str]:
    found, why = check.check_file(path, paths.modules_dir(), append)
    assert why is None, why
    return [str(f) for f in found]


def run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bootchain", "check", *args], capture_output=True, text=True,
                          timeout=60)


class CleanEntries(unittest.TestCase):
    def test_config_grub_cfg_is_clean(self):
        self.assertEqual(findings_of(paths.default_grub_cfg()), [])

    def test_the_hurds_own_entry_is_clean(self):
        self.assertEqual(findings_of(HERE / "hurd_amd64.cfg"), [])
        chain = check.analyse((HERE / "hurd_amd64.cfg").read_text(), "hurd",
                              check.medium_files(paths.modules_dir()))[0][0]
        self.assertEqual([link.module for link in chain.links], ["pci-arbiter", "rumpdisk", "ext2fs", "exec"])
        self.assertEqual(chain.order, [0, 1, 2, 3])
        self.assertEqual(chain.links[2].root_device, "wd0s2")

    def test_the_seeds_entry_is_clean(self):
        # The seed's mdwn holds the chain as grub.cfg lines (ext2fs has no root there: the seed's
        # sketch left it to the kernel's root=; we give it, as any real entry does).
        seed = (SEED / "rump-root-bootstrap.mdwn").read_text() if SEED.is_dir() else None
        if seed is not None:
            self.assertIn("module pci-arbiter --disk-server-task='${disk-task}'", seed)
        cfg = ("menuentry seed {\n  multiboot /boot/gnumach root=part:1:device:wd0\n"
               "  module /boot/pci-arbiter pci-arbiter --host-priv-port='${host-port}' "
               "--device-master-port='${device-port}' --disk-server-task='${disk-task}' '$(task-create)' "
               "'$(task-resume)'\n"
               "  module /boot/rumpdisk rump --fs-server-task='${fs-task}' '$(disk-task=task-create)'\n"
               "  module /boot/ext2fs ext2fs --exec-server-task='${exec-task}' "
               "--multiboot-command-line='${kernel-command-line}' '$(fs-task=task-create)'\n"
               "  module /boot/exec exec '$(exec-task=task-create)'\n}\n")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "grub.cfg"
            path.write_text(cfg)
            self.assertEqual(findings_of(path), [])


class BrokenEntries(unittest.TestCase):
    def test_corpus_is_covered(self):
        self.assertEqual(sorted(p.stem for p in CORPUS.glob("*.cfg")), sorted(EXPECTED))

    def test_each_broken_entry_is_refused_with_its_sentence(self):
        for name, (line, sentence) in EXPECTED.items():
            with self.subTest(name):
                path = CORPUS / f"{name}.cfg"
                found = findings_of(path)
                self.assertTrue(any(f.startswith(f"{path}:{line}: ") and sentence in f for f in found),
                                f"{name}: expected line {line}: {sentence}\ngot:\n" + "\n".join(found))


class ExitStatus(unittest.TestCase):
    def test_clean_broken_and_unreadable(self):
        clean = run_check(str(HERE / "hurd_amd64.cfg"))
        self.assertEqual((clean.returncode, clean.stdout), (0, ""), clean.stderr)
        broken = run_check(str(CORPUS / "cycle.cfg"))
        self.assertEqual(broken.returncode, 1, broken.stderr)
        self.assertIn("cycle.cfg:4: the hand-offs make a cycle", broken.stdout)
        missing = run_check("/nonexistent/grub.cfg")
        self.assertEqual(missing.returncode, 2)
        self.assertIn("cannot read /nonexistent/grub.cfg", missing.stderr)

    def test_run_refuses_a_broken_file_before_booting(self):
        run = subprocess.run([sys.executable, "-m", "bootchain", "run", "--grub-cfg", str(CORPUS / "cycle.cfg")],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 2)
        self.assertIn("cycle.cfg:4: the hand-offs make a cycle", run.stderr)
        self.assertIn("is not booted: 'bootchain check' found 3 mistakes (--no-check boots it anyway)", run.stderr)
        self.assertEqual(run.stdout, "")  # no QEMU, no console

    def test_append_defines_kernel_variables(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "grub.cfg"
            path.write_text("menuentry t {\n multiboot /boot/gnumach\n module /boot/exit-with exit-with "
                            "--device-master-port='${device-port}' --echo='${greeting}' '$(task-create)' "
                            "'$(task-resume)'\n}\n")
            self.assertIn("${greeting} is used but never defined", "\n".join(findings_of(path)))
            self.assertEqual(findings_of(path, append="greeting=hi"), [])


class HurdEntryWithAcpi(unittest.TestCase):
    def test_checks_clean_as_the_five_link_chain(self):
        # What 10_hurd.in writes when /hurd/acpi.static is installed: acpi between the arbiter
        # and rumpdisk, a link of this chain since servers/acpi.
        path = HERE / "hurd_amd64_acpi.cfg"
        files = check.medium_files(paths.modules_dir())
        chains, found = check.analyse(path.read_text(), str(path), files)
        self.assertEqual(found, [], [str(f) for f in found])
        self.assertEqual([link.name for link in chains[0].links], ["pci-arbiter", "acpi", "rumpdisk", "ext2fs", "exec"])
        self.assertEqual(chains[0].order, [0, 1, 2, 3, 4])
        dropped, notes = check.drop_missing_links(path.read_text(), str(path))
        self.assertEqual(notes, [])
        self.assertEqual(dropped, path.read_text())

    def test_the_default_grub_cfg_is_the_five_link_chain(self):
        path = paths.default_grub_cfg()
        chains, found = check.analyse(path.read_text(), str(path), check.medium_files(paths.modules_dir()))
        self.assertEqual(found, [], [str(f) for f in found])
        self.assertEqual([link.name for link in chains[0].links], ["pci-arbiter", "acpi", "rumpdisk", "ext2fs", "exec"])


class RootSpecs(unittest.TestCase):
    def test_agrees_with_ext2fs_on_the_shared_table(self):
        table = paths.ROOT / "tests/fs/host/root_spec_cases.txt"
        cases = 0
        for line in table.read_text().splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            store_type, spec, expected = (part.strip() for part in line.split("|"))
            try:
                got = rootspec.device_of(spec, None if store_type == "-" else store_type)
            except rootspec.RootSpecError as e:
                got = f"error: {e}"
            self.assertEqual(got, expected, f"-T {store_type} {spec}")
            cases += 1
        self.assertGreaterEqual(cases, 20)


class ServerOptions(unittest.TestCase):
    def test_read_from_the_servers_registrations(self):
        ext2fs = servers.options_of("ext2fs")
        self.assertEqual(ext2fs.handoff, "exec-server-task")
        self.assertEqual(ext2fs.resolve("next-task"), "exec-server-task")
        self.assertEqual(ext2fs.shorts, {"T": "store-type"})
        for name in ("readonly", "multiboot-command-line", "host-priv-port", "device-master-port", "store-type"):
            self.assertIn(name, ext2fs.kinds)
        self.assertEqual(servers.options_of("pci-arbiter").handoff, "disk-server-task")
        self.assertEqual(servers.options_of("rumpdisk").handoff, "fs-server-task")
        self.assertIsNone(servers.options_of("exec").handoff)
        self.assertEqual(servers.options_of("acpi").handoff, "disk-server-task")
        self.assertEqual(servers.options_of("acpi").resolve("next-task"), "disk-server-task")

    def test_every_module_on_the_medium_can_be_read(self):
        # A registration whose name is not a literal would make the table wrong: it is an error.
        for module in medium.declared_modules():
            servers.options_of(module)

    def test_a_registration_that_cannot_be_read_is_an_error(self):
        options = servers.Options("x")
        with self.assertRaises(servers.ServerError):
            servers.read_registrations('options.add_flag(kName, flag, "help");', "x.cpp", options)


if __name__ == "__main__":
    unittest.main()
