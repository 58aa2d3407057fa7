"""The house: dlquiz's modules import one way (command line -> terminal UI -> core -> base), with
no import cycle anywhere, and no module grows past 400 lines. The graph is read from the `ast` of
every module, imports inside functions included (docs/architecture.md is the map)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dlquiz"
MAX_LINES = 400

# The layers, lowest first. A module may import its own layer and the ones below, never above.
BASE = {"dlquiz", "dlquiz.errors", "dlquiz.paths", "dlquiz.config", "dlquiz.model", "dlquiz.sm2", "dlquiz.reference",
        "dlquiz.cloze"}
UI = {"dlquiz.render.cards", "dlquiz.render.markdown", "dlquiz.render.columns", "dlquiz.review.screen", "dlquiz.review.bars",
      "dlquiz.review.keys", "dlquiz.review.actions", "dlquiz.stats.view"}
API = {"dlquiz.answers"}  # the public API's old names, for other programs: nothing inside imports them
LAYERS = ("base", "core", "ui", "cli")
TERMINAL = {"rich": "ui", "typer": "cli", "click": "cli"}  # third-party packages only these layers may use
# Within the core, subsystems go one way too: a package imports its own modules and those of
# packages of a lower rank (render.math, render.markup <- checking <- decks <- review <- export,
# stats <- sync): checking reads shown LaTeX and prints formulas the way the cards do.
CORE_RANK = {"render": 0, "checking": 1, "decks": 2, "review": 3, "export": 4, "stats": 4, "sync": 5}


def layer(module: str) -> str:
    if module in BASE or module.startswith("dlquiz.reference."):
        return "base"
    if module in UI:
        return "ui"
    if module.startswith("dlquiz.cli") or module == "dlquiz.__main__":
        return "cli"
    if module in API:
        return "api"
    return "core"


def core_may_import(module: str, other: str) -> bool:
    """May core module `module` import core module `other` (by their subsystems' ranks)?"""
    mine, theirs = module.split(".")[1], other.split(".")[1]
    return mine == theirs or CORE_RANK[theirs] < CORE_RANK[mine]


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(module: str, path: Path, known: dict[str, Path]) -> tuple[set[str], set[str]]:
    """(dlquiz modules, other top-level packages) that `module` imports, anywhere in its code."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    inside, outside = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] != "dlquiz":
                outside.add(name.split(".")[0])
                continue
            while name and name not in known:  # `from dlquiz.x import y`: y may be a name, not a module
                name = name.rpartition(".")[0]
            if name and name != module:
                inside.add(name)
    return inside, outside


@pytest.fixture(scope="module")
def graph() -> dict[str, tuple[set[str], set[str]]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for node in sorted(edges):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_no_import_cycles(graph):
    found = cycles({name: inside for name, (inside, _) in graph.items()})
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_imports_go_one_way(graph):
    wrong = []
    for name, (inside, outside) in sorted(graph.items()):
        mine = layer(name)
        rank = LAYERS.index(mine) if mine != "api" else LAYERS.index("core")
        for other in sorted(inside):
            theirs = layer(other)
            if theirs == "api":
                wrong.append(f"{name} imports {other}: a public-API alias for other programs; import the module it names")
            elif LAYERS.index(theirs) > rank:
                wrong.append(f"{name} ({mine}) imports {other} ({theirs}): imports go cli -> ui -> core -> base")
            elif mine == theirs == "core" and not core_may_import(name, other):
                wrong.append(f"{name} imports {other}: in the core, render <- checking <- decks <- review <- export, stats")
        for package, lowest in TERMINAL.items():
            if package in outside and rank < LAYERS.index(lowest):
                wrong.append(f"{name} ({mine}) imports {package}: only the {lowest} layer and above may")
    assert not wrong, "\n".join(wrong)


def test_the_graph_test_sees_what_it_must():
    """The checks above can fail: a cycle, an upward import and a terminal import are found."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert layer("dlquiz.review.store") == "core" and layer("dlquiz.review.screen") == "ui"
    assert layer("dlquiz.cli.app") == "cli" and layer("dlquiz.errors") == "base"
    assert core_may_import("dlquiz.review.session", "dlquiz.decks.collection")
    assert not core_may_import("dlquiz.decks.format", "dlquiz.review.store")
    assert not core_may_import("dlquiz.stats.numbers", "dlquiz.export.notes")
    assert core_may_import("dlquiz.checking.latex", "dlquiz.render.math.parse")
    assert not core_may_import("dlquiz.render.markup", "dlquiz.checking.formula")
    known = modules()
    inside, outside = imports("dlquiz.review.screen", known["dlquiz.review.screen"], known)
    assert "rich" in outside and "dlquiz.review.session" in inside


def test_no_module_over_400_lines():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them): {long}"


def test_every_package_says_what_lives_there_and_what_it_may_import():
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert len(doc.split()) >= 15 and "import" in doc, f"{init}: say what lives here and what it may import"


def test_the_public_api_keeps_its_names():
    """dlquiz.sm2, dlquiz.answers and dlquiz.reference are what other programs import (DESIGN.md)."""
    code = (
        "from dlquiz.sm2 import SM2State, review\n"
        "from dlquiz.answers import Verdict, check\n"
        "from dlquiz import reference\n"
        "state = review(review(SM2State(), 5), 4)\n"
        "print(state.repetitions, state.interval, state.easiness)\n"
        "v = check('numeric', 7600, '7,600')\n"
        "print(isinstance(v, Verdict), v.correct, check('shape', (4, 1), '(1, 4)').correct)\n"
        "print(reference.conv_output_size(32, 5, pad=1, stride=2), reference.iou((0, 0, 2, 2), (1, 1, 3, 3)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:3] == ["2 6 2.6", "True True False", f"15 {1 / 7}"]
