"""`dlquiz add` and `dlquiz edit`: hand-kept YAML keeps every byte, refused input changes nothing,
writes are atomic and locked, and text of any kind round-trips.

The CLI runs through CliRunner (stdin is then not a terminal), the interactive flow on a real
pseudo-terminal (pexpect), and `$EDITOR` is a small Python script driven by environment variables.
Every wait is on output or on a process's exit, never on a sleep."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pexpect
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlquiz import paths
from dlquiz.cli import interview
from dlquiz.decks import authoring, deckfile, drafts
from dlquiz.decks.collection import load_collection
from dlquiz.errors import UsageError

HAND_KEPT = """\
# My own deck, kept by hand.
course: 4   # CNNs
week: 1
title: "Hand-kept: conv basics"
cards:
  # the easy one first
  - id: t-one
    question: What is one?
    answer: 'One.'     # quoted on purpose

  - {id: t-two, question: "Two?", answer: Two.}

  - id: t-three
    kind: numeric
    question: >-
      How many parameters has a conv layer of 100 filters of 5x5 over an RGB input?
    answer: 7600
    check: conv_param_count(f=5, n_c_prev=3, n_c=100)
    # a comment under t-three belongs to it
# the end of my deck
"""

ADDED = """\

  - id: t-1x1-convolutions
    kind: basic
    question: Why 1x1 convolutions?
    answer: 'To change the number of channels: cheaply.'
    tags: [conv, 1x1]
"""

EDITOR = """\
import json, os, pathlib, sys
path = pathlib.Path(sys.argv[1])
state = pathlib.Path(os.environ["EDITOR_STATE"])
n = len(list(state.glob("seen-*")))
text = path.read_text(encoding="utf-8")
(state / f"seen-{n}").write_text(text, encoding="utf-8")
steps = json.loads(os.environ["EDITOR_STEPS"])
step = steps[n] if n < len(steps) else {}
text = step.get("write", text)
for old, new in step.get("replace", []):
    text = text.replace(old, new)
path.write_text(text, encoding="utf-8")
sys.exit(step.get("status", 0))
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def only_added(before: str, after: str) -> list[str]:
    """The lines added; fails if any line was removed or changed."""
    diff = list(difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)))
    assert not [d for d in diff if d.startswith("- ")], "".join(diff)
    return [d[2:] for d in diff if d.startswith("+ ")]


@pytest.fixture
def hand_kept(write_deck):
    return write_deck("t.yaml", HAND_KEPT)


@pytest.fixture
def editor(tmp_path, monkeypatch):
    """Make $EDITOR a script that applies one step per run; returns the texts it was given."""
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    state = tmp_path / "editor-state"
    state.mkdir()
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setenv("EDITOR_STATE", str(state))

    def steps(*runs: dict) -> list[Path]:
        monkeypatch.setenv("EDITOR_STEPS", json.dumps(list(runs)))
        return [state / f"seen-{n}" for n in range(len(runs))]

    return steps


# ---------------------------------------------------------------------------------------------
# adding with flags


def test_add_appends_only_lines_and_prints_the_id(hand_kept, cli):
    result = cli("add", "--deck", "t", "-q", "Why 1x1 convolutions?", "-a", "To change the number of channels: cheaply.", "-t", "conv", "-t", "1x1")
    assert result.exit_code == 0, result.output
    assert result.stdout == "t-1x1-convolutions\n"
    assert result.stderr == f"added t-1x1-convolutions to {hand_kept}:21\n"
    after = hand_kept.read_text(encoding="utf-8")
    assert "".join(only_added(HAND_KEPT, after)) == ADDED
    assert after.endswith(ADDED + "# the end of my deck\n")  # after t-three and its comment
    card = load_collection().card("t-1x1-convolutions")
    assert (card.question, card.answer, card.tags, card.line) == (
        "Why 1x1 convolutions?", "To change the number of channels: cheaply.", ("conv", "1x1"), 21
    )
    assert cli("check").exit_code == 0


def test_add_every_field_and_a_passing_check(hand_kept, cli):
    result = cli(
        "add", "--deck", "t", "--kind", "numeric", "-q", "Params of 10 filters of 3x3 over RGB?", "-a", "280",
        "--check", "conv_param_count(f=3, n_c_prev=3, n_c=10)", "--tolerance", "0.01", "--explain", "(3·3·3 + 1) · 10",
        "--note", "The notes said 270.", "--source", "Conv layers", "--id", "t-params",
    )
    assert result.exit_code == 0, result.output
    assert only_added(HAND_KEPT, hand_kept.read_text(encoding="utf-8")) == [
        "\n",
        "  - id: t-params\n",
        "    kind: numeric\n",
        "    source: Conv layers\n",
        "    question: Params of 10 filters of 3x3 over RGB?\n",
        "    answer: 280\n",
        "    check: conv_param_count(f=3, n_c_prev=3, n_c=10)\n",
        "    tolerance: 0.01\n",
        "    explain: (3·3·3 + 1) · 10\n",
        "    note: The notes said 270.\n",
    ]


def test_add_choice_shape_truefalse_and_formula_cards(write_deck, cli):
    path = write_deck("t.yaml", "course: 1\nweek: 1\ntitle: T\ncards: []\n")
    runs = [
        ("--kind", "choice", "-q", "Which is unstructured?", "-o", "A table", "-o", "Raw audio", "-o", "Images", "-a", "Raw audio", "-a", "Images"),
        ("--kind", "shape", "-q", "Shape of W1?", "-a", "(4, 3)", "--check", "(4, 3)"),
        ("--kind", "truefalse", "-q", "Is ReLU linear?", "-a", "no"),
        ("--kind", "formula", "-q", "Bias-corrected v?", "-a", "$v_t / (1 - \\beta^t)$", "--expr", "v_t / (1 - beta^t)"),
    ]
    for args in runs:
        result = cli("add", "--deck", "t", *args)
        assert result.exit_code == 0, result.output
    collection = load_collection()
    assert [(c.kind, c.answer) for c in collection.cards.values()] == [
        ("choice", ("Raw audio", "Images")), ("shape", (4, 3)), ("truefalse", False), ("formula", "$v_t / (1 - \\beta^t)$"),
    ]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("course: 1\nweek: 1\ntitle: T\ncards:\n  - id: t-unstructured\n")
    assert "    answer: [Raw audio, Images]\n" in text and "    answer: [4, 3]\n" in text


def test_add_to_an_empty_flow_list_keeps_its_comment(write_deck, cli):
    path = write_deck("t.yaml", "course: 1\nweek: 1\ntitle: T\ncards: []   # none yet\n# later\n")
    assert cli("add", "--deck", "t", "-q", "Q?", "-a", "A.").exit_code == 0
    assert path.read_text(encoding="utf-8") == (
        "course: 1\nweek: 1\ntitle: T\ncards:   # none yet\n  - id: t-q\n    kind: basic\n    question: Q?\n    answer: A.\n# later\n"
    )


def test_a_non_empty_flow_list_of_cards_is_not_rewritten(write_deck, cli):
    path = write_deck("t.yaml", "course: 1\nweek: 1\ntitle: T\ncards: [{id: t-a, question: A?, answer: a}]\n")
    before = sha(path)
    result = cli("add", "--deck", "t", "-q", "B?", "-a", "b")
    assert (result.exit_code, result.stderr) == (
        2, f"{path}: the cards are written as a flow list ([...]); write them as a block list to add cards\n"
    )
    assert sha(path) == before
    result = cli("edit", "t-a")
    assert (result.exit_code, result.stderr) == (
        2, f"{path}: the cards are written as a flow list ([...]); write them as a block list to edit one\n"
    )


def test_add_follows_the_files_layout_line_endings_and_bom(write_deck, cli):
    # indentless list, no blank lines between cards, CRLF line ends, a BOM, no final newline
    before = "\ufeffcourse: 1\r\nweek: 1\r\ntitle: T\r\ncards:\r\n- id: t-a\r\n  question: A?\r\n  answer: a\r\n- id: t-b\r\n  question: B?\r\n  answer: b"
    path = write_deck("t.yaml", before.encode("utf-8"))
    assert cli("add", "--deck", "t", "-q", "C?", "-a", "c").exit_code == 0
    assert path.read_bytes() == (before + "\r\n- id: t-c\r\n  kind: basic\r\n  question: C?\r\n  answer: c\r\n").encode("utf-8")


def test_add_when_other_keys_follow_the_cards(write_deck, cli):
    before = "cards:\n  - id: t-a\n    question: A?\n    answer: |+\n      kept\n\n\ncourse: 1\nweek: 1\ntitle: T\n"
    path = write_deck("t.yaml", before)
    assert cli("add", "--deck", "t", "-q", "B?", "-a", "b").exit_code == 0
    after = path.read_text(encoding="utf-8")
    assert only_added(before, after) == ["  - id: t-b\n", "    kind: basic\n", "    question: B?\n", "    answer: b\n"]
    assert load_collection().card("t-a").answer == "kept\n\n\n"


def test_add_creates_a_new_deck(cards_dir, cli):
    result = cli("add", "--deck", "mine", "-q", "Q?", "-a", "A.", "--course", "4", "--week", "2", "--title", "My: deck")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"added mine-q to {cards_dir / 'mine.yaml'}:5 (a new deck)\n"
    assert (cards_dir / "mine.yaml").read_text(encoding="utf-8") == (
        "course: 4\nweek: 2\ntitle: 'My: deck'\ncards:\n  - id: mine-q\n    kind: basic\n    question: Q?\n    answer: A.\n"
    )
    assert load_collection().deck("mine").title == "My: deck"


def test_new_decks_go_to_the_first_writable_deck_directory(tmp_path, monkeypatch):
    first, second = tmp_path / "not-yet" / "cards", tmp_path / "second"
    monkeypatch.setenv("DLQUIZ_CARDS", os.pathsep.join([str(first), str(second)]))
    assert authoring.new_deck_dir() == first and not first.exists()
    assert authoring.new_deck_dir(create=True) == first and first.is_dir()
    monkeypatch.delenv("DLQUIZ_CARDS")
    monkeypatch.setattr(paths, "is_source_checkout", lambda: True)
    assert authoring.new_deck_dir() == paths.bundled_cards_dir()
    monkeypatch.setattr(paths, "is_source_checkout", lambda: False)
    assert authoring.new_deck_dir() == paths.home() / "cards"


def test_a_bundled_deck_of_an_installed_dlquiz_is_not_written(tmp_path, monkeypatch, cli):
    installed = tmp_path / "site-packages" / "dlquiz" / "cards"
    installed.mkdir(parents=True)
    deck = installed / "c1w1.yaml"
    deck.write_bytes((paths.bundled_cards_dir() / "c1w1.yaml").read_bytes())
    monkeypatch.setattr(paths, "bundled_cards_dir", lambda: installed)
    monkeypatch.setattr(paths, "is_source_checkout", lambda: False)
    monkeypatch.setenv("DLQUIZ_CARDS", str(installed))
    before = sha(deck)
    result = cli("add", "--deck", "c1w1", "-q", "Q?", "-a", "A.")
    assert result.exit_code == 2
    assert result.stderr == (
        "deck 'c1w1' is bundled with dlquiz and replaced on upgrade; add to a deck of your own "
        "(--deck my-c1w1 with --course, --week and --title)\n"
    )
    assert sha(deck) == before


def test_dry_run_prints_the_block_and_writes_nothing(hand_kept, cli):
    before = sha(hand_kept)
    result = cli("add", "--deck", "t", "-q", "Why 1x1 convolutions?", "-a", "To change the number of channels: cheaply.", "-t", "conv,1x1", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == ADDED.lstrip("\n")
    assert result.stderr == f"dry run: t-1x1-convolutions would go to {hand_kept}:21; nothing written\n"
    assert sha(hand_kept) == before


def test_ids_are_unique_across_decks(hand_kept, write_deck, cli):
    write_deck("u.yaml", "course: 1\nweek: 1\ntitle: U\ncards:\n  - id: t-what-one\n    question: Other?\n    answer: x\n")
    result = cli("add", "--deck", "t", "-q", "What is one, really?", "-a", "1")
    assert result.stdout == "t-one-really\n"
    assert cli("add", "--deck", "t", "-q", "What one?", "-a", "1").stdout == "t-one-2\n"
    assert cli("add", "--deck", "t", "-q", "What one!", "-a", "1").stdout == "t-one-3\n"
    assert drafts.slug("A conv layer has 100 filters of 5×5 over an RGB input. How many?") == "conv-layer-100-filters-5"
    assert drafts.slug("¿Qué és $\\beta_2$?") == "que-es-beta-2"
    assert drafts.slug("What is it?") == "what-is-it" and drafts.slug("???") == "card"


def test_a_near_duplicate_question_is_a_warning_naming_the_other_card(hand_kept, cli):
    result = cli("add", "--deck", "t", "-q", "How many parameters has a conv layer of 100 filters (5x5) over an RGB input?", "-a", "x")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == f"warning: the question is much like that of t-three ({hand_kept}:13, 98% alike)"


INVALID = [
    (["--kind", "numeric", "-a", "seven"], "--answer: 'seven' is not a number"),
    (["--kind", "numric", "-a", "7"], "--kind: unknown kind 'numric' (did you mean 'numeric'?)"),
    (["--kind", "truefalse", "-a", "maybe"], "--answer: 'maybe' is not true or false"),
    (["--kind", "shape", "-a", "4 by 1"], "--answer: '4 by 1' is not a shape (write dimensions like 4,1 or n_x,m)"),
    (["-a", "x", "-a", "y"], "--answer given 2 times; only choice and order cards have several answers"),
    (["-a", "x", "--tolerance", "0.1"], "card 't-q': 'tolerance' is only for numeric cards"),
    (["--kind", "choice", "-o", "Yes", "-o", "No", "-a", "Yess"], "card 't-q': answer 'Yess' is not among the options (did you mean 'Yes'?)"),
    (["--kind", "formula", "-a", "$x$", "--expr", "a +* b"], "card 't-q': expr 'a +* b' does not parse: unexpected '*' at position 4"),
    (["--kind", "numeric", "-a", "7500", "--check", "conv_param_count(f=5, n_c_prev=3, n_c=100)"], "card 't-q': check gives 7600, but the answer is 7500"),
    (["-a", "x", "--id", "t-one"], "--id: 't-one' is taken (by {path}:7)"),
    (["-a", "x", "--id", "T One"], "--id: invalid id 'T One': use lowercase letters, digits and hyphens"),
    (["-a", "x", "--deck", "c9w9"], "unknown deck 'c9w9'; to create it, give --course, --week and --title"),
    (["-a", "x", "--deck", "c9w9", "--course", "9", "--week", "w1", "--title", "T"], "--week: 'w1' is not a whole number from 1 to 99"),
    (["-a", "x", "--deck", "C9"], "--deck: invalid deck id 'C9': use lowercase letters, digits and hyphens"),
]


@pytest.mark.parametrize("args, message", INVALID, ids=[m.split(":")[0][:30] + str(i) for i, (_, m) in enumerate(INVALID)])
def test_invalid_input_is_one_line_exit_2_and_the_file_is_untouched(hand_kept, cli, args, message):
    before = sha(hand_kept)
    flags = ["--deck", "t", "-q", "Q?", *args] if "--deck" not in args else ["-q", "Q?", *args]
    result = cli("add", *flags)
    assert (result.exit_code, result.stderr, result.stdout) == (2, message.format(path=hand_kept) + "\n", "")
    assert sha(hand_kept) == before
    assert sorted(p.name for p in hand_kept.parent.iterdir()) == ["t.yaml"]


def test_missing_flags_without_a_terminal_is_one_line(hand_kept, cli):
    result = cli("add", "--kind", "formula", "--deck", "t", input="")
    assert (result.exit_code, result.stderr) == (2, "missing --question, --answer, --expr (stdin is not a terminal, so nothing can be asked)\n")


# ---------------------------------------------------------------------------------------------
# atomic and locked writes


def test_concurrent_adds_all_land(hand_kept):
    runs = [
        subprocess.Popen([sys.executable, "-m", "dlquiz", "add", "--deck", "t", "-q", f"Concurrent question {i}?", "-a", str(i)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(4)
    ]
    ids = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        ids.append(out.strip())
    assert sorted(ids) == [f"t-concurrent-question-{i}" for i in range(4)]
    collection = load_collection()
    assert all(card_id in collection.cards for card_id in ids)
    assert len(only_added(HAND_KEPT, hand_kept.read_text(encoding="utf-8"))) == 4 * 5


def test_add_reads_the_deck_again_once_it_holds_the_lock(hand_kept, monkeypatch):
    real = deckfile.locked

    def locked_then_someone_wrote(dirs):  # another writer finished just before we got the lock
        with real(dirs):
            with open(hand_kept, "a", encoding="utf-8") as handle:
                handle.write("  - id: t-theirs\n    question: Theirs?\n    answer: theirs\n")
            yield

    import contextlib

    monkeypatch.setattr(deckfile, "locked", contextlib.contextmanager(locked_then_someone_wrote))
    authoring.add(drafts.Draft(deck="t", question="Mine?", answer=["mine"]))
    collection = load_collection()
    assert {"t-theirs", "t-mine"} <= set(collection.cards)


def test_the_lock_excludes_other_processes(cards_dir):
    probe = [sys.executable, "-c", "import fcntl, os, sys; fcntl.flock(os.open(sys.argv[1], os.O_RDONLY), fcntl.LOCK_EX | fcntl.LOCK_NB)", str(cards_dir)]
    with deckfile.locked([cards_dir, cards_dir / "missing"]):
        assert subprocess.run(probe, capture_output=True).returncode != 0
    assert subprocess.run(probe, capture_output=True).returncode == 0


def test_write_atomic_replaces_whole_or_not_at_all(tmp_path, monkeypatch):
    tmp_path = tmp_path / "atomic"
    tmp_path.mkdir()
    target = tmp_path / "deck.yaml"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    deckfile.write_atomic(link, b"new\n")
    assert link.is_symlink() and target.read_bytes() == b"new\n"
    assert oct(target.stat().st_mode & 0o777) == "0o640"

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        deckfile.write_atomic(target, b"newer\n")
    assert target.read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.yaml", "link.yaml"]


# ---------------------------------------------------------------------------------------------
# round trips


# Any text a deck may hold: control characters other than tab and newline are refused (below).
_CONTROLS = [chr(c) for c in (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF)]
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=_CONTROLS), max_size=120).filter(lambda s: s.strip())


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\r", "\x85"])
def test_a_control_character_is_refused_in_one_line(cards_dir, char):
    (cards_dir / "t.yaml").write_text(HAND_KEPT, encoding="utf-8")
    before = (cards_dir / "t.yaml").read_bytes()
    with pytest.raises(UsageError, match=r"^card 't-.*': control character U\+00[0-9A-F]{2}( \(\w+\))? is not allowed in a deck; remove it$"):
        authoring.add(drafts.Draft(deck="t", question=f"Ring{char}the bell?", answer=["x"]))
    assert (cards_dir / "t.yaml").read_bytes() == before


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=texts, answer=texts, explain=st.none() | texts, options=st.lists(texts, min_size=2, max_size=4, unique=True))
def test_any_text_survives_add_then_load(cards_dir, question, answer, explain, options):
    path = cards_dir / "t.yaml"
    path.write_text(HAND_KEPT, encoding="utf-8")
    plan = authoring.add(drafts.Draft(deck="t", question=question, answer=[answer], explain=explain))
    choice = authoring.add(drafts.Draft(deck="t", kind="choice", question=question, options=options, answer=[options[-1]]))
    collection = load_collection()
    card = collection.card(plan.card.id)
    assert (card.question, card.answer, card.explain) == (question, answer, explain)
    assert (collection.card(choice.card.id).options, collection.card(choice.card.id).answer) == (tuple(options), options[-1])
    assert path.read_text(encoding="utf-8").startswith(HAND_KEPT[: HAND_KEPT.index("# the end")])


# ---------------------------------------------------------------------------------------------
# editing


T_THREE = textwrap.dedent(HAND_KEPT[HAND_KEPT.index("  - id: t-three") : HAND_KEPT.index("# the end")])


def test_edit_replaces_only_the_cards_lines(hand_kept, cli, editor):
    seen = editor({"replace": [["over an RGB input?", "over an RGB image?"], ["  # a comment", "  explain: (5·5·3 + 1)·100\n  # a comment"]]})
    result = cli("edit", "t-three")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "t-three\n", f"updated t-three in {hand_kept}:13\n")
    assert seen[0].read_text(encoding="utf-8") == T_THREE  # just the block, dedented
    after = hand_kept.read_text(encoding="utf-8")
    assert after == HAND_KEPT.replace("RGB input?", "RGB image?").replace("    # a comment", "    explain: (5·5·3 + 1)·100\n    # a comment")
    card = load_collection().card("t-three")
    assert (card.explain, card.line) == ("(5·5·3 + 1)·100", 13)


def test_edit_a_flow_card_in_the_middle(hand_kept, cli, editor):
    seen = editor({"replace": [["Two.", "Deux."]]})
    assert cli("edit", "t-two").exit_code == 0
    assert seen[0].read_text(encoding="utf-8") == '- {id: t-two, question: "Two?", answer: Two.}\n'
    assert hand_kept.read_text(encoding="utf-8") == HAND_KEPT.replace("Two.}", "Deux.}")


def test_edit_unchanged_writes_nothing(hand_kept, cli, editor):
    editor({})
    before = sha(hand_kept)
    result = cli("edit", "t-one")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "no changes to t-one; nothing written\n")
    assert sha(hand_kept) == before


def test_edit_when_the_editor_fails_writes_nothing(hand_kept, cli, editor):
    editor({"replace": [["One.", "Uno."]], "status": 3})
    before = sha(hand_kept)
    result = cli("edit", "t-one")
    assert result.exit_code == 1
    assert result.stderr == f"the editor ({os.environ['EDITOR']}) exited with status 3; nothing changed\n"
    assert sha(hand_kept) == before


@pytest.mark.parametrize("step, message", [
    ({"replace": [["id: t-one", "id: t-uno"]]}, "the id of a card cannot change (its schedule is keyed by it): 't-one' became 't-uno'; nothing written"),
    ({"replace": [["question:", "qustion:"]]}, "edited card, line 1: card is missing 'question'; edited card, line 2: unknown card key 'qustion' (did you mean 'question'?)"),
    ({"replace": [["answer:", "kind: basic\n  kind: numeric\n  answer:"]]}, "edited card, line 4: duplicate key 'kind' (first at line 3)"),
    ({"write": "just a note\n"}, "the edited text must be one card: a single item starting with '- id:'"),
    ({"replace": [["answer: 'One.'", "answer: [unclosed"]]}, "edited card, line 4: invalid YAML: expected ',' or ']', but got '<stream end>'"),
])
def test_a_refused_edit_keeps_the_file_and_the_users_text(hand_kept, cli, editor, step, message):
    seen = editor(step)
    before = sha(hand_kept)
    result = cli("edit", "t-one")
    assert result.exit_code == 2
    line, kept = result.stderr.rstrip("\n").rsplit("; your text is kept in ", 1)
    assert line == message
    assert sha(hand_kept) == before
    expected = step.get("write", seen[0].read_text(encoding="utf-8"))
    for old, new in step.get("replace", []):
        expected = expected.replace(old, new)
    assert Path(kept).read_text(encoding="utf-8") == expected
    Path(kept).unlink()


def test_an_edit_failing_its_check_is_refused(hand_kept, cli, editor):
    editor({"replace": [["answer: 7600", "answer: 7500"]]})
    result = cli("edit", "t-three")
    assert result.exit_code == 2
    line, kept = result.stderr.rstrip("\n").rsplit("; your text is kept in ", 1)
    assert line == "edited card 't-three': check gives 7600, but the answer is 7500"
    assert "answer: 7500" in Path(kept).read_text(encoding="utf-8")
    Path(kept).unlink()


def test_edit_an_unknown_card(hand_kept, cli, editor):
    editor({})
    result = cli("edit", "t-ones")
    assert (result.exit_code, result.stderr) == (1, "unknown card 't-ones' (did you mean t-one?)\n")


def test_block_spans_and_their_trailing_lines():
    text = "cards:\n  -\n    id: a\n    answer: |+\n      kept\n\n\n  # next card's\n  - id: b\n    x: [1,\n      2]\n\n"
    assert [(s.card_id, s.first, s.last) for s in deckfile.layout(text).spans] == [("a", 1, 6), ("b", 8, 10)]


# ---------------------------------------------------------------------------------------------
# on a terminal


def spawn(*args: str) -> pexpect.spawn:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
    return pexpect.spawn(sys.executable, ["-m", "dlquiz", *args], env=env, encoding="utf-8", timeout=60, dimensions=(60, 100))


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_interactive_add_asks_again_until_each_answer_is_usable(hand_kept):
    child = spawn("add")
    child.expect("your decks: t")
    child.expect(r"Deck \(one of yours, or a new id\): ")
    child.sendline("t")
    child.expect(r"Kind \[basic/truefalse/choice/numeric/shape/formula/cloze/order\] \(basic\): ")
    child.sendline("numeric")
    child.expect(r"Question \(end with an empty line; an empty first line opens \$EDITOR\)")
    child.sendline("How many parameters has a conv layer")
    child.sendline("of 10 filters of 3×3 over an RGB input?")
    child.sendline("")
    child.expect(r"Answer \(a number\): ")
    child.sendline("280 params")
    child.expect("'280 params' is not a number")
    child.sendline("280")
    child.expect("Explanation")
    child.sendline("")
    child.expect("Tags")
    child.sendline("conv params")
    child.expect("Reference check")
    child.sendline("conv_param_count(f=3, n_c_prev=3, n_c=11)")
    child.expect("check gives 308, but the answer is 280")
    child.sendline("conv_param_count(f=3, n_c_prev=3, n_c=10)")
    child.expect("t-many-parameters-conv-layer-10")  # the preview's title
    child.expect("over an RGB input")
    child.expect("280")
    child.expect(r"Add this card\? \[y/n\] \(y\): ")
    child.sendline("y")
    child.expect("added t-many-parameters-conv-layer-10")
    assert finish(child) == 0
    card = load_collection().card("t-many-parameters-conv-layer-10")
    assert (card.question, card.answer, card.tags, card.check) == (
        "How many parameters has a conv layer\nof 10 filters of 3×3 over an RGB input?", 280, ("conv", "params"),
        "conv_param_count(f=3, n_c_prev=3, n_c=10)",
    )
    only_added(HAND_KEPT, hand_kept.read_text(encoding="utf-8"))


LEFT, UP, HOME, BACKSPACE = "\x1b[D", "\x1b[A", "\x1b[H", "\x7f"  # (as an xterm sends them)


def test_interactive_add_edits_every_line_as_in_a_shell(hand_kept):
    child = spawn("add", "--deck", "t", "--kind", "numeric")
    child.expect(r"Question \(end with an empty line; an empty first line opens \$EDITOR\)")
    child.send("How many parameters has a conv layer of 10 filters of 3×3 over an RGB iput?" + LEFT * 4 + "n\r")
    child.sendline("")
    child.expect(r"Answer \(a number\): ")
    child.sendline("280 params")
    child.expect("'280 params' is not a number")
    child.expect(r"Answer \(a number\): ")
    child.send(UP + BACKSPACE * 7 + "\r")  # the line that could not be read, corrected
    child.expect("Explanation")
    child.sendline("")
    child.expect("Tags")
    child.send("params" + HOME + "conv \r")
    child.expect("Reference check")
    child.sendline("")
    child.expect(r"Add this card\? \[y/n\] \(y\): ")
    child.sendline("y")
    child.expect(r"added (\S+)")
    added = child.match.group(1)
    assert finish(child) == 0
    card = load_collection().card(added)
    assert (card.question, card.answer, card.tags) == (
        "How many parameters has a conv layer of 10 filters of 3×3 over an RGB input?", 280, ("conv", "params"))


def test_interactive_new_deck_question_in_the_editor_then_declined(hand_kept, cards_dir, editor):
    seen = editor({"replace": [["\n\n# Write", "Which is *unstructured*?\n\n# Write"]]})
    before = sha(hand_kept)
    child = spawn("add", "--deck", "mine")
    child.expect("mine is a new deck.")
    child.expect("Course number: ")
    child.sendline("0")
    child.expect("'0' is not a whole number from 1 to 99")
    child.sendline("1")
    child.expect("Week number: ")
    child.sendline("2")
    child.expect("Title of the deck: ")
    child.sendline("My deck")
    child.expect(r"Kind .*: ")
    child.sendline("choice")
    child.expect("Question")
    child.sendline("")  # an empty first line: the editor
    child.expect(r"Which is \*unstructured\*\?")
    child.expect("Options")
    child.sendline("A table")
    child.sendline("Raw audio")
    child.sendline("")
    child.expect(r"Correct option\(s\), by letter: ")
    child.sendline("C")
    child.expect("answer with letters from A to B, e.g. B or A,C")
    child.sendline("b")
    child.expect("Explanation")
    child.sendline("Audio is raw samples.")
    child.sendline("")
    child.expect("Tags")
    child.sendline("")
    child.expect("Reference check")
    child.sendline("")
    child.expect("Raw audio")
    child.expect(r"Add this card\? \[y/n\] \(y\): ")
    child.sendline("n")
    child.expect("nothing added")
    assert finish(child) == 1
    assert seen[0].read_text(encoding="utf-8") == interview.QUESTION_TEMPLATE
    assert not (cards_dir / "mine.yaml").exists() and sha(hand_kept) == before


def test_interactive_edit_can_be_fixed_at_once(hand_kept, editor):
    editor({"replace": [["answer: 'One.'", "anser: 'Uno.'"]]}, {"replace": [["anser:", "answer:"]]})
    child = spawn("edit", "t-one")
    child.expect(r"edited card, line 1: card is missing 'answer'; edited card, line 3: unknown card key 'anser'")
    child.expect(r"Edit it again\? \[Y/n\]: ")
    child.sendline("y")
    child.expect("updated t-one")
    assert finish(child) == 0
    assert hand_kept.read_text(encoding="utf-8") == HAND_KEPT.replace("answer: 'One.'", "answer: 'Uno.'")


# ---------------------------------------------------------------------------------------------
# cloze and order cards, citations


def test_add_a_cloze_card_its_id_from_the_text_not_the_markup(hand_kept, cli):
    result = cli("add", "--deck", "t", "--kind", "cloze", "-q", r"Momentum: $v_{dW} = {{c1::\beta}} v_{dW} + {{c2::(1-\beta)}} dW$")
    assert result.exit_code == 0, result.output
    assert result.stdout == "t-momentum-v-dw-beta-v\n"
    assert result.stderr == f"added t-momentum-v-dw-beta-v to {hand_kept}:21\n"
    assert only_added(HAND_KEPT, hand_kept.read_text(encoding="utf-8"))[1:] == [
        "  - id: t-momentum-v-dw-beta-v\n", "    kind: cloze\n",
        "    question: 'Momentum: $v_{dW} = {{c1::\\beta}} v_{dW} + {{c2::(1-\\beta)}} dW$'\n"]
    assert [card.id for card in load_collection().note("t-momentum-v-dw-beta-v")] == [
        "t-momentum-v-dw-beta-v-c1", "t-momentum-v-dw-beta-v-c2"]
    taken = cli("add", "--deck", "t", "-q", "Other?", "-a", "x", "--id", "t-momentum-v-dw-beta-v")
    assert (taken.exit_code, taken.stderr) == (2, f"--id: 't-momentum-v-dw-beta-v' is taken (by {hand_kept}:21)\n")


@pytest.mark.parametrize("args, message", [
    (["--kind", "cloze", "-q", "{{c1::a}} {{c3::b}}"], "card 't-b': cloze numbers skip c2 (found c1, c3)"),
    (["--kind", "cloze", "-q", "{{c1::a}}", "-a", "a"], "--answer: a cloze card has no answer: its {{c1::...}} parts are the answers"),
    (["--kind", "order", "-q", "Order?", "-a", "one"], "--answer: an order card needs its steps in order, one --answer each (at least 2)"),
])
def test_refused_cloze_and_order_cards_write_nothing(hand_kept, cli, args, message):
    before = sha(hand_kept)
    result = cli("add", "--deck", "t", *args)
    assert (result.exit_code, result.stderr) == (2, message + "\n")
    assert sha(hand_kept) == before


def test_add_an_order_card_and_a_paper_card_with_its_citation(hand_kept, cli):
    result = cli("add", "--deck", "t", "--kind", "order", "-q", "Adam's steps?", "-a", "moments", "-a", "bias", "-a", "update", "--id", "t-adam")
    assert result.exit_code == 0, result.output
    assert load_collection().card("t-adam").answer == ("moments", "bias", "update")
    result = cli("add", "--deck", "t", "-q", "What is Adam?", "-a", "Momentum plus RMSprop.", "--cite", "Kingma & Ba (2015)", "--id", "t-paper")
    assert result.exit_code == 0, result.output
    assert load_collection().card("t-paper").cite == "Kingma & Ba (2015)"


def test_edit_a_cloze_card_by_the_id_of_one_of_its_clozes(hand_kept, cli, editor):
    cli("add", "--deck", "t", "--kind", "cloze", "-q", "It is {{c1::one}} and {{c2::two}}.", "--id", "t-c")
    seen = editor({"replace": [["{{c2::two}}", "{{c2::three}}"]]})
    result = cli("edit", "t-c-c2")
    assert (result.exit_code, result.stdout) == (0, "t-c-c2\n")
    assert seen[0].read_text(encoding="utf-8").startswith("- id: t-c\n")
    assert load_collection().card("t-c-c2").answer == (("three", None, "text"),)
