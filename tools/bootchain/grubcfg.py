"""A grub.cfg read as GRUB reads it: commands split into words with GRUB's quoting ('...' keeps
everything, "..." and bare words expand $name and ${name} and take backslash escapes, a backslash
at the end of a line joins the next one, # starts a comment), `set NAME=VALUE`, and the blocks of
`menuentry`/`submenu` ({ ... }). The words of `if`/`then`/`else`/`fi` are skipped and the commands
between them kept, as GRUB could run any of them.

GRUB expands its own variables in a word before the kernel sees it. A boot-script word of GNU
Mach (${host-port}, $(task-create)) must therefore be in single quotes; one that is not is
recorded on the word (Word.grub_dollars), for `bootchain check` to report.
"""
from dataclasses import dataclass, field

# Variables GRUB sets itself while it boots: their values are not known here.
GRUB_BUILTINS = {"root", "prefix", "cmdpath", "grub_platform", "grub_cpu", "menuentry_id_option",
                 "feature_platform_search_hint", "feature_default_font_path", "feature_all_video_module",
                 "feature_menuentry_id", "feature_menuentry_options", "feature_timeout_style",
                 "feature_200_final", "feature_nativedisk_cmd", "chosen", "default", "timeout", "lang",
                 "locale_dir", "pager", "color_normal", "color_highlight", "net_default_server", "?"}
UNKNOWN = None  # the value of a GRUB variable set at boot time


class GrubSyntaxError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Word:
    text: str             # after GRUB's quoting and expansion
    line: int
    start: int            # offsets of the raw word in the file
    end: int
    single_quoted: bool = False   # some of it came from single quotes
    grub_dollars: list[str] = field(default_factory=list)  # $... GRUB itself read ("${root}")
    unknown_value: bool = False   # it holds a variable GRUB sets at boot (its value is not known)


@dataclass
class Command:
    words: list[Word]
    line: int
    start: int
    end: int

    @property
    def name(self) -> str:
        return self.words[0].text if self.words else ""

    @property
    def args(self) -> list[Word]:
        return self.words[1:]


@dataclass
class Entry:
    title: str
    line: int
    commands: list[Command]


@dataclass
class Config:
    entries: list[Entry]
    top: list[Command]      # commands outside any menuentry
    variables: dict         # GRUB variables after the top-level commands


_NAME_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME = _NAME_START | set("0123456789")
_SPECIAL = set("?#*@")
_KEYWORDS = {"if", "then", "else", "elif", "fi", "while", "until", "do", "done", "for", "in", "!"}


class _Lexer:
    def __init__(self, text: str, variables: dict):
        self.text = text
        self.pos = 0
        self.line = 1
        self.variables = variables

    def peek(self, k: int = 0) -> str:
        i = self.pos + k
        return self.text[i] if i < len(self.text) else ""

    def advance(self) -> str:
        c = self.text[self.pos]
        self.pos += 1
        if c == "\n":
            self.line += 1
        return c

    def skip_blanks(self) -> None:
        """Spaces, tabs, comments and joined lines; stops at a newline or ';'."""
        while self.pos < len(self.text):
            c = self.peek()
            if c in " \t\r":
                self.advance()
            elif c == "\\" and self.peek(1) == "\n":
                self.advance()
                self.advance()
            elif c == "#":
                while self.pos < len(self.text) and self.peek() != "\n":
                    self.advance()
            else:
                return

    def variable(self, word: Word, quoted: bool) -> str:
        """After a '$': expands a GRUB variable and returns its value."""
        start_line = self.line
        if self.peek() == "{":
            end = self.text.find("}", self.pos)
            if end < 0 or "\n" in self.text[self.pos:end]:
                raise GrubSyntaxError(start_line, "a '${' without its '}'")
            name = self.text[self.pos + 1:end]
            for _ in range(end + 1 - self.pos):
                self.advance()
            raw = "${" + name + "}"
        elif self.peek() == "(":
            # GRUB has no $(...): it reads the '$' as a character and the '(' as its own token.
            end = self.text.find(")", self.pos)
            name = self.text[self.pos + 1:end] if end > 0 else ""
            word.grub_dollars.append("$(" + name + ")")
            return "$"
        elif self.peek() in _NAME_START or self.peek() in _SPECIAL or self.peek().isdigit():
            start = self.pos
            if self.peek() in _SPECIAL:
                self.advance()
            else:
                while self.peek() in _NAME:
                    self.advance()
            name = self.text[start:self.pos]
            raw = "$" + name
        else:
            return "$"
        word.grub_dollars.append(raw)
        if not (name and (all(c in _NAME for c in name) or name in _SPECIAL)):
            # ${kernel-command-line} is no GRUB variable name: GRUB leaves it as it is.
            return raw
        value = self.variables.get(name, "")
        if value is UNKNOWN:
            word.unknown_value = True
            return ""
        return value

    def word(self) -> Word | None:
        """The next word of the command, or None at its end (newline, ';' or end of text)."""
        self.skip_blanks()
        if self.pos >= len(self.text) or self.peek() in "\n;":
            return None
        word = Word("", self.line, self.pos, self.pos)
        out = []
        if self.peek() in "{}" and (self.peek(1) in " \t\r\n;" or self.peek(1) == ""):
            out.append(self.advance())
        else:
            while self.pos < len(self.text):
                c = self.peek()
                if c in " \t\r\n;":
                    break
                if c == "\\":
                    self.advance()
                    if self.pos < len(self.text):
                        nxt = self.advance()
                        if nxt != "\n":
                            out.append(nxt)
                elif c == "'":
                    start_line = self.line
                    self.advance()
                    end = self.text.find("'", self.pos)
                    if end < 0:
                        raise GrubSyntaxError(start_line, "a single quote (') that is never closed")
                    while self.pos < end:
                        out.append(self.advance())
                    self.advance()
                    word.single_quoted = True
                elif c == '"':
                    start_line = self.line
                    self.advance()
                    while True:
                        if self.pos >= len(self.text):
                            raise GrubSyntaxError(start_line, 'a double quote (") that is never closed')
                        d = self.advance()
                        if d == '"':
                            break
                        if d == "\\" and self.peek() in ('$', '"', "\\", "\n"):
                            e = self.advance()
                            if e != "\n":
                                out.append(e)
                        elif d == "$":
                            out.append(self.variable(word, quoted=True))
                        else:
                            out.append(d)
                elif c == "$":
                    self.advance()
                    out.append(self.variable(word, quoted=False))
                else:
                    out.append(self.advance())
        word.text = "".join(out)
        word.end = self.pos
        return word

    def command(self) -> Command | None:
        """The next command (skipping empty ones), or None at the end of the text."""
        while self.pos < len(self.text):
            start, line = self.pos, self.line
            words = []
            while True:
                w = self.word()
                if w is None:
                    break
                words.append(w)
            end = self.pos
            if self.pos < len(self.text):
                self.advance()  # the newline or ';'
            while words and words[0].text in _KEYWORDS and not words[0].single_quoted:
                words.pop(0)
            if words:
                return Command(words, words[0].line, words[0].start, end)
            del start, line
        return None


def parse(text: str) -> Config:
    """Reads a grub.cfg. Raises GrubSyntaxError when GRUB could not read it."""
    variables: dict = {name: UNKNOWN for name in GRUB_BUILTINS}
    lexer = _Lexer(text, variables)
    entries: list[Entry] = []
    top: list[Command] = []
    # Blocks open: ("menuentry", Entry, saved variables) or ("block", None, None).
    stack: list[tuple] = []
    while True:
        cmd = lexer.command()
        if cmd is None:
            break
        if cmd.name == "}" and not cmd.words[0].single_quoted:
            if not stack:
                raise GrubSyntaxError(cmd.line, "a '}' that closes no block")
            kind, entry, saved = stack.pop()
            if kind == "menuentry":
                entries.append(entry)
                # A menuentry's `set` lasts while it runs; after it the variables are as before.
                lexer.variables = saved
            if len(cmd.words) > 1:
                raise GrubSyntaxError(cmd.line, f"words after a '}}': {' '.join(w.text for w in cmd.words[1:])}")
            continue
        opens = bool(cmd.words) and cmd.words[-1].text == "{" and not cmd.words[-1].single_quoted
        if opens:
            cmd.words.pop()
        if cmd.name == "menuentry":
            if not opens:
                raise GrubSyntaxError(cmd.line, "a menuentry without its '{' on the same line")
            title = cmd.args[0].text if cmd.args else ""
            entry = Entry(title, cmd.line, [])
            stack.append(("menuentry", entry, dict(lexer.variables)))
            continue
        if opens:
            stack.append(("block", None, None))  # submenu, function: their commands are read on
            continue
        current = next((e for kind, e, _ in reversed(stack) if kind == "menuentry"), None)
        (current.commands if current is not None else top).append(cmd)
        if cmd.name == "set" and cmd.args:
            assignment = cmd.args[0].text
            if "=" in assignment:
                name, value = assignment.split("=", 1)
                lexer.variables[name] = UNKNOWN if cmd.args[0].unknown_value else value
        elif cmd.name == "search" and any(w.text.startswith("--set") for w in cmd.args):
            for w in cmd.args:
                if w.text.startswith("--set="):
                    lexer.variables[w.text[6:]] = UNKNOWN
                elif w.text == "--set":
                    lexer.variables["root"] = UNKNOWN
    if stack:
        raise GrubSyntaxError(lexer.line, "a block ({) that is never closed")
    return Config(entries, top, lexer.variables)
