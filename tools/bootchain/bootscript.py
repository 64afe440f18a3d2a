"""GNU Mach's boot-script words, read as the kernel reads one module line (kern/boot_script.c):

    NAME word ... --opt=${var} ... $(task-create) $(var=task-create) $(task-resume)

The first word names the task. `${var}` is replaced by the variable's value (a port's name in
the new task, a task port inserted into it, or a string); text before it in the same word is kept,
text after its '}' becomes an argument of its own. `$(fn)` calls a function of the kernel and
vanishes from the arguments; `$(a=fn)` (or `$(a=b=fn)`, `$(a=b)`) also gives variables its value.
A `$(` is seen only at the start of a word; in the middle of one it is plain text.
"""
from dataclasses import dataclass, field

FUNCTIONS = {"task-create": "task", "task-resume": None, "prompt-task-resume": None}
# The variables the kernel sets before it reads the lines (kern/bootstrap.c), with their kinds.
BUILTIN_VARIABLES = {"host-port": "port", "device-port": "port", "kernel-task": "port",
                     "kernel-command-line": "string", "boot-args": "string", "root-device": "string"}
# What the builtin ports are, for messages and the graph.
PORT_MEANINGS = {"host-port": "the privileged host port", "device-port": "the device master port",
                 "kernel-task": "the kernel's task port"}


class ScriptSyntaxError(Exception):
    """The kernel would refuse the line ("syntax error", "invalid variable ...")."""


@dataclass
class Arg:
    """One argument of the task: literal text, then at most one variable's value."""
    text: str | None
    variable: str | None = None
    tail_split: bool = False   # text followed the variable's '}' and became an argument of its own


@dataclass
class Call:
    """A $(...) construct: variables assigned (left of '='), then the function or variable named."""
    assigned: list[str]
    target: str


@dataclass
class Line:
    name: str                       # argv[0], the task's name
    args: list[Arg] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    @property
    def task_creates(self) -> int:
        return sum(1 for c in self.calls if c.target == "task-create")

    @property
    def resumes(self) -> bool:
        return any(c.target in ("task-resume", "prompt-task-resume") for c in self.calls)

    def variables_used(self) -> list[str]:
        return [a.variable for a in self.args if a.variable is not None]


def _is_blank(c: str) -> bool:
    return c in " \t"


def parse_line(text: str) -> Line | None:
    """Parses one module line as the kernel does. None for a line the kernel ignores (empty or a
    comment). Raises ScriptSyntaxError where the kernel refuses the line."""
    p = 0
    n = len(text)
    while p < n and _is_blank(text[p]):
        p += 1
    if p < n and text[p] == "#":
        return None
    q = p
    while q < n and text[q] not in " \t\n":
        q += 1
    if p == q:
        return None
    line = Line(text[p:q])
    p = q + 1
    pending: Arg | None = None   # a text argument whose word goes on with ${...}
    glued = False                # the previous construct's '}' is followed by more of the word
    while True:
        if pending is None:
            while p < n and _is_blank(text[p]):
                p += 1
            if p >= n or text[p] == "\n":
                return line
        if pending is not None or (text[p] == "$" and p + 1 < n and text[p + 1] in "{("):
            end_char = "}" if text[p + 1] == "{" else ")"
            p += 2
            names: list[str] = []
            while True:
                q = p
                while q < n and text[q] not in "\n=" and text[q] != end_char:
                    q += 1
                if p == q or q >= n or text[q] == "\n" or (end_char == "}" and text[q] != "}"):
                    construct = "${" if end_char == "}" else "$("
                    raise ScriptSyntaxError(f"'{construct}{text[p:q]}' is not closed by '{end_char}' "
                                            f"or holds a character the kernel does not allow there")
                names.append(text[p:q])
                c = text[q]
                p = q + 1
                if c == end_char:
                    break
            if end_char == "}":
                name = names[0]
                if name in FUNCTIONS:
                    raise ScriptSyntaxError(f"'${{{name}}}': {name} is a function; call it with $({name})")
                if pending is not None:
                    pending.variable = name
                else:
                    line.args.append(Arg(None, name))
                pending = None
                # Text right after the '}' starts a new argument (the kernel's quirk).
                glued = p < n and not _is_blank(text[p]) and text[p] != "\n"
                continue
            *assigned, target = names
            for a in assigned:
                if a in FUNCTIONS:
                    raise ScriptSyntaxError(f"'$({'='.join(names)})': {a} is a function and cannot be assigned")
            line.calls.append(Call(assigned, target))
            pending = None
            glued = False
            continue
        glued_now, glued = glued, False
        q = p
        while q < n and text[q] not in " \t\n" and not text.startswith("${", q):
            q += 1
        arg = Arg(text[p:q], tail_split=glued_now)
        line.args.append(arg)
        if text.startswith("${", q):
            pending = arg
            p = q
        else:
            p = q + 1 if q < n else q
