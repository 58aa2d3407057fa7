"""The commands about cards, tags and the home directory: `tags`, an unknown `--tag`, `suspend` /
`unsuspend` and what `decks` counts of them, `show --history`, and a DLQUIZ_HOME that cannot be
used, refused the same way by every command that needs it."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from dlquiz.review.store import Store

DAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)

DECK = """\
course: 1
week: 1
title: Tagged
cards:
  - id: t-a
    question: A?
    answer: A.
    tags: [adam, optimization]
  - id: t-b
    question: B?
    answer: B.
    tags: [adam]
  - id: t-c
    question: C?
    answer: C.
"""


@pytest.fixture
def tagged(write_deck):
    write_deck("t.yaml", DECK)
    write_deck("u.yaml", "course: 1\nweek: 2\ntitle: Other\ncards:\n  - id: u-a\n    question: UA?\n    answer: UA.\n"
                         "    tags: [conv]\n")


def test_tags_lists_every_tag_with_its_card_count(tagged, cli):
    result = cli("tags")
    assert result.exit_code == 0
    assert result.stdout == ("tag           cards\n"
                             "adam              2\n"
                             "conv              1\n"
                             "optimization      1\n"
                             "3 tags\n")
    assert json.loads(cli("tags", "--json").stdout) == [
        {"tag": "adam", "cards": 2}, {"tag": "conv", "cards": 1}, {"tag": "optimization", "cards": 1}]


@pytest.mark.parametrize("args, message", [
    (("review", "--tag", "adm"), "unknown tag 'adm' (did you mean 'adam'?)"),
    (("review", "t", "--tag", "optimisation"), "unknown tag 'optimisation' (did you mean 'optimization'?)"),
    (("review", "--tag", "adam", "--tag", "nosuch"), "unknown tag 'nosuch' (try `dlquiz tags`)"),
    (("review", "--cram", "--tag", "nosuch"), "unknown tag 'nosuch' (try `dlquiz tags`)"),
])
def test_an_unknown_tag_is_an_error_with_the_closest_tags(tagged, cli, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr == message + "\n" and result.stdout == ""


def test_suspend_and_unsuspend_and_decks_counts_them(tagged, cli, isolated):
    result = cli("suspend", "t-a", "t-b")
    assert result.exit_code == 0
    assert result.stdout == "suspended t-a\nsuspended t-b\n"
    assert cli("suspend", "t-a").stdout == "t-a was already suspended\n"
    rows = {row["id"]: row for row in json.loads(cli("decks", "--json").stdout)}
    assert {k: rows["t"][k] for k in ("cards", "new", "due", "suspended")} == {"cards": 3, "new": 1, "due": 0, "suspended": 2}
    assert "Reviewed 1 card" in cli("review", "t", input="\n5\n\n5\n").stdout  # t-c only
    assert cli("unsuspend", "t-a").stdout == "unsuspended t-a\n"
    assert cli("unsuspend", "t-c").stdout == "t-c was not suspended\n"
    assert json.loads(cli("decks", "--json").stdout)[0]["suspended"] == 1
    with Store(isolated["home"] / "dlquiz.db") as s:
        assert [r for r in s.db.execute("SELECT card_id, suspended FROM suspensions ORDER BY id")] == [
            ("t-a", 1), ("t-b", 1), ("t-a", 0)]


def test_suspend_an_unknown_card_writes_nothing(tagged, cli, isolated):
    result = cli("suspend", "t-a", "t-z")
    assert result.exit_code == 1
    assert result.stderr == "unknown card 't-z' (did you mean t-c, t-b, t-a?)\n"
    with Store(isolated["home"] / "dlquiz.db") as s:
        assert not s.state("t-a").suspended


def test_decks_has_no_trailing_spaces_and_counts_in_words(tagged, cli, monkeypatch):
    result = cli("decks")
    assert result.exit_code == 0
    assert all(line == line.rstrip() for line in result.stdout.splitlines()), result.stdout
    assert result.stdout.splitlines()[0].split() == ["deck", "title", "cards", "new", "due", "suspended", "leech", "next", "due"]
    assert result.stdout.splitlines()[-1].startswith("2 decks ")
    monkeypatch.setenv("DLQUIZ_CARDS", "")  # no deck directory at all
    assert cli("decks").stdout.splitlines()[-1].startswith("0 decks")


def test_one_deck_is_one_deck(write_deck, cli):
    write_deck("t.yaml", DECK)
    assert cli("decks").stdout.splitlines()[-1].startswith("1 deck ")
    assert cli("check").stdout.startswith("1 deck, 3 cards: ")


def test_show_prints_the_schedule_and_with_history_every_answer(tagged, cli, isolated):
    assert "schedule new, never reviewed" in cli("show", "t-a").stdout
    with Store(isolated["home"] / "dlquiz.db") as s:
        s.record("t-a", 5, "review", DAY - timedelta(days=1), NOW)
        s.record("t-a", 2, "review", DAY, NOW)
        s.record("t-a", 3, "redrill", DAY, NOW)
        s.undo(s.record("t-a", 4, "redrill", DAY, NOW).id, DAY, NOW)  # undone: not in the history
        s.set_suspended("t-a", True, DAY, NOW)
    result = cli("show", "t-a", "--history", "--plain")
    assert result.exit_code == 0
    out = result.stdout
    assert ("schedule suspended since 2026-11-26 · due 2026-11-27 · interval 1 day · E-Factor 2.28 · 0 repetitions "
            "· 1 lapse") in " ".join(out.replace("│", " ").split())
    assert out.endswith("day         kind      grade  interval  E-Factor\n"
                        "2026-11-25  review        5     1 day      2.60\n"
                        "2026-11-26  review        2     1 day      2.28\n"
                        "2026-11-26  re-drill      3         -         -\n")
    assert "2026-11-25" not in cli("show", "t-a").stdout  # the history only with --history


NEEDS_HOME = [("review",), ("decks",), ("decks", "--json"), ("stats",), ("show", "t-a"), ("check",),
              ("suspend", "t-a"), ("unsuspend", "t-a"), ("export", "anki", "-o", "x.apkg")]


@pytest.mark.parametrize("args", NEEDS_HOME)
@pytest.mark.parametrize("kind", ["missing", "file"])
def test_an_unusable_home_is_the_same_clear_line_in_every_command(tagged, cli, tmp_path, monkeypatch, args, kind):
    home = tmp_path / "elsewhere"
    if kind == "file":
        home.write_text("not a directory")
    monkeypatch.setenv("DLQUIZ_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    expected = {"missing": f"{home}: DLQUIZ_HOME does not exist; create it or point DLQUIZ_HOME elsewhere",
                "file": f"{home}: DLQUIZ_HOME is a file, not a directory; point DLQUIZ_HOME at a directory"}[kind]
    assert (result.exit_code, result.stderr, result.stdout) == (2, expected + "\n", "")
    assert (home.is_file() if kind == "file" else not home.exists())


def test_the_default_home_is_still_created_on_first_use(tagged, cli, tmp_path, monkeypatch):
    monkeypatch.delenv("DLQUIZ_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr("sys.platform", "linux")
    assert cli("decks").exit_code == 0  # reading creates nothing
    assert not (tmp_path / "data" / "dlquiz").exists()
    assert cli("review", input="q\n").exit_code == 0
    assert (tmp_path / "data" / "dlquiz" / "dlquiz.db").is_file()
