"""How every benchmark reports: a list of `Row`s, printed as one fixed-width table, or with
`--json` as one line of JSON that bench/run_all.py collects into a table of all benchmarks.

A row holds dlquiz's figure, the baseline measured in the same run and the target (a ratio to
the baseline, a plain limit, or both); `ok` says whether the target was met.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from dataclasses import dataclass

COLUMNS = ("benchmark", "baseline", "dlquiz", "ratio", "target", "ok")
NUMERIC = {"baseline", "dlquiz", "ratio"}  # right-aligned


@dataclass
class Row:
    """One benchmark figure: see the module docstring."""

    name: str
    value: float | None
    baseline: float | None = None
    unit: str = "s"
    max_ratio: float | None = None
    max_value: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """value / baseline, or None when either is missing (or the baseline is zero)."""
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def ok(self) -> bool | None:
        """Whether every target is met; None when the row has no target or was skipped. A ratio
        target without a baseline to divide by counts as missed."""
        if self.value is None or (self.max_ratio is None and self.max_value is None):
            return None
        value_met = self.max_value is None or self.value <= self.max_value
        ratio_met = self.max_ratio is None or (self.ratio is not None and self.ratio <= self.max_ratio)
        return value_met and ratio_met

    @property
    def target(self) -> str:
        """The target as text ("<= 1.5x", "<= 0.3 s", both joined by "and"), else the note."""
        parts = []
        if self.max_ratio is not None:
            parts.append(f"<= {self.max_ratio:g}x")
        if self.max_value is not None:
            parts.append(f"<= {format_limit(self.max_value, self.unit)}")
        return " and ".join(parts) or self.note

    def to_dict(self) -> dict:
        """The fields plus ratio, ok and target: what `--json` prints for this row."""
        return {**dataclasses.asdict(self), "ratio": self.ratio, "ok": self.ok, "target": self.target}

    @classmethod
    def from_dict(cls, data: dict) -> Row:
        """The row back from `to_dict` (the derived keys are recomputed, not read)."""
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data})


def _scaled(seconds: float) -> tuple[float, str]:
    size = abs(seconds)
    if size >= 1 or size == 0:
        return seconds, "s"
    if size >= 1e-3:
        return seconds * 1e3, "ms"
    return seconds * 1e6, "µs"


def _digits(x: float) -> str:
    """Three significant figures or so, without scientific notation."""
    size = abs(x)
    return f"{x:,.0f}" if size >= 100 else f"{x:.1f}" if size >= 10 else f"{x:.2f}"


def format_value(value: float | None, unit: str = "s") -> str:
    """A figure for the table: seconds as s, ms or µs by size ("172 ms", "6.38 s"); MB as is."""
    if value is None:
        return ""
    if unit != "s":
        return f"{_digits(value)} {unit}"
    number, shown = _scaled(value)
    return f"{_digits(number)} {shown}"


def format_limit(value: float, unit: str = "s") -> str:
    """A target limit, written the way a person would ("0.3 s", "2 ms", "150 MB")."""
    if unit != "s":
        return f"{value:g} {unit}"
    number, shown = (value, "s") if abs(value) >= 0.1 else _scaled(value)
    return f"{number:g} {shown}"


def format_ratio(ratio: float | None) -> str:
    return "" if ratio is None else _digits(ratio)


def status(ok: bool | None) -> str:
    """The ok column: "ok", "MISSED", or blank when there is nothing to judge."""
    return "" if ok is None else "ok" if ok else "MISSED"


def cells(row: Row) -> list[str]:
    """The row's table cells, in COLUMNS order, then a trailing note: the note goes there when
    the target column already shows a target (otherwise the target column shows the note)."""
    extra = row.note if row.note and row.target != row.note else ""
    return [row.name, format_value(row.baseline, row.unit), format_value(row.value, row.unit),
            format_ratio(row.ratio), row.target, status(row.ok), extra]


def table(header: tuple[str, ...], lines: list[list[str]]) -> str:
    """A fixed-width table: one column per header name plus a free trailing column (a note);
    the numeric columns right-aligned."""
    widths = [max([len(name)] + [len(line[i]) for line in lines]) for i, name in enumerate(header)]
    out = []
    for line in [list(header) + [""]] + lines:
        padded = [cell.rjust(w) if name in NUMERIC else cell.ljust(w) for name, cell, w in zip(header, line, widths)]
        out.append("  ".join(padded + line[len(header):]).rstrip())
    return "\n".join(out)


def summary(rows: list[Row]) -> str:
    """"targets: N met, M missed", over the rows that have a target."""
    judged = [row.ok for row in rows if row.ok is not None]
    return f"targets: {judged.count(True)} met, {judged.count(False)} missed"


def report(rows: list[Row], title: str = "") -> None:
    """Print the rows as a table (after `title`), or, when "--json" is in sys.argv, one line of
    JSON: the list of the rows' `to_dict()`."""
    if "--json" in sys.argv:
        print(json.dumps([row.to_dict() for row in rows], ensure_ascii=False), flush=True)
        return
    if title:
        print(title)
    print(table(COLUMNS, [cells(row) for row in rows]), flush=True)


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add the --json option that `report` obeys."""
    parser.add_argument("--json", action="store_true", help="print the rows as JSON for bench/run_all.py")
