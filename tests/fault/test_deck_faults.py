"""Hostile and damaged decks: whatever a deck file holds, every command answers with one line per
problem (`path:line: ...`, short), exit 2, and no traceback, quickly; the file is never changed.

The generators: hostile values put in place of every field of a deck holding every kind of card
(Hypothesis), the campaign's own examples, byte-level damage to a real deck, and files that are
not decks at all (a FIFO, a device, a huge file)."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from dlquiz.paths import bundled_cards_dir
from tests.fault.mutations import apply, random_edits
from tests.fault.outcome import one_problem, problems

EVERY_KIND = """\
course: 4
course_title: Convolutional Neural Networks
week: 1
title: Hostile
cards:
  - id: h-basic
    question: What is a filter?
    answer: A small matrix.
    explain: It slides over the input.
    note: The notes said otherwise.
    source: Section 1
    tags: [conv, basics]
  - id: h-numeric
    kind: numeric
    question: How many parameters?
    answer: 7600
    tolerance: 0.01
    check: conv_param_count(f=5, n_c_prev=3, n_c=100)
  - id: h-shape
    kind: shape
    question: Which shape?
    answer: [4, 1]
  - id: h-choice
    kind: choice
    question: Which padding?
    options: [valid, same]
    answer: same
  - id: h-truefalse
    kind: truefalse
    question: Pooling has parameters.
    answer: false
  - id: h-formula
    kind: formula
    question: Bias correction?
    answer: '$x$'
    expr: v_t / (1 - beta^t)
  - id: h-drill
    template: positional_encoding_value
    params: {d_model: 8, pos: 0..20}
"""
_FIELD = re.compile(r"^(\s*(?:- )?[a-z_]+: )(.+)$")
FIELDS = [i for i, line in enumerate(EVERY_KIND.splitlines()) if _FIELD.match(line)]

HOSTILE = [
    "9" * 5000, "-" + "9" * 4400, "99999999999999999999", "1000000000000001", "-1.0e+16", "1.0e+400", "-1e400", ".nan",
    ".NaN", ".inf", "-.inf", "1_000_000_000_000_000_000", "0x" + "f" * 40, "2026-13-45", "1:99:99:99", "[9e99]",
    "[99999999999999999999, 1]", "'(99999999999999999999, 1)'", "'9' ", "1..99999999999999999999", "0..1000000000",
    "{pos: 1000000000}", "{pos: 0..99999999999999999999}", "{d_model: .nan}", "{pos: 0.5..0.999999999}",
    '"bell \\a ring"', '"\\e[2J clear"', '"nul \\0"', '"\\x85 next line"', "'" + "x" * 100_000 + "'",
    "[" * 400 + "]" * 400, "{a: " * 60 + "1" + "}" * 60, "!!python/object/apply:os.system ['true']", "&a [1]",
    "*a", "v_t /", "(x +", "'" + "(" * 300 + "x" + ")" * 300 + "'", "1" + "+1" * 998, "((10**64)**64)**64",
    "\"'x'*10**9\"", "'[0]*10**9'", "'round(1, -10**9)'", "'positional_encoding(10**9, 512)'", "[]", "{}", "~",
    "yes", "'  '", "[[1], 2]", "{a: 1}",
]


@pytest.fixture
def hostile_deck(cards_dir):
    path = cards_dir / "c4w1.yaml"

    def write(text: str):
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        return path

    return write


def _with(line_index: int, value: str) -> str:
    lines = EVERY_KIND.splitlines()
    lines[line_index] = _FIELD.sub(lambda m: m.group(1) + value, lines[line_index])
    return "\n".join(lines) + "\n"


def _answered(cli, path, *command) -> None:
    """The command either runs (exit 0/1) or names the deck's problems, one short line each."""
    before = path.read_bytes()
    started = time.monotonic()
    result = cli(*command)
    assert time.monotonic() - started < 20
    if result.exit_code == 2:
        problems(result, code=2, where=f"{path}:")
    else:
        assert result.exit_code in (0, 1) and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert path.read_bytes() == before


@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@seed(15)
@given(line=st.sampled_from(FIELDS), value=st.sampled_from(HOSTILE))
def test_a_hostile_value_in_any_field_is_one_line_per_problem(hostile_deck, cli, line, value):
    _answered(cli, hostile_deck(_with(line, value)), "decks", "--json")


@pytest.mark.parametrize("value", ["9" * 5000, "1e400", ".nan", "'positional_encoding(10**9, 512)'", "((10**64)**64)**64"])
def test_check_runs_or_reports_with_any_hostile_value(hostile_deck, cli, value):
    for line in FIELDS:
        _answered(cli, hostile_deck(_with(line, value)), "check")


def _field_line(key: str, card: str) -> int:
    """The index of `key`'s line in card `card` of EVERY_KIND."""
    lines = EVERY_KIND.splitlines()
    start = lines.index(f"  - id: {card}")
    return next(i for i in range(start, len(lines)) if lines[i].strip().removeprefix("- ").startswith(f"{key}:"))


@pytest.mark.parametrize("key, card, value, message", [
    ("answer", "h-numeric", "9" * 5000, "the number '999999999999999999999999999999999999999…' is too large (at most 1e+15 in size)"),
    ("answer", "h-numeric", "99999999999999999999", "the number '99999999999999999999' is too large (at most 1e+15 in size)"),
    ("answer", "h-numeric", "-1.0e+16", "the number '-1.0e+16' is too large (at most 1e+15 in size)"),
    ("answer", "h-numeric", ".nan", "'.nan' is not a finite number; decks hold finite numbers only"),
    ("answer", "h-numeric", "-.inf", "'-.inf' is not a finite number; decks hold finite numbers only"),
    ("tolerance", "h-numeric", ".inf", "'.inf' is not a finite number; decks hold finite numbers only"),
    ("answer", "h-shape", "[99999999999999999999, 1]", "the number '99999999999999999999' is too large (at most 1e+15 in size)"),
    ("answer", "h-shape", "'(99999999999999999999, 1)'",
     "the answer of a shape card must be a list of dimensions like [4, 1], not '(99999999999999999999, 1)'"),
    ("params", "h-drill", "{pos: 1000000000}", "param 'pos' must be at most 1000, not 1000000000"),
    ("params", "h-drill", "{pos: 1..99999999999999999999}",
     "param 'pos' must be a whole number (or a list, or a range like 8..64), not '1..99999999999999999999'"),
    ("params", "h-drill", "{pos: 0..5000}", "param 'pos' must be at most 1000, not 5000"),
    ("expr", "h-formula", "v_t /", "expr 'v_t /' does not parse: the formula ends too early"),
    ("question", "h-basic", '"Ring the \\a bell"', "control character U+0007 (BEL) is not allowed in a deck; remove it"),
    ("question", "h-basic", '"\\e[2J"', "control character U+001B (ESC) is not allowed in a deck; remove it"),
    ("question", "h-basic", "[a list]", "'question' must be text, not a list"),
    ("question", "h-basic", "{a: map}", "'question' must be text, not a mapping"),
    ("explain", "h-basic", "5", "'explain' must be text, not a number"),
    ("answer", "h-basic", "2026-13-45", "cannot read '2026-13-45'; quote it if it is text"),
    ("id", "h-basic", "'" + "X" * 100_000 + "'",
     "invalid id 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX…': use lowercase letters, digits and hyphens, starting with a letter or digit"),
])
def test_the_campaigns_bad_decks_get_one_line_with_their_line(hostile_deck, cli, key, card, value, message):
    line = _field_line(key, card)
    path = hostile_deck(_with(line, value))
    for command in (("check",), ("decks",), ("show", "h-basic")):
        assert one_problem(cli(*command), code=2, where=f"{path}:") == f"{path}:{line + 1}: {message}"


@pytest.mark.parametrize("raw, line, name", [(b"\x00", 7, "U+0000 (NUL)"), (b"\x07", 7, "U+0007 (BEL)"),
                                             (b"\x1b[2J", 7, "U+001B (ESC)"), (b"\xc2\x85", 7, "U+0085")])
def test_a_raw_control_character_is_one_line_with_its_line(cards_dir, cli, raw, line, name):
    path = cards_dir / "c4w1.yaml"
    path.write_bytes(EVERY_KIND.encode().replace(b"What is a filter?", b"What is a " + raw + b"filter?"))
    assert one_problem(cli("check"), code=2) == f"{path}:{line}: control character {name} is not allowed in a deck; remove it"


def test_crlf_line_ends_are_still_a_deck(cards_dir, cli):
    (cards_dir / "c4w1.yaml").write_bytes(EVERY_KIND.replace("\n", "\r\n").encode())
    assert cli("decks").exit_code == 0


def test_deep_nesting_is_one_line(hostile_deck, cli):
    path = hostile_deck(_with(_field_line("question", "h-basic"), "[" * 500 + "]" * 500))
    assert one_problem(cli("decks"), code=2) == f"{path}:7: nested too deeply (more than 32 levels)"


def test_damaged_real_decks_are_one_line_per_problem(cards_dir, cli):
    real = (bundled_cards_dir() / "c4w2.yaml").read_bytes()
    path = cards_dir / "c4w2.yaml"
    rng = random.Random(15)
    for _ in range(120):
        path.write_bytes(apply(real, random_edits(rng)))
        _answered(cli, path, "decks", "--json")


def _run(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "dlquiz", *args], capture_output=True, text=True, timeout=timeout)


def test_a_fifo_is_refused_without_blocking(cards_dir):
    fifo = cards_dir / "c1w1.yaml"
    os.mkfifo(fifo)
    for args in (["check", str(fifo)], ["decks"]):
        result = _run(*args)  # (a blocking read would hit the timeout)
        assert (result.returncode, result.stderr) == (2, f"{fifo}: not a regular file (a named pipe); a deck is a .yaml file\n")


def test_a_link_to_a_device_is_refused(cards_dir, cli):
    link = cards_dir / "c1w1.yaml"
    link.symlink_to("/dev/zero")
    assert one_problem(cli("check", str(link)), code=2) == f"{link}: not a regular file (a device); a deck is a .yaml file"
    assert one_problem(cli("decks"), code=2) == f"{link}: not a regular file (a device); a deck is a .yaml file"


def test_a_deck_over_64_mb_is_refused_before_it_is_read(cards_dir, cli):
    huge = cards_dir / "c1w1.yaml"
    with open(huge, "wb") as handle:
        handle.truncate(65 * 2**20)  # sparse: no disk used
    assert one_problem(cli("check"), code=2) == f"{huge}: too large for a deck (65 MB; at most 64 MB)"


def test_a_deck_directory_copy_with_a_fifo_inside_still_reports_the_others(cards_dir, cli):
    shutil.copy(bundled_cards_dir() / "c1w1.yaml", cards_dir / "c1w1.yaml")
    os.mkfifo(cards_dir / "c1w2.yaml")
    lines = problems(cli("decks"), code=2)
    assert lines == [f"{cards_dir / 'c1w2.yaml'}: not a regular file (a named pipe); a deck is a .yaml file"]
