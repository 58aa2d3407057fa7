"""Interactive `dlquiz add` never throws away what was typed: it offers only the decks a card can be
written to, refuses a bundled deck as soon as it is named (in a plain `pip install`, where the
bundled decks are replaced on upgrade), and a card refused at the end is reopened in $EDITOR or
kept in a file whose path it prints. On a real pseudo-terminal; waits are on the screen."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pexpect
import pytest

from dlquiz.decks.collection import load_collection
from tests.decks.test_authoring import HAND_KEPT, editor, finish, hand_kept, sha, spawn  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def installed(tmp_path, isolated):
    """dlquiz as `pip install .` lays it out (the decks inside the package), run with
    DLQUIZ_CARDS unset: the bundled decks and $DLQUIZ_HOME/cards."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "dlquiz", site / "dlquiz", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "cards", site / "dlquiz" / "cards")
    env = {k: v for k, v in os.environ.items() if k != "DLQUIZ_CARDS"}
    env.update(PYTHONPATH=str(site), NO_COLOR="1", TERM="dumb")

    def run(*args: str) -> pexpect.spawn:
        return pexpect.spawn(sys.executable, ["-m", "dlquiz", *args], env=env, cwd=str(tmp_path), encoding="utf-8",
                             timeout=60, dimensions=(60, 100))

    run.site, run.home = site, isolated["home"]
    return run


def loose(text: str) -> str:
    """A pattern for `text` however the terminal wraps it (Rich: 80 columns on a dumb terminal)."""
    return r"\s+".join(re.escape(word) for word in text.split())


def answer_a_basic_card(child: pexpect.spawn, question: str = "What is a mine?") -> None:
    child.expect(r"Kind .*: ")
    child.sendline("")
    child.expect("Question")
    child.sendline(question)
    child.sendline("")
    child.expect("Answer")
    child.sendline("Mine.")
    child.sendline("")
    child.expect("Explanation")
    child.sendline("")
    child.expect("Tags")
    child.sendline("")


def test_an_installed_dlquiz_offers_only_your_decks_and_refuses_a_bundled_one_at_once(installed):
    bundled = installed.site / "dlquiz" / "cards" / "c1w1.yaml"
    before = sha(bundled)
    child = installed("add")
    child.expect("your decks: none yet")
    child.expect(r"Deck \(one of yours, or a new id\): ")
    child.sendline("c1w1")  # refused right away, not after every field is typed
    child.expect(loose("deck 'c1w1' is bundled with dlquiz and replaced on upgrade: type a deck of your own, or a new id such as my-c1w1"))
    child.expect(r"Deck \(one of yours, or a new id\): ")
    child.sendline("my-c1w1")
    child.expect("my-c1w1 is a new deck.")
    for prompt, reply in (("Course number: ", "1"), ("Week number: ", "1"), ("Title of the deck: ", "My notes")):
        child.expect(prompt)
        child.sendline(reply)
    answer_a_basic_card(child)
    child.expect(r"Add this card\? \[y/n\] \(y\): ")
    child.sendline("y")
    child.expect("added my-c1w1-mine")
    assert finish(child) == 0
    assert "id: my-c1w1-mine" in (installed.home / "cards" / "my-c1w1.yaml").read_text(encoding="utf-8")
    assert sha(bundled) == before

    child = installed("add")  # now the user's own deck is offered, and still no bundled one
    child.expect(r"your decks: (.*)\r\n")
    assert child.match.group(1) == "my-c1w1"
    child.expect(r"Deck \(one of yours, or a new id\): ")
    child.sendeof()
    assert finish(child) == 1


def test_a_bundled_deck_given_as_a_flag_is_refused_before_any_question(installed):
    child = installed("add", "--deck", "c2w2")
    child.expect(loose("deck 'c2w2' is bundled with dlquiz and replaced on upgrade; add to a deck of your own "
                       "(--deck my-c2w2 with --course, --week and --title)"))
    assert "Kind" not in child.before
    assert finish(child) == 2


def test_a_card_refused_at_the_end_is_reopened_in_the_editor(hand_kept, editor):
    seen = editor({"replace": [["id: t-one", "id: t-uno"]]})
    child = spawn("add", "--deck", "t", "--id", "t-one")  # t-one is taken: seen only when the card is planned
    answer_a_basic_card(child, "What is uno?")
    child.expect(r"--id: 't-one' is taken \(by\s+\S*t.yaml:7\)")
    child.expect(r"Edit the card in \$EDITOR\? \[y/n\] \(y\): ")
    child.sendline("y")
    child.expect("t-uno")  # the preview of the edited card
    child.expect(r"Add this card\? \[y/n\] \(y\): ")
    child.sendline("y")
    child.expect("added t-uno")
    assert finish(child) == 0
    assert "- id: t-one\n" in seen[0].read_text(encoding="utf-8") and "What is uno?" in seen[0].read_text(encoding="utf-8")
    card = load_collection().card("t-uno")
    assert (card.question, card.answer) == ("What is uno?", "Mine.")


def test_a_refused_card_not_edited_is_kept_in_a_file(hand_kept):
    child = spawn("add", "--deck", "t", "--id", "t-one")
    answer_a_basic_card(child, "What is uno?")
    child.expect(r"Edit the card in \$EDITOR\? \[y/n\] \(y\): ")
    child.sendline("n")
    child.expect(r"your card is kept in\s+(\S+\.yaml)")
    kept = Path(child.match.group(1))
    assert finish(child) == 2
    assert "question: What is uno?" in kept.read_text(encoding="utf-8")
    assert hand_kept.read_text(encoding="utf-8") == HAND_KEPT
    kept.unlink()


def test_stopping_half_way_keeps_what_was_typed(hand_kept):
    child = spawn("add", "--deck", "t")
    child.expect(r"Kind .*: ")
    child.sendline("numeric")
    child.expect("Question")
    child.sendline("How many parameters has a conv layer of 10 filters of 3x3 over RGB?")
    child.sendline("")
    child.expect(r"Answer \(a number\): ")
    child.sendeof()
    child.expect(r"nothing added; what you typed is kept in\s+(\S+\.yaml)")
    kept = Path(child.match.group(1))
    assert finish(child) == 1
    assert "How many parameters has a conv layer" in kept.read_text(encoding="utf-8")
    kept.unlink()
