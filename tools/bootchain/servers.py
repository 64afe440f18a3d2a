"""What each module of the tree accepts on its boot-script line, read from the C++ that parses it.

A server states its options once, where it registers them on its base::OptionParser
(`options.add_flag("readonly", ...)`, `add_text`, `add_number`, `add_alias`, `add_short`), and a
link of the chain gets the chain's own options from chain::Link::start (lib/chain/link.cpp): the
privileged ports and, when its LinkConfig names one (`{ "ext2fs", "exec-server-task" }`), its
hand-off option and the Hurd's `--next-task` for it. `bootchain check` reads those registrations
here instead of keeping a list of its own, so that it never drifts from the code. A registration
whose name is not a string literal cannot be read: that is an error (ServerError), not a silent gap.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

from bootchain import paths

FLAG, TEXT, NUMBER = "flag", "text", "number"


class ServerError(Exception):
    """A module's option registrations could not be read."""


@dataclass
class Options:
    """The options of one module, by name without "--"."""
    module: str
    kinds: dict[str, str] = field(default_factory=dict)        # name -> FLAG, TEXT or NUMBER
    aliases: dict[str, str] = field(default_factory=dict)      # second spelling -> name
    shorts: dict[str, str] = field(default_factory=dict)       # one letter -> name
    handoff: str | None = None   # the link's hand-off option ("exec-server-task"), if it is a link
    is_link: bool = False

    def resolve(self, name: str) -> str | None:
        """The option a spelling means (following an alias), or None if unknown."""
        name = self.aliases.get(name, name)
        return name if name in self.kinds else None

    def names(self) -> list[str]:
        return sorted(set(self.kinds) | set(self.aliases))

    def is_handoff(self, name: str) -> bool:
        return self.handoff is not None and self.resolve(name) == self.handoff


# options.add_flag("name", ...), add_text, add_number: the registration of one option.
_ADD = re.compile(r"\badd_(flag|text|number)\(\s*")
_ALIAS = re.compile(r"\badd_alias\(\s*")
_SHORT = re.compile(r"\badd_short\(\s*")
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
_CHAR = re.compile(r"'(.)'")
# link.start(argc, argv, { "ext2fs", "exec-server-task" ... }, options): the link's name and hand-off.
_LINK_START = re.compile(r"\.start\(\s*argc\s*,\s*argv\s*,\s*\{\s*([^}]*)\}")


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _literal_after(text: str, pos: int, where: str) -> tuple[str, int]:
    match = _LITERAL.match(text, pos)
    if not match:
        snippet = text[pos:pos + 40].split("\n")[0]
        raise ServerError(f"{where}: an option is registered with a name that is not a string literal "
                          f"({snippet}...): bootchain check cannot read it")
    return match.group(1), match.end()


def read_registrations(text: str, where: str, into: Options, link_file: bool = False) -> None:
    """Adds the registrations of one C++ source to `into`. In lib/chain/link.cpp (link_file) the
    registrations that take the LinkConfig's hand-off name are the hand-off and its alias."""
    text = _strip_comments(text)
    for match in _ADD.finditer(text):
        if link_file and text.startswith("config.next_option", match.end()):
            continue  # the hand-off itself, named by each server's LinkConfig
        name, _ = _literal_after(text, match.end(), where)
        into.kinds[name] = match.group(1)
    for match in _ALIAS.finditer(text):
        alias, end = _literal_after(text, match.end(), where)
        rest = text[end:].lstrip(", \n\t")
        if link_file and rest.startswith("config.next_option"):
            if into.handoff:
                into.aliases[alias] = into.handoff
            continue
        name, _ = _literal_after(text, end + len(text[end:]) - len(rest), where)
        into.aliases[alias] = name
    for match in _SHORT.finditer(text):
        letter = _CHAR.match(text, match.end())
        if not letter:
            raise ServerError(f"{where}: a short option is registered with a letter that is not a character literal")
        rest_at = letter.end()
        rest = text[rest_at:].lstrip(", \n\t")
        name, _ = _literal_after(text, rest_at + len(text[rest_at:]) - len(rest), where)
        into.shorts[letter.group(1)] = name


def source_dir(module: str, root: Path | None = None) -> Path | None:
    """The folder of a module's sources: servers/NAME, or a tests/.../NAME or programs/NAME folder
    whose main.cpp defines module_main."""
    root = Path(root or paths.ROOT)
    for candidate in [root / "servers" / module, *sorted(root.glob(f"tests/**/{module}")),
                      root / "programs" / module]:
        main = candidate / "main.cpp"
        if main.is_file() and "module_main" in main.read_text(errors="replace"):
            return candidate
    return None


def module_options(module: str, root: Path | None = None) -> Options | None:
    """The options of a module of the tree, or None when the tree has no such module."""
    root = Path(root or paths.ROOT)
    folder = source_dir(module, root)
    if folder is None:
        return None
    options = Options(module)
    sources = sorted(folder.glob("*.cpp"))
    texts = {s: _strip_comments(s.read_text(errors="replace")) for s in sources}
    for source, text in texts.items():
        start = _LINK_START.search(text)
        if start:
            options.is_link = True
            words = _LITERAL.findall(start.group(1))
            options.handoff = words[1] if len(words) > 1 else None
    for source, text in texts.items():
        read_registrations(text, str(source.relative_to(root)), options)
    if options.is_link:
        link_cpp = root / "lib/chain/link.cpp"
        read_registrations(link_cpp.read_text(), str(link_cpp.relative_to(root)), options, link_file=True)
        if options.handoff:
            options.kinds[options.handoff] = NUMBER
    return options


_cache: dict[tuple[str, str], Options | None] = {}


def options_of(module: str, root: Path | None = None) -> Options | None:
    key = (module, str(root or paths.ROOT))
    if key not in _cache:
        _cache[key] = module_options(module, root)
    return _cache[key]
