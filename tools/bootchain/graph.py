"""`bootchain graph`: a grub.cfg's boot chain as a Graphviz picture, from the same reading as
`bootchain check` (check.Chain): the tasks numbered in the order they are resumed, the kernel's
privileged ports and resumption, each hand-off (who gets whose task port, and so whose bootstrap
port the next task gets), and the root device."""
import shutil
import subprocess
from pathlib import Path

from bootchain import bootscript, check, grubcfg


class GraphError(Exception):
    pass


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dot_of_chain(chain: check.Chain) -> str:
    out = ["digraph bootchain {",
           '  graph [rankdir=TB, fontname="Helvetica", fontsize=11, labelloc=t, label=' +
           _quote(f"{chain.entry.title}: the boot chain") + "];",
           '  node [shape=box, style="rounded,filled", fillcolor="#f4f4f4", fontname="Helvetica", fontsize=11];',
           '  edge [fontname="Helvetica", fontsize=9];']
    kernel = f"GNU Mach\n{chain.kernel or '(no kernel)'}"
    if chain.command_line:
        kernel += f"\n{chain.command_line}"
    out.append(f"  kernel [label={_quote(kernel)}, fillcolor=\"#dde8f5\"];")
    position = {index: n + 1 for n, index in enumerate(chain.order)}
    for link in chain.links:
        step = f"{position[link.index]}. " if link.index in position else "never resumed: "
        label = f"{step}{link.name}\n{link.file}"
        colour = "#e6f2e6" if link.index in position else "#f8d7d7"
        out.append(f"  link{link.index} [label={_quote(label)}, fillcolor=\"{colour}\"];")
    for link in chain.links:
        if link.script and link.script.resumes:
            out.append(f"  kernel -> link{link.index} [label=\"task-resume\", style=bold];")
        for option, port in link.ports:
            meaning = bootscript.PORT_MEANINGS.get(port, port)
            out.append(f"  kernel -> link{link.index} [label={_quote(f'--{option}: {meaning}')}, "
                       "color=\"#b03030\", fontcolor=\"#b03030\", style=dashed];")
    for source, target in chain.edges:
        option, variable = chain.links[source].handoff
        above, below = chain.links[source].name, chain.links[target].name
        handoff = f"{option}=${{{variable}}}: {below}'s task port;\n{above} resumes it"
        bootstrap = f"{below}'s bootstrap port: {above}'s\n(fsys_getpriv: its device master)"
        out.append(f"  link{source} -> link{target} [label={_quote(handoff)}];")
        out.append(f"  link{target} -> link{source} [label={_quote(bootstrap)}, "
                   "style=dotted, color=\"#3060b0\", fontcolor=\"#3060b0\", constraint=false];")
    for link in chain.links:
        if link.root_device:
            spec = link.positionals[0] if link.positionals else "root="
            root = f"root: {spec}\n-> {link.root_device}"
            out.append(f"  root{link.index} [shape=cylinder, label={_quote(root)}, "
                       "fillcolor=\"#fff3cd\"];")
            out.append(f"  link{link.index} -> root{link.index} [label=\"mounts\", style=dashed];")
    out.append("}")
    return "\n".join(out) + "\n"


def dot_of_file(path: Path, modules_dir: Path, entry: int = 0) -> str:
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise GraphError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    try:
        chains, _ = check.analyse(text, str(path), check.medium_files(modules_dir))
    except grubcfg.GrubSyntaxError as e:
        raise GraphError(f"{path}:{e.line}: GRUB cannot read this: {e.message}") from None
    if not 0 <= entry < len(chains):
        raise GraphError(f"{path} has {len(chains)} menu entries: there is no entry {entry}")
    return dot_of_chain(chains[entry])


def render(dot: str, output: Path) -> None:
    """Writes the picture with Graphviz's dot, in the format of the output's suffix (svg, png)."""
    kind = Path(output).suffix.lstrip(".").lower()
    if kind not in ("svg", "png"):
        raise GraphError(f"{output}: say .svg or .png")
    tool = shutil.which("dot")
    if not tool:
        raise GraphError("Graphviz's dot is missing: scripts/setup installs it (Debian package graphviz)")
    result = subprocess.run([tool, f"-T{kind}", "-o", str(output)], input=dot, text=True, capture_output=True)
    if result.returncode != 0:
        raise GraphError(f"dot failed: {result.stderr.strip()}")
