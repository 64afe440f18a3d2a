"""The benchmark's rows and their table: what each row measures and in which unit, the
`bench-row:` lines both sides print, the median and the spread of the rounds, the ratio, the
printed table and build/bench/results.json.

A ratio above 1 always means the chain did better: for a rate (MB/s, files/s) it is the chain's
over Linux's, for a time (s, µs) Linux's over the chain's. The spread of a row is the larger of
the two sides' (max - min) / median over the rounds: how far apart the rounds were."""
import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

HIGHER = "higher"  # a rate: more is better
LOWER = "lower"    # a time or a size: less is better


@dataclass(frozen=True)
class Spec:
    key: str     # the name the guest prints on its bench-row line (or the host's own measure)
    name: str    # the name in the table and the JSON
    unit: str    # MB/s, requests/s, files/s, s, µs or KiB
    better: str  # HIGHER or LOWER
    linux: bool = True  # measured on Linux too

    def value(self, m: "Measure") -> float:
        """The row's figure from one measure, in its unit."""
        if self.unit == "MB/s":
            return m.bytes * 1000 / m.ns if m.ns else 0.0
        if self.unit.endswith("/s"):
            return m.count * 1e9 / m.ns if m.ns else 0.0
        if self.unit == "µs":
            return m.ns / m.count / 1000 if m.count else 0.0
        if self.unit == "KiB":
            return m.bytes / 1024
        if self.unit == "s":
            return m.ns / 1e9
        raise ValueError(f"unknown unit {self.unit}")


SPECS = [
    Spec("raw seq 1 MiB", "raw seq 1 MiB", "MB/s", HIGHER),
    Spec("raw seq 64 KiB", "raw seq 64 KiB", "MB/s", HIGHER),
    Spec("raw seq 4 KiB", "raw seq 4 KiB", "MB/s", HIGHER),
    Spec("random 4 KiB", "random 4 KiB", "requests/s", HIGHER),
    Spec("file cold", "file cold (64 MiB)", "MB/s", HIGHER),
    Spec("file warm", "file warm (64 MiB)", "MB/s", HIGHER),
    Spec("small files", "small files (1,000 x 4 KiB)", "files/s", HIGHER),
    Spec("stat", "stat (1,000 in one dir)", "files/s", HIGHER),
    Spec("create", "create (1,000, sync)", "files/s", HIGHER),
    Spec("delete", "delete (1,000, sync)", "files/s", HIGHER),
    Spec("write", "write (64 MiB, sync)", "MB/s", HIGHER),
    Spec("to prompt", "to prompt (QEMU start)", "s", LOWER),
    Spec("lookup and release", "lookup and release", "µs", LOWER, linux=False),
    Spec("io_stat of an open node", "io_stat of an open node", "µs", LOWER, linux=False),
    Spec("null RPC to ext2fs", "null RPC to ext2fs", "µs", LOWER, linux=False),
    Spec("kernel RPC", "kernel RPC (mach_port_type)", "µs", LOWER, linux=False),
    Spec("bare round trip between tasks", "bare round trip between tasks", "µs", LOWER, linux=False),
    Spec("bare mach_msg round trip", "bare mach_msg round trip", "µs", LOWER, linux=False),
    Spec("resident pci-arbiter", "resident pci-arbiter", "KiB", LOWER, linux=False),
    Spec("resident rumpdisk", "resident rumpdisk", "KiB", LOWER, linux=False),
    Spec("resident ext2fs", "resident ext2fs", "KiB", LOWER, linux=False),
    Spec("resident exec", "resident exec", "KiB", LOWER, linux=False),
    Spec("ext2fs resident after the rows", "resident ext2fs after the rows", "KiB", LOWER, linux=False),
]


@dataclass(frozen=True)
class Measure:
    ns: int
    bytes: int
    count: int


_ROW = re.compile(r"^bench-row: (.+?) ns=(\d+) bytes=(\d+) count=(\d+)\s*$", re.M)


def parse(text: str) -> dict[str, Measure]:
    """Every `bench-row: NAME ns=N bytes=B count=C` line of a console, by NAME (the last wins)."""
    return {m.group(1): Measure(int(m.group(2)), int(m.group(3)), int(m.group(4))) for m in _ROW.finditer(text)}


def seconds(value: float) -> Measure:
    """A time the host measured (the time to the prompt), as a Measure."""
    return Measure(round(value * 1e9), 0, 1)


def kib(value: int) -> Measure:
    return Measure(0, value * 1024, 1)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def spread(values: list[float]) -> float:
    """(max - min) / median of the rounds; 0 for fewer than two."""
    if len(values) < 2:
        return 0.0
    middle = statistics.median(values)
    return (max(values) - min(values)) / middle if middle else 0.0


def ratio(spec: Spec, chain: float | None, linux: float | None) -> float | None:
    """Above 1: the chain did better."""
    if chain is None or linux is None or chain == 0 or linux == 0:
        return None
    return chain / linux if spec.better == HIGHER else linux / chain


@dataclass
class Row:
    spec: Spec
    machine: str
    chain_values: list[float]
    linux_values: list[float]

    def as_dict(self) -> dict:
        chain, linux = median(self.chain_values), median(self.linux_values)
        return {"name": self.spec.name, "machine": self.machine, "unit": self.spec.unit,
                "chain": chain, "linux": linux, "ratio": ratio(self.spec, chain, linux),
                "spread": max(spread(self.chain_values), spread(self.linux_values)),
                "better": self.spec.better, "chain_rounds": self.chain_values, "linux_rounds": self.linux_values}


def collect(machine: str, chain_rounds: list[dict[str, Measure]], linux_rounds: list[dict[str, Measure]]) -> list[Row]:
    """One Row per spec from the rounds' measures (a round that lacks a row adds nothing)."""
    rows = []
    for spec in SPECS:
        chain = [spec.value(r[spec.key]) for r in chain_rounds if spec.key in r]
        linux = [spec.value(r[spec.key]) for r in linux_rounds if spec.key in r] if spec.linux else []
        rows.append(Row(spec, machine, chain, linux))
    return rows


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(rows: list[Row]) -> str:
    """The printed table: one line per row, medians, ratio (above 1: the chain better), spread."""
    lines = [f"{'machine':<8} {'row':<31} {'unit':<11} {'chain':>9} {'linux':>9} {'ratio':>7} {'spread':>7}"]
    for row in rows:
        d = row.as_dict()
        ratio_text = "-" if d["ratio"] is None else f"{d['ratio']:.2f}"
        lines.append(f"{d['machine']:<8} {d['name']:<31} {d['unit']:<11} {_figure(d['chain']):>9} "
                     f"{_figure(d['linux']):>9} {ratio_text:>7} {d['spread'] * 100:>6.0f}%")
    return "\n".join(lines)


def write_json(rows: list[Row], path: Path, about: dict | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"rows": [r.as_dict() for r in rows]}
    if about:
        document["about"] = about
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
