"""Deck loading and validation: one test per class of deck error, with the exact message and the
exit code of `dlquiz check`, plus the bundled decks as content that must hold."""

from __future__ import annotations

import re
import time

import pytest

from dlquiz.decks.collection import load_collection
from dlquiz.decks.yamlread import MAX_NUMBER, Bad, control_character, parse_yaml
from dlquiz.errors import DeckError

HEAD = """\
course: 4
week: 1
title: Test deck
cards:
"""


def deck_text(*cards: str) -> str:
    return HEAD + "".join(cards)


ONE = """\
  - id: t-one
    question: What is one?
    answer: One.
"""


def check_fails(cli, path, message, code=2):
    result = cli("check")
    assert result.exit_code == code, result.output
    assert message.format(path=path) in result.stderr.splitlines()
    return result


def test_a_valid_deck_loads(write_deck, cli):
    write_deck("t.yaml", deck_text(ONE))
    collection = load_collection()
    assert [d.id for d in collection.decks] == ["t"]
    card = collection.card("t-one")
    assert (card.kind, card.question, card.answer, card.line) == ("basic", "What is one?", "One.", 5)
    result = cli("check")
    assert result.exit_code == 0
    assert "1 deck, 1 card:" in result.stdout


def test_unknown_key_suggests_the_right_one(write_deck, cli):
    path = write_deck("t.yaml", deck_text("""\
  - id: t-one
    qustion: What is one?
    answer: One.
"""))
    result = cli("check")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}:5: card is missing 'question'",
        f"{path}:6: unknown card key 'qustion' (did you mean 'question'?)",
    ]


def test_unknown_deck_key_and_alias_hint(write_deck, cli):
    path = write_deck("t.yaml", HEAD.replace("title: Test deck", "title: Test deck\nname: x") + ONE)
    check_fails(cli, path, "{path}:4: unknown deck key 'name' (did you mean 'title'?)")


def test_missing_answer(write_deck, cli):
    path = write_deck("t.yaml", deck_text("  - id: t-one\n    question: What?\n"))
    result = check_fails(cli, path, "{path}:5: card is missing 'answer'")
    assert len(result.stderr.splitlines()) == 1


def test_missing_deck_keys(write_deck, cli):
    path = write_deck("t.yaml", "course: 4\ncards: []\n")
    result = cli("check")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"{path}:1: deck is missing 'week'", f"{path}:1: deck is missing 'title'"]


def test_unknown_kind(write_deck, cli):
    path = write_deck("t.yaml", deck_text(ONE + "    kind: numerci\n"))
    check_fails(cli, path, "{path}:8: unknown kind 'numerci' (did you mean 'numeric'?)")


def test_choice_answer_not_among_options(write_deck, cli):
    path = write_deck("t.yaml", deck_text("""\
  - id: t-choice
    kind: choice
    question: Which?
    options: [alpha, beta, gamma]
    answer: betta
"""))
    check_fails(cli, path, "{path}:9: answer 'betta' is not among the options (did you mean 'beta'?)")


def test_malformed_id(write_deck, cli):
    path = write_deck("t.yaml", deck_text(ONE.replace("t-one", "T One")))
    check_fails(cli, path, "{path}:5: invalid id 'T One': use lowercase letters, digits and hyphens, starting with a letter or digit")


def test_empty_file(write_deck, cli):
    path = write_deck("t.yaml", "   \n# only a comment\n")
    check_fails(cli, path, "{path}: empty deck file (expected course, week, title and cards)")


def test_non_utf8_file(write_deck, cli):
    path = write_deck("t.yaml", deck_text(ONE).encode() + b"  - id: t-two\n    question: caf\xe9\n    answer: x\n")
    check_fails(cli, path, "{path}:9: not UTF-8 (byte 0xe9); save the file as UTF-8")


def test_top_level_not_a_mapping(write_deck, cli):
    path = write_deck("t.yaml", "- id: x\n  question: y\n")
    check_fails(cli, path, "{path}:1: the top level must be a mapping with course, week, title and cards")


def test_duplicate_ids_across_files_name_both_places(write_deck, cli):
    first = write_deck("a.yaml", deck_text(ONE))
    second = write_deck("b.yaml", deck_text("  - id: t-zero\n    question: Zero?\n    answer: Zero.\n" + ONE))
    check_fails(cli, second, "{path}:8: duplicate id 't-one' (first at " + f"{first}:5)")


def test_duplicate_key_in_one_card(write_deck, cli):
    path = write_deck("t.yaml", deck_text(ONE + "    answer: Two.\n"))
    check_fails(cli, path, "{path}:8: duplicate key 'answer' (first at line 7)")


def test_yaml_syntax_error(write_deck, cli):
    path = write_deck("t.yaml", deck_text(ONE + "    explain: [unclosed\n"))
    result = cli("check")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}:") and "invalid YAML" in line


def test_wrong_types(write_deck, cli):
    path = write_deck("t.yaml", deck_text("""\
  - id: t-num
    kind: numeric
    question: How many?
    answer: many
  - id: t-tf
    kind: truefalse
    question: Is it?
    answer: maybe
"""))
    result = cli("check")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}:8: the answer of a numeric card must be a number, not 'many'",
        f"{path}:12: the answer of a truefalse card must be true or false, not 'maybe'",
    ]


def test_options_only_on_choice_cards(write_deck, cli):
    path = write_deck("t.yaml", deck_text(ONE + "    options: [a, b]\n"))
    check_fails(cli, path, "{path}:8: 'options' is only for choice cards")


def test_formula_needs_expr_that_parses(write_deck, cli):
    path = write_deck("t.yaml", deck_text("""\
  - id: t-formula
    kind: formula
    question: Give it.
    answer: '$x$'
"""))
    check_fails(cli, path, "{path}:5: a formula card needs 'expr' (the formula in plain math, for checking)")
    write_deck("t.yaml", deck_text("""\
  - id: t-formula
    kind: formula
    question: Give it.
    answer: '$x$'
    expr: (x + 
"""))
    check_fails(cli, path, "{path}:9: expr '(x +' does not parse: the formula ends too early")


@pytest.mark.parametrize("text", ["a: &x [1, 2]\nb: *x\n", "course: &c 4\n"])
def test_anchors_and_aliases_are_refused(write_deck, cli, text):
    path = write_deck("t.yaml", text)
    result = cli("check")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:1: YAML anchors and aliases are not allowed")


def test_alias_bomb_fails_fast(write_deck, cli):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    path = write_deck("bomb.yaml", "\n".join(lines) + "\n")
    started = time.perf_counter()
    result = cli("check")
    assert time.perf_counter() - started < 2
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:1: YAML anchors and aliases are not allowed")


def test_every_problem_of_a_run_is_listed(write_deck, cli):
    a = write_deck("a.yaml", deck_text(ONE.replace("question", "qestion")))
    b = write_deck("b.yaml", deck_text(ONE.replace("t-one", "t-two") + "    kind: bogus\n"))
    result = cli("check")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{a}:6:") for line in lines)
    assert any(line.startswith(f"{b}:8:") for line in lines)


def test_shape_answers_parse_from_lists_and_text(write_deck):
    write_deck("t.yaml", deck_text("""\
  - id: t-s1
    kind: shape
    question: Shape?
    answer: [4, 1]
  - id: t-s2
    kind: shape
    question: Shape?
    answer: (n_x, m)
  - id: t-s3
    kind: shape
    question: Shape?
    answer: 4x1
"""))
    collection = load_collection()
    assert collection.card("t-s1").answer == (4, 1)
    assert collection.card("t-s2").answer == ("n_x", "m")
    assert collection.card("t-s3").answer == (4, 1)


def test_loader_raises_deck_error_for_python_callers(write_deck):
    write_deck("t.yaml", "[1, 2]\n")
    with pytest.raises(DeckError) as info:
        load_collection()
    assert info.value.exit_code == 2


import re  # noqa: E402

import yaml  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.sampled_from(["yes", "No", "on", "~", "null", "0x1f", "1_000", ".inf", "2020-01-01", "-3", "+1", "0o17", "1e3"]),
)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


class _Yaml12Loader(yaml.CSafeLoader):
    """The reference: PyYAML's C loader, with YAML 1.2's booleans (only true and false)."""


_Yaml12Loader.yaml_implicit_resolvers = {
    start: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for start, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def reference_load(text: str):
    return yaml.load(text, Loader=_Yaml12Loader)


def _refused_number(value) -> bool:
    """A number no deck may hold (MAX_NUMBER, finite), anywhere in a value."""
    if isinstance(value, (list, dict)):
        return any(_refused_number(v) for v in (value.values() if isinstance(value, dict) else value))
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not abs(value) <= MAX_NUMBER


def _refused_text(value) -> bool:
    """Text holding a control character (other than tab and newline), anywhere in a value."""
    if isinstance(value, dict):
        return any(_refused_text(k) or _refused_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_refused_text(v) for v in value)
    return isinstance(value, str) and control_character(value) is not None


def _same_as_safe_load(text: str) -> None:
    expected = reference_load(text)  # the C loader (with YAML 1.2 booleans) is the reference
    raw_control = re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text)  # (YAML reads a raw NEL as a line break)
    if _refused_number(expected) or _refused_text(expected) or raw_control:
        with pytest.raises(Bad, match=r"too large|not a finite number|control character"):
            parse_yaml(text)
        return
    got = parse_yaml(text)
    assert got == expected
    assert all(type(got[k]) is type(expected[k]) for k in expected if not isinstance(expected[k], (list, dict)))


@settings(max_examples=200, deadline=None)
@given(_values)
def test_the_fast_loader_reads_yaml_exactly_as_safe_load(value):
    for style in (None, False, True):
        _same_as_safe_load(yaml.safe_dump({"v": value}, default_flow_style=style, allow_unicode=True))


def test_yes_no_on_off_are_words_not_booleans():
    assert parse_yaml("a: yes\nb: No\nc: ON\nd: off\ne: true\nf: FALSE\n") == {
        "a": "yes", "b": "No", "c": "ON", "d": "off", "e": True, "f": False}


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[A-Za-z0-9_.+\-:~=<>!%@ ]{1,12}", fullmatch=True) | st.sampled_from(
    ["yes", "No", "ON", "off", "~", "null", "Null", "0x1f", "1_000", ".inf", "-.INF", ".nan", "2020-01-01",
     "2001-12-14t21:59:43.10-05:00", "-3", "+1", "0o17", "0b101", "1e3", "1:20", "<<", "="]))
def test_plain_scalars_resolve_exactly_as_safe_load(token):
    text = f"v: {token}\n"
    try:
        expected = reference_load(text)
    except yaml.YAMLError:
        return
    _same_as_safe_load(text)


def test_cards_are_handed_over_as_they_are_read_not_held_as_yaml():
    text = "course: 1\nweek: 1\ntitle: T\ncards:\n  - id: a\n    question: q\n  - id: b\n    question: r\nnested: {cards: [1]}\n"
    seen = []
    data = parse_yaml(text, lambda value, line: seen.append((dict(value), line)) or f"card {value['id']}")
    assert seen == [({"id": "a", "question": "q"}, 5), ({"id": "b", "question": "r"}, 7)]
    assert data["cards"] == ["card a", "card b"] and data["cards"].lines == [5, 7]
    assert data["nested"]["cards"] == [1]  # (only the deck's own list of cards)
    assert parse_yaml(text.encode()) == parse_yaml(text)  # the bytes of a file read as they are


def test_a_yaml_error_after_bad_cards_is_reported_alone(write_deck, cli):
    path = write_deck("t.yaml", deck_text("  - id: t-a\n    qustion: q\n    answer: a\n  - id: [\n"))
    result = cli("check")
    assert result.exit_code == 2 and result.stderr.splitlines() == [f"{path}:9: invalid YAML: did not find expected node content"]
