"""Deck errors in plain words, generated: real deck files (the bundled decks) mutated the ways people
break YAML by hand: a ':' in unquoted text, a key indented unlike its card's other keys, a
true/false typo, a misspelt reference function. Each mutation must give exactly one stderr line,
`path:line: ...`, on the mutated line (a check's problem: on its card's line), naming the card
and saying what to do. Also `dlquiz check --functions` and its copy in docs/deck-format.md."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlquiz.checking import checks
from dlquiz.paths import bundled_cards_dir

DECKS = sorted(bundled_cards_dir().glob("*.yaml"))
ROOT = Path(__file__).resolve().parent.parent.parent
_KEY = re.compile(r"( *)(- )?([a-z_]+): ?(.*)")
_PLAIN = re.compile(r"[^'\"|>\[{&*!%@`#\s-][^#]*")  # a plain one-line scalar (no comment)


@dataclass(frozen=True)
class KeyLine:
    index: int  # 0-based line
    card: str
    key: str
    indent: int
    value: str
    plain: bool  # a plain scalar on this line alone (the next line is not more indented)


def key_lines(text: str) -> list[KeyLine]:
    lines = text.splitlines()
    found, card, block = [], None, None  # block: the indent of a key whose value is a block of text
    for index, line in enumerate(lines):
        if block is not None and (not line.strip() or len(line) - len(line.lstrip(" ")) > block):
            continue  # a line of that block (`layer: the rows are ...` is text there, not a key)
        block = None
        match = _KEY.fullmatch(line)
        if not match or not match.group(1):
            continue
        indent, dash, key, value = len(match.group(1)) + (2 if match.group(2) else 0), match.group(2), match.group(3), match.group(4)
        if value[:1] in ("|", ">"):
            block = indent
        if dash and key == "id":
            card = value
        following = next((other for other in lines[index + 1:] if other.strip()), "")
        continues = len(following) - len(following.lstrip(" ")) > indent
        found.append(KeyLine(index, card, key, indent, value, bool(_PLAIN.fullmatch(value)) and not continues))
    return [k for k in found if k.card]


def run_check(cli, tmp_path: Path, deck: Path, lines: list[str]):
    path = tmp_path / deck.name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("check", str(path))
    assert len(result.stderr.splitlines()) == 1, result.stderr
    return path, result


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.sampled_from(DECKS), st.data())
def test_a_colon_in_unquoted_text_says_to_quote_it(cli, tmp_path, deck, data):
    text = deck.read_text(encoding="utf-8")
    candidates = [k for k in key_lines(text) if k.key in ("question", "explain", "note", "source") and k.plain
                  and " " in k.value and ": " not in k.value and not k.value.endswith(":")]
    target = data.draw(st.sampled_from(candidates))
    words = target.value.split(" ")
    cut = data.draw(st.integers(1, len(words) - 1))
    lines = text.splitlines()
    lines[target.index] = lines[target.index].replace(target.value, " ".join(words[:cut]) + ": " + " ".join(words[cut:]))
    path, result = run_check(cli, tmp_path, deck, lines)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:{target.index + 1}: invalid YAML in card {target.card!r}: quote the text "
                                    f"(a ':' followed by a space starts a new key): {target.key}: \""), result.stderr


@SETTINGS
@given(st.sampled_from(DECKS), st.data())
def test_a_key_indented_unlike_its_card_says_so(cli, tmp_path, deck, data):
    text = deck.read_text(encoding="utf-8")
    every = key_lines(text)
    # keys after a key whose plain value ends on its own line (after a block of text, more
    # indentation is more text, not an error)
    candidates = [k for before, k in zip(every, every[1:]) if before.card == k.card and before.plain and k.key != "id"]
    target = data.draw(st.sampled_from(candidates))
    shift = data.draw(st.sampled_from([-2, -1, 1, 2]))
    lines = text.splitlines()
    line = lines[target.index]
    lines[target.index] = line[-shift:] if shift < 0 else " " * shift + line
    path, result = run_check(cli, tmp_path, deck, lines)
    assert result.exit_code == 2
    assert result.stderr == (f"{path}:{target.index + 1}: invalid YAML in card {target.card!r}: bad indentation: "
                             f"{target.key!r} is indented {target.indent + shift} spaces, the card's other keys "
                             f"{target.indent} (the keys of a card line up)\n")


TYPOS = {"true": ["ture", "treu", "tru", "Ture", "yes", "on", "t", "y"], "false": ["flase", "fasle", "fals", "Fasle", "no", "off", "f", "n"]}


@SETTINGS
@given(st.sampled_from([d for d in DECKS if "kind: truefalse" in d.read_text(encoding="utf-8")]), st.data())
def test_a_true_false_typo_gets_a_did_you_mean(cli, tmp_path, deck, data):
    text = deck.read_text(encoding="utf-8")
    answers = [k for k in key_lines(text) if k.key == "answer" and k.value in ("true", "false")]
    target = data.draw(st.sampled_from(answers))
    typo = data.draw(st.sampled_from(TYPOS[target.value]))
    lines = text.splitlines()
    lines[target.index] = lines[target.index].replace(f"answer: {target.value}", f"answer: {typo}")
    path, result = run_check(cli, tmp_path, deck, lines)
    assert result.exit_code == 2
    assert result.stderr == (f"{path}:{target.index + 1}: the answer of a truefalse card must be true or false, "
                             f"not {typo!r} (did you mean {target.value}?)\n")


def misspell(name: str, how: int, at: int) -> str:
    at %= len(name) - 1
    return [name[:at] + name[at + 1:], name[:at] + name[at + 1] + name[at] + name[at + 2:], name[:at] + name[at] + name[at:]][how]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([d for d in DECKS if re.search(r"\n    check: .*[a-z_]\(", d.read_text(encoding="utf-8"))]), st.data())
def test_a_misspelt_function_lists_the_close_names(cli, tmp_path, deck, data):
    text = deck.read_text(encoding="utf-8")
    every = key_lines(text)
    target = data.draw(st.sampled_from([k for k in every if k.key == "check" and re.search(r"[a-z_]\(", k.value)]))  # (a call, not `8 - 1`)
    name = re.search(r"([a-z_][a-z0-9_]*)\(", target.value).group(1)
    wrong = misspell(name, data.draw(st.integers(0, 2)), data.draw(st.integers(0, 100)))
    if wrong == name or wrong in checks._functions():
        return
    lines = text.splitlines()
    lines[target.index] = lines[target.index].replace(f"{name}(", f"{wrong}(", 1)
    card_line = next(k.index for k in every if k.card == target.card and k.key == "id") + 1
    path, result = run_check(cli, tmp_path, deck, lines)
    assert result.exit_code == 1
    match = re.fullmatch(rf"{re.escape(str(path))}:{card_line}: card '{target.card}': check '.*' failed: "
                         rf"unknown function '{wrong}' \(did you mean (.*)\?\)\n", result.stderr)
    assert match and name in match.group(1).split(", "), result.stderr


def test_check_functions_lists_every_reference_function_with_its_parameters(cli):
    result = cli("check", "--functions")
    assert result.exit_code == 0
    assert "conv_param_count(f, n_c_prev, n_c, bias=True)\n    Parameters of a conv layer" in result.stdout
    from dlquiz import reference

    calls = [line for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert [c.split("(")[0] for c in calls[:-1]] == list(reference.__all__)


def test_the_deck_format_doc_lists_the_same_functions():
    doc = (ROOT / "docs" / "deck-format.md").read_text(encoding="utf-8")
    for call, summary in checks.functions_help():
        assert f"- `{call}`: {summary}" in doc, call
