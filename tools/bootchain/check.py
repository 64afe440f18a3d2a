"""`bootchain check`: the mistakes of a grub.cfg's boot chain found before the boot, each with its
file:line and a sentence. A grub.cfg is read as GRUB reads it (grubcfg.py), each module line as
GNU Mach's boot script reads it (bootscript.py), and each link's options as its server parses
them (servers.py reads them from the C++). The result of one menu entry is a Chain, which
`bootchain graph` draws too.
"""
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from bootchain import bootscript, grubcfg, medium, rootspec, servers

# Links of the Hurd's boot chain that this chain does not have yet: the runner can drop them.
# (acpi was one until servers/acpi; none is missing now, and the mechanism stays for the next.)
MISSING_LINKS: dict[str, str] = {}


@dataclass
class Finding:
    path: str
    line: int
    sentence: str
    kind: str = ""   # "missing-link" for a link the runner can drop (drop_missing_links)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.sentence}"


@dataclass
class Option:
    spelled: str          # as written, without "--" ("next-task") or with one dash ("-T")
    name: str | None      # the server's option it means, None if unknown
    value: str | None     # literal text, or None
    variable: str | None  # ${variable} of the value


@dataclass
class Link:
    """One module line: the task it makes, its server and what it is given."""
    index: int
    line: int
    file: str
    module: str | None            # the module of the tree the file holds, or None
    script: bootscript.Line | None
    command: grubcfg.Command
    task_variables: list[str] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    positionals: list[str] = field(default_factory=list)
    handoff: tuple[str, str] | None = None  # (option as written, task variable)
    ports: list[tuple[str, str]] = field(default_factory=list)  # (option, builtin port variable)
    root_device: str | None = None

    @property
    def name(self) -> str:
        return self.script.name if self.script else (self.module or Path(self.file).name)


@dataclass
class Chain:
    path: str
    entry: grubcfg.Entry
    kernel: str | None = None
    kernel_line: int = 0
    command_line: str = ""
    links: list[Link] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)   # hand-offs: link index -> link index
    order: list[int] = field(default_factory=list)                # resumption order
    findings: list[Finding] = field(default_factory=list)

    def add(self, line: int, sentence: str, kind: str = "") -> None:
        self.findings.append(Finding(self.path, line, sentence, kind))


def _suggest(word: str, choices, prefix: str = "") -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {prefix}{close[0]}?)" if close else ""


_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|[0-9]+")


def _grub_words(chain: Chain, cmd: grubcfg.Command) -> None:
    for word in cmd.args:
        for dollar in word.grub_dollars:
            name = dollar.strip("${}()")
            if dollar.startswith("$(") or any(c not in grubcfg._NAME for c in name):
                chain.add(word.line, f"{dollar} is not in single quotes: GRUB reads it before the kernel does; "
                                     f"write '{dollar}' so that the kernel's boot script gets it")
            elif name in grubcfg.GRUB_BUILTINS or name in bootscript.BUILTIN_VARIABLES:
                chain.add(word.line, f"{dollar} is not in single quotes: GRUB replaces it with its own variable "
                                     f"{name} before the kernel sees it; write '{dollar}' to give the kernel's")


class _Analysis:
    def __init__(self, chain: Chain, files: dict[str, str], append: str):
        self.chain = chain
        self.files = files
        self.append = append
        # variable -> (kind, defining link index or None for the kernel, line)
        self.defined: dict[str, tuple[str, int | None, int]] = {}

    def run(self) -> Chain:
        entry = self.chain.entry
        kernels = [c for c in entry.commands if c.name in ("multiboot", "multiboot2")]
        modules = [c for c in entry.commands if c.name in ("module", "module2")]
        if not kernels:
            self.chain.add(entry.line, f"the menu entry '{entry.title}' has no multiboot line: GRUB loads no kernel")
        elif len(kernels) > 1:
            self.chain.add(kernels[1].line, "a second multiboot line: GRUB loads only the last kernel named")
        if kernels:
            self.kernel(kernels[-1])
        for cmd in modules:
            self.module(cmd)
        if not modules and kernels:
            self.chain.add(entry.line, f"the menu entry '{entry.title}' has no module line: the kernel has nothing to run")
        lines = [link for link in self.chain.links if link.script]
        if len(modules) == 1 and lines and not lines[0].script.args and not lines[0].script.calls:
            self.chain.add(lines[0].line, "the only module line has nothing after its name: the kernel starts it in "
                                          "its 'compat mode', which panics on this kernel")
        for link in self.chain.links:
            self.uses(link)
        for link in self.chain.links:
            self.options(link)
        self.resumption()
        self.chain.findings.sort(key=lambda f: f.line)
        return self.chain

    def define(self, name: str, kind: str, link: int | None, line: int) -> None:
        if name in self.defined:
            _, where, first = self.defined[name]
            place = "by the kernel" if where is None else f"on line {first}"
            self.chain.add(line, f"the variable {name} is defined twice (first {place}): "
                                 "the kernel uses one definition and drops the other")
            return
        self.defined[name] = (kind, link, line)

    def kernel(self, cmd: grubcfg.Command) -> None:
        _grub_words(self.chain, cmd)
        words = [w for w in cmd.args if not w.text.startswith("--quirk")]
        if not words:
            self.chain.add(cmd.line, "the multiboot line names no kernel file")
            return
        self.chain.kernel, self.chain.kernel_line = words[0].text, cmd.line
        self.file_on_medium(words[0], cmd.line, expect=medium.KERNEL)
        args = [w.text for w in words[1:]]
        if not any(a.startswith("console=") for a in args):
            args.append("console=com0")  # the runner adds it (iso.prepare_grub_cfg)
        args += self.append.split()
        # GRUB gives the kernel the words after the file's name (${kernel-command-line}).
        self.chain.command_line = " ".join(args)
        for name, kind in bootscript.BUILTIN_VARIABLES.items():
            self.defined[name] = (kind, None, cmd.line)
        for word in args:
            if "=" in word:
                name, value = word.split("=", 1)
                self.define(name, "string", None, cmd.line)

    def file_on_medium(self, word: grubcfg.Word, line: int, expect: str | None = None) -> str | None:
        if word.unknown_value:
            return None  # a path built from a variable GRUB sets at boot
        path = medium.normalize(word.text)
        what = self.files.get(path)
        if what is None:
            if expect == medium.KERNEL:
                self.chain.add(line, f"the kernel {word.text} is not on the boot medium (the kernel is at "
                                     f"{', '.join(medium.KERNEL_NAMES)})")
            else:
                name = Path(path).name.removesuffix(".static")
                if name in MISSING_LINKS:
                    self.chain.add(line, f"{word.text}: {name} ({MISSING_LINKS[name]}) is a link this chain does not "
                                         "have yet; `bootchain run` drops its line and hands its ports, its "
                                         "$(task-resume) and its hand-off to the next link", "missing-link")
                else:
                    known = [p for p in self.files if self.files[p] != medium.KERNEL]
                    self.chain.add(line, f"the module file {word.text} is not on the boot medium{_suggest(path, known)}")
            return None
        if expect == medium.KERNEL and what != medium.KERNEL:
            self.chain.add(line, f"{word.text} is the module {what}, not the kernel")
        if expect is None and what == medium.KERNEL:
            self.chain.add(line, f"{word.text} is the kernel, not a module")
            return None
        return what

    def module(self, cmd: grubcfg.Command) -> None:
        _grub_words(self.chain, cmd)
        words = [w for w in cmd.args if w.text != "--nounzip"]
        if not words:
            self.chain.add(cmd.line, "the module line names no file")
            return
        file_word = words[0]
        module = self.file_on_medium(file_word, cmd.line)
        text = " ".join(w.text for w in words[1:])
        index = len(self.chain.links)
        link = Link(index, cmd.line, file_word.text, module, None, cmd)
        self.chain.links.append(link)
        try:
            link.script = bootscript.parse_line(text)
        except bootscript.ScriptSyntaxError as e:
            self.chain.add(cmd.line, f"the kernel cannot read this module line: {e}; it panics "
                                     "('boot script commands could not be parsed')")
            return
        if link.script is None:
            self.chain.add(cmd.line, f"the module line of {file_word.text} gives the kernel no words: "
                                     "it loads the file and never runs it")
            return
        if module is None and link.script.name in MISSING_LINKS:
            link.module = None
        creates = link.script.task_creates
        for call in link.script.calls:
            target = call.target
            if target in bootscript.FUNCTIONS:
                kind = bootscript.FUNCTIONS[target]
                if kind is None and call.assigned:
                    self.chain.add(cmd.line, f"$({'='.join(call.assigned + [target])}): {target} gives no value "
                                             f"to assign")
                for name in call.assigned:
                    if kind == "task":
                        link.task_variables.append(name)
                    self.define(name, kind or "none", index, cmd.line)
            else:
                for name in call.assigned:
                    self.define(name, "alias:" + target, index, cmd.line)
                if not call.assigned:
                    self.chain.add(cmd.line, f"$({target}): the kernel has no function {target} (it has "
                                             f"{', '.join(bootscript.FUNCTIONS)}) and silently ignores it"
                                             f"{_suggest(target, bootscript.FUNCTIONS)}")
        if creates == 0:
            self.chain.add(cmd.line, f"{link.name} has no $(task-create): the kernel loads {file_word.text} and "
                                     "never runs it")
            if link.script.resumes:
                self.chain.add(cmd.line, "$(task-resume) on a line without a task: the kernel panics resuming it")
        elif creates > 1:
            self.chain.add(cmd.line, f"{link.name} calls task-create {creates} times: only the last task runs")

    def kind_of(self, name: str, seen=()) -> str | None:
        """A variable's kind (task, port, string), following aliases; None if undefined."""
        if name not in self.defined or name in seen:
            return None
        kind = self.defined[name][0]
        if kind.startswith("alias:"):
            return self.kind_of(kind[6:], (*seen, name))
        return kind

    def task_owner(self, name: str, seen=()) -> int | None:
        if name not in self.defined or name in seen:
            return None
        kind, link, _ = self.defined[name]
        if kind.startswith("alias:"):
            return self.task_owner(kind[6:], (*seen, name))
        return link if kind == "task" else None

    def uses(self, link: Link) -> None:
        if link.script is None:
            return
        for call in link.script.calls:
            if call.target not in bootscript.FUNCTIONS and call.assigned and self.kind_of(call.target) is None:
                self.chain.add(link.line, f"$({'='.join(call.assigned + [call.target])}): {call.target} is neither "
                                          "a function of the kernel nor a variable"
                                          f"{_suggest(call.target, list(bootscript.FUNCTIONS) + list(self.defined))}")
        counted: dict[str, int] = {}
        for arg in link.script.args:
            if arg.tail_split:
                self.chain.add(link.line, f"'{arg.text}' follows a '}}' in the same word: the kernel makes it an "
                                          "argument of its own")
            if arg.variable is None:
                continue
            kind = self.kind_of(arg.variable)
            if kind is None:
                self.chain.add(link.line, f"the variable ${{{arg.variable}}} is used but never defined: the kernel "
                                          f"stops with 'bootstrap script missing symbol'"
                                          f"{_suggest(arg.variable, self.defined)}")
            elif kind in ("port", "task"):
                counted[arg.variable] = counted.get(arg.variable, 0) + 1
                if counted[arg.variable] == 2:
                    self.chain.add(link.line, f"${{{arg.variable}}} is given twice on one line: inserting the same "
                                              "right twice trips an assertion in the kernel")

    def value_text(self, arg: bootscript.Arg) -> str:
        return (arg.text or "") + (f"${{{arg.variable}}}" if arg.variable else "")

    def resolved(self, variable: str | None, text: str) -> str | None:
        """The string a value becomes, when it is known here (literal text, a kernel string)."""
        if variable is None:
            return text
        if variable in ("kernel-command-line",):
            return text + self.chain.command_line
        name = variable
        while name in self.defined and self.defined[name][0].startswith("alias:"):
            name = self.defined[name][0][6:]
        if self.defined.get(name, ("",))[0] == "string" and self.defined[name][1] is None:
            for word in self.chain.command_line.split():
                if word.startswith(name + "="):
                    return text + word[len(name) + 1:]
        return None

    def options(self, link: Link) -> None:
        if link.script is None:
            return
        known = servers.options_of(link.module) if link.module else None
        args = list(link.script.args)
        given: dict[str, str] = {}
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            text = arg.text or ""
            if text.startswith("--") and len(text) > 2:
                body = text[2:]
                name, eq, value = body.partition("=")
                option = Option(name, None, value if eq else None, arg.variable)
                has_value = bool(eq) or arg.variable is not None
            elif text.startswith("-") and len(text) >= 2 and text != "-" and known and text[1] in known.shorts:
                option = Option(text[:2], known.shorts[text[1]], text[2:] or None, arg.variable)
                name = option.name
                has_value = len(text) > 2 or arg.variable is not None
            else:
                link.positionals.append(self.resolved(arg.variable, text) or self.value_text(arg))
                continue
            if known is None:
                # A module this tree does not have: the Hurd's conventions for hand-offs and ports.
                option.name = name
                if name == "next-task" or name.endswith("-server-task"):
                    self.handoff(link, option)
                elif arg.variable in bootscript.PORT_MEANINGS:
                    link.ports.append((name, arg.variable))
                link.options.append(option)
                continue
            if option.name is None:
                option.name = known.resolve(name)
            if option.name is None:
                self.chain.add(link.line, f"{link.module} has no option --{name}{_suggest(name, known.names(), '--')} "
                                          f"(its options: {', '.join('--' + n for n in known.names())})")
                continue
            kind = known.kinds[option.name]
            shown = option.spelled if option.spelled.startswith("-") else "--" + option.spelled
            if option.name in given:
                self.chain.add(link.line, f"{link.module}: {shown} is given twice")
            given[option.name] = shown
            if kind == servers.FLAG:
                if has_value:
                    self.chain.add(link.line, f"{link.module}: {shown} takes no value")
                link.options.append(option)
                continue
            if not has_value and i < len(args) and not (args[i].text or "").startswith("-"):
                nxt = args[i]
                i += 1
                option.value, option.variable = nxt.text or None, nxt.variable
                has_value = True
            if not has_value:
                self.chain.add(link.line, f"{link.module}: {shown} needs a value")
                continue
            link.options.append(option)
            if kind == servers.NUMBER:
                self.number(link, option, shown)
            if known.is_handoff(option.name):
                self.handoff(link, option)
            elif option.variable in bootscript.PORT_MEANINGS:
                link.ports.append((shown.lstrip("-"), option.variable))
        if known is not None and "store-type" in known.kinds:
            self.root(link, known)

    def number(self, link: Link, option: Option, shown: str) -> None:
        if option.variable is not None:
            kind = self.kind_of(option.variable)
            if kind == "string" and not (option.value or ""):
                value = self.resolved(option.variable, "")
                if value is None or not _NUMBER.fullmatch(value):
                    self.chain.add(link.line, f"{link.module}: {shown}=${{{option.variable}}} is a string, not a "
                                              "number (a port or a task gives one)")
        elif not _NUMBER.fullmatch(option.value or ""):
            self.chain.add(link.line, f"{link.module}: {shown}: '{option.value}' is not a number")

    def handoff(self, link: Link, option: Option) -> None:
        shown = "--" + option.spelled
        if option.variable is None or option.value:
            self.chain.add(link.line, f"the hand-off {shown} is given '{option.value or ''}', not a task: write "
                                      f"{shown}='${{NAME}}' with $(NAME=task-create) on the next link's line")
            return
        kind = self.kind_of(option.variable)
        if kind is None:
            return  # reported as undefined
        if kind != "task":
            what = bootscript.PORT_MEANINGS.get(option.variable, f"a {kind}")
            self.chain.add(link.line, f"the hand-off {shown}='${{{option.variable}}}' is {what}, not a task")
            return
        if link.handoff is not None:
            self.chain.add(link.line, f"{link.name} hands off twice ({link.handoff[0]} and {shown}): a link starts "
                                      "one next link")
            return
        link.handoff = (shown, option.variable)
        target = self.task_owner(option.variable)
        if target is not None:
            self.chain.edges.append((link.index, target))

    def root(self, link: Link, known: servers.Options) -> None:
        store_type = None
        command_line = None
        for option in link.options:
            if option.name == "store-type":
                store_type = option.value if option.variable is None else self.resolved(option.variable, option.value or "")
            if option.name == "multiboot-command-line":
                command_line = self.resolved(option.variable, option.value or "")
        if len(link.positionals) > 1:
            self.chain.add(link.line, f"{link.module}: more than one root device given ("
                                      f"{', '.join(repr(p) for p in link.positionals)})")
            return
        spec = link.positionals[0] if link.positionals else rootspec.root_from_command_line(command_line or "")
        where = "" if link.positionals else " (root= of the kernel's command line)"
        if not spec:
            if command_line is None and any(o.name == "multiboot-command-line" for o in link.options):
                return  # the command line is not known here
            self.chain.add(link.line, f"{link.module}: no root device: give part:N:device:NAME or a device name, "
                                      "or root= in --multiboot-command-line")
            return
        if "${" in spec:
            return  # a value known only at boot
        try:
            link.root_device = rootspec.device_of(spec, store_type)
        except rootspec.RootSpecError as e:
            self.chain.add(link.line, f"{link.module}: the root spec '{spec}'{where} cannot be parsed: {e}")

    def resumption(self) -> None:
        chain = self.chain
        targets: dict[int, int] = {}
        for source, target in chain.edges:
            if target in targets:
                chain.add(chain.links[source].line, f"{chain.links[source].name} and "
                                                    f"{chain.links[targets[target]].name} both hand off to "
                                                    f"{chain.links[target].name}: a task has one link above it")
            else:
                targets[target] = source
        next_of = {s: t for s, t in chain.edges}
        # Cycles: follow each link's hand-offs until a link repeats.
        reported = set()
        for start in next_of:
            path, node = [], start
            while node in next_of and node not in path:
                path.append(node)
                node = next_of[node]
            if node in path:
                cycle = path[path.index(node):]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    names = " -> ".join(chain.links[i].name for i in cycle + [cycle[0]])
                    chain.add(chain.links[cycle[0]].line, f"the hand-offs make a cycle ({names}): none of these "
                                                          "links can start the others")
        roots = [link.index for link in chain.links if link.script and link.script.task_creates and link.script.resumes]
        order, queue = [], list(roots)
        while queue:
            node = queue.pop(0)
            if node in order:
                continue
            order.append(node)
            if node in next_of:
                queue.append(next_of[node])
        chain.order = order
        for link in chain.links:
            if not link.script or not link.script.task_creates:
                continue
            if link.index not in order:
                variable = link.task_variables[0] if link.task_variables else None
                how = (f"no link hands on ${{{variable}}}" if variable else "its task is given no name to hand on "
                       "($(NAME=task-create))")
                chain.add(link.line, f"nothing can ever resume {link.name}: its line has no $(task-resume) and {how}")
            elif link.script.resumes and link.index in targets:
                above = chain.links[targets[link.index]].name
                chain.add(link.line, f"{link.name} is resumed by the kernel and handed to {above} too: it may start "
                                     f"before {above} has set its bootstrap port")


def analyse(text: str, path: str = "grub.cfg", files: dict[str, str] | None = None,
            append: str = "") -> tuple[list[Chain], list[Finding]]:
    """The chains of every menu entry of a grub.cfg text, and all findings. Raises
    grubcfg.GrubSyntaxError when GRUB itself could not read the file."""
    config = grubcfg.parse(text)
    chains, findings = [], []
    for entry in config.entries:
        chain = _Analysis(Chain(path, entry), files or {}, append).run()
        chains.append(chain)
        findings += chain.findings
    if not config.entries:
        findings.append(Finding(path, 1, "no menuentry: GRUB has nothing to boot"))
    return chains, findings


def medium_files(modules_dir: Path) -> dict[str, str]:
    return medium.layout(medium.built_modules(modules_dir))


def check_file(path: Path, modules_dir: Path, append: str = "") -> tuple[list[Finding], str | None]:
    """(findings, None), or ([], why) when the file cannot be read at all."""
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as e:
        return [], f"cannot read {path}: {getattr(e, 'strerror', None) or e}"
    try:
        _, findings = analyse(text, str(path), medium_files(modules_dir), append)
    except grubcfg.GrubSyntaxError as e:
        return [Finding(str(path), e.line, f"GRUB cannot read this: {e.message}")], None
    return findings, None


def drop_missing_links(text: str, path: str = "grub.cfg") -> tuple[str, list[str]]:
    """The grub.cfg text without the lines of the links this chain does not have yet, and
    a note for each. A dropped link's privileged ports and $(task-resume) go to the link it hands
    off to, which then starts first in its place. A link whose hand-off is unknown is kept."""
    chains, _ = analyse(text, path)
    edits = []   # (start, end, replacement), applied from the end of the text backwards
    notes = []
    for chain in chains:
        for link in chain.links:
            stem = Path(medium.normalize(link.file)).name.removesuffix(".static")
            if link.module is not None or stem not in MISSING_LINKS:
                continue
            target = next((t for s, t in chain.edges if s == link.index), None)
            if target is None:
                continue
            moved = [w for w in link.command.args
                     if any(k in w.text for k in ("${host-port}", "${device-port}", "$(task-resume)"))]
            below = chain.links[target]
            edits.append((link.command.start, link.command.end, ""))
            raw = " ".join(text[w.start:w.end] for w in moved)
            if raw:
                edits.append((below.command.end, below.command.end, " " + raw))
            what = ", ".join(w.text.split("=")[0] if w.text.startswith("--") else w.text for w in moved)
            notes.append(f"{path}:{link.line}: dropped {stem} ({MISSING_LINKS[stem]}), a link this chain does not "
                         f"have yet; {below.name} gets its {what or 'place'} and starts first")
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, notes
