"""Run every benchmark in bench/ and print one table of all their figures, ratios and targets.

Each bench/bench_*.py (sorted by name) runs as its own process with `--json`, with a fresh
temporary DLQUIZ_HOME and without DLQUIZ_CARDS or DLQUIZ_NOW, so no benchmark touches the user's
directory (a bench that needs a collection writes its own). A bench that fails (a non-zero exit,
or output that is not its JSON rows) is shown as a failed row with the last line it wrote to
stderr, and the others still run. Exit status: 1 if a target was missed or a bench failed, else 0.

The whole run takes about half an hour on 2 cores: the 200,000-card benchmark (bench_scale.py)
takes 12 minutes and the 50,000-card ones several. `--quick` passes `--quick` to the scripts that
take it (bench_scale.py: 10,000 and 50,000 cards only).

Run: python bench/run_all.py [--quick] [--only NAME] [--json] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import COLUMNS, Row, cells, summary, table  # noqa: E402


@dataclass
class Outcome:
    """What one bench script gave: its rows, or why it failed."""

    script: str
    rows: list[Row] = field(default_factory=list)
    error: str = ""  # "exit 1", "output is not JSON rows"; empty when the bench ran
    detail: str = ""  # the last line the failed bench wrote to stderr


def discover(folder: Path, only: str | None = None) -> list[Path]:
    """The bench scripts in `folder`, sorted by name, those whose name holds `only` if given."""
    return [p for p in sorted(folder.glob("bench_*.py")) if only is None or only in p.name]


def child_env(home: str) -> dict[str, str]:
    """This environment with a private DLQUIZ_HOME and no deck directory or pinned clock; Python
    writes its bytecode caches, as on a user's machine (so start-up times are not compile times)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DLQUIZ_CARDS", "DLQUIZ_NOW", "PYTHONDONTWRITEBYTECODE")}
    env["DLQUIZ_HOME"] = home
    return env


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def parse_rows(stdout: str) -> list[Row]:
    """The rows a bench printed with --json: the last non-empty line of its output."""
    data = json.loads(_last_line(stdout))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValueError("not a list of rows")
    return [Row.from_dict(item) for item in data]


def takes_quick(script: Path) -> bool:
    """Whether a bench script has a --quick option."""
    return '"--quick"' in script.read_text(encoding="utf-8")


def run_bench(script: Path, quick: bool = False) -> Outcome:
    """Run one bench script with --json (and --quick, if asked and it has one) in a fresh
    DLQUIZ_HOME; its rows, or the failure."""
    flags = ["--json"] + (["--quick"] if quick and takes_quick(script) else [])
    with tempfile.TemporaryDirectory(prefix="dlquiz-bench-") as home:
        done = subprocess.run([sys.executable, str(script), *flags], env=child_env(home),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    detail = _last_line(done.stderr) or "(nothing on stderr)"
    if done.returncode != 0:
        return Outcome(script.name, error=f"exit {done.returncode}", detail=detail)
    try:
        return Outcome(script.name, rows=parse_rows(done.stdout))
    except (ValueError, TypeError, KeyError):  # json.JSONDecodeError is a ValueError
        return Outcome(script.name, error="output is not JSON rows", detail=detail)


def table_lines(outcomes: list[Outcome]) -> list[list[str]]:
    """One table line per row of every bench, with the script in front; one per failed bench."""
    lines = []
    for outcome in outcomes:
        if outcome.error:
            lines.append([outcome.script, f"bench failed ({outcome.error})", "", "", "", "", "FAILED", outcome.detail])
        lines += [[outcome.script, *cells(row)] for row in outcome.rows]
    return lines


def as_json(outcomes: list[Outcome]) -> list[dict]:
    """Every row as its JSON dict with the script added; a failed bench as script + error."""
    out = []
    for outcome in outcomes:
        if outcome.error:
            out.append({"script": outcome.script, "error": outcome.error, "detail": outcome.detail})
        out += [{"script": outcome.script, **row.to_dict()} for row in outcome.rows]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", metavar="NAME", help="run only the bench scripts whose file name contains NAME")
    parser.add_argument("--json", action="store_true", help="print all rows as one line of JSON")
    parser.add_argument("--quick", action="store_true", help="pass --quick to the bench scripts that take it")
    parser.add_argument("--dir", type=Path, default=Path(__file__).resolve().parent,
                        help="the folder of bench_*.py scripts (default: the one holding run_all.py)")
    args = parser.parse_args(argv)
    scripts = discover(args.dir, args.only)
    if not scripts:
        parser.error(f"no bench_*.py in {args.dir} matches {args.only!r}")
    outcomes = []
    for i, script in enumerate(scripts, 1):
        # Progress goes to stderr: stdout is the table (or the JSON) alone.
        print(f"[{i}/{len(scripts)}] {script.name} ...", end=" ", file=sys.stderr, flush=True)
        started = time.perf_counter()
        outcomes.append(run_bench(script, args.quick))
        print(f"{'FAILED' if outcomes[-1].error else 'done'} in {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)
    rows = [row for outcome in outcomes for row in outcome.rows]
    failed = sum(bool(outcome.error) for outcome in outcomes)
    if args.json:
        print(json.dumps(as_json(outcomes), ensure_ascii=False))
    else:
        print(table(("script", *COLUMNS), table_lines(outcomes)))
        print(f"\n{summary(rows)}; bench scripts: {failed} of {len(outcomes)} failed")
    missed = any(row.ok is False for row in rows)
    return 1 if missed or failed else 0


if __name__ == "__main__":
    sys.exit(main())
