"""The review screen's keys beyond showing and grading, in a real pseudo-terminal (pexpect):
Enter grades 4 on the answer side, `e` edits, `i` informs, `!` suspends (and `u` takes it back),
a leech is offered for suspension, `Nothing to undo.` leaves the screen alone, keys pressed twice
after an undo are keys and not an answer, the screen comes back after the process was stopped and
continued, and the session's two durations agree.

Every wait is on what the screen shows; the one sleep lets time pass, it synchronises nothing."""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from datetime import date, datetime, timedelta, timezone

import pexpect
import pytest

from dlquiz.review.store import Store
from tests.review.test_screen import env_at, finish, reveal_and_grade

DAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)

DECK = """\
course: 1
week: 1
title: Test deck
cards:
  - id: t-0
    question: Question number 0?
    answer: Answer number 0.
  - id: t-1
    kind: numeric
    question: How many parameters?
    answer: 7600
  - id: t-2
    kind: numeric
    question: How many more?
    answer: 12
  - id: t-3
    question: Question number 3?
    answer: Answer number 3.
"""


@pytest.fixture
def four(write_deck):
    return write_deck("t.yaml", DECK)


def spawn(*args, **env):
    return pexpect.spawn(sys.executable, ["-m", "dlquiz", "review", "--plain", *args], env=env_at(**env),
                         encoding="utf-8", timeout=30, dimensions=(50, 100))


def at_question(child, text: str) -> None:
    """Wait for a self-graded card's question and its keys line."""
    child.expect(text)
    child.expect("show answer")


def answer(child, text: str) -> None:
    """Wait for the answer prompt and type a line."""
    child.expect("answer › ")
    child.sendline(text)


def store(isolated) -> Store:
    return Store(isolated["home"] / "dlquiz.db")


def grades(isolated) -> list[tuple[str, str, int]]:
    with store(isolated) as s:
        return s.db.execute("SELECT card_id, kind, grade FROM reviews ORDER BY id").fetchall()


def test_enter_or_space_on_the_answer_side_grades_4(four, isolated):
    child = spawn()
    at_question(child, "Question number 0")
    child.send(" ")
    child.expect("Answer number 0")
    child.expect("Enter = 4 · ")
    child.send("\r")
    child.expect("How many parameters")
    answer(child, "")  # shown unchecked: graded by the learner, Enter = 4 again
    child.expect("7,600")
    child.expect("Enter = 4 · ")
    child.send(" ")
    child.expect("How many more")
    answer(child, ":q")
    assert finish(child) == 0
    assert grades(isolated) == [("t-0", "review", 4), ("t-1", "review", 4)]


def test_the_help_and_the_readme_say_what_enter_and_the_new_keys_do():
    import io
    from pathlib import Path

    from rich.console import Console

    from dlquiz.review.bars import help_view

    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(help_view(200))
    shown = console.file.getvalue()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for key, row, what in (("Space / Enter", "**Space** / **Enter**", "grade 4"), ("!", "**!**", "suspend"),
                           ("e", "**e**", "edit"), ("i", "**i**", "schedule and history"), ("u", "**u**", "suspension")):
        assert re.search(rf"^  {re.escape(key)} +.*{what}", shown, re.M), key
        assert re.search(rf"^\| {re.escape(row)} \|.*{what}", readme, re.M), key


def test_e_edits_the_card_in_the_editor_and_shows_it_keeping_its_schedule(four, isolated, tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/Question number 3/Question number three/' \"$1\"\n")
    editor.chmod(0o755)
    with store(isolated) as s:
        s.record("t-3", 5, "review", DAY - timedelta(days=1), NOW)
        before = s.state("t-3")
    child = spawn("t", EDITOR=str(editor), VISUAL="")
    child.expect("Question number 3")  # due: first
    child.expect("show answer")
    child.send("e")
    child.expect(r"Updated t-3 in .*t\.yaml:16\.")
    child.expect("Question number three")
    child.expect("show answer")
    child.send(" ")
    child.expect("Answer number 3")
    child.send("q")
    assert finish(child) == 0
    assert "question: Question number three?" in four.read_text()
    with store(isolated) as s:
        assert s.state("t-3") == before


def test_e_validates_as_dlquiz_edit_does_and_a_refused_edit_changes_nothing(four, isolated, tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/answer:/anser:/' \"$1\"\n")
    editor.chmod(0o755)
    before = four.read_text()
    child = spawn(EDITOR=str(editor), VISUAL="")
    at_question(child, "Question number 0")
    child.send("e")
    child.expect(r"unknown card key 'anser'")
    child.expect(r"Edit it again\? \[Y/n\] ")
    child.sendline("y")  # the editor again, on the refused text
    child.expect(r"Edit it again\? \[Y/n\] ")
    child.sendline("n")
    child.expect("your text is kept in")
    child.send(" ")  # the same card, single keys again
    child.expect("Answer number 0")
    child.send("q")
    assert finish(child) == 0
    assert four.read_text() == before


def test_e_on_a_card_that_cannot_be_written_says_why_and_opens_no_editor(bundled, cli, tmp_path, monkeypatch):
    from dlquiz import paths

    marker = tmp_path / "editor-ran"
    monkeypatch.setenv("EDITOR", f"touch {marker} #")
    monkeypatch.setenv("VISUAL", "")
    monkeypatch.setattr(paths, "is_source_checkout", lambda: False)  # as in a plain `pip install .`
    result = cli("review", "c1w1", input="e\nq\n")
    assert result.exit_code == 0, result.output
    assert ("Cannot edit c1w1-structured-vs-unstructured: deck 'c1w1' is bundled with dlquiz and replaced on upgrade"
            in " ".join(result.stdout.split()))
    assert not marker.exists()


def test_i_shows_the_schedule_and_the_history(four, isolated):
    with store(isolated) as s:
        s.record("t-0", 5, "review", DAY - timedelta(days=7), NOW)
        s.record("t-0", 2, "review", DAY - timedelta(days=6), NOW)
        s.record("t-0", 5, "redrill", DAY - timedelta(days=6), NOW)
        s.record("t-0", 4, "review", DAY - timedelta(days=5), NOW)
    child = spawn()
    at_question(child, "Question number 0")
    child.send("i")
    child.expect(r"due 2026-11-22 · interval 1 day · E-Factor 2.\d\d · 1 repetition · 1 lapse")
    child.expect(r"2026-11-19\s+review\s+5\s+1 day\s+2.60")
    child.expect(r"2026-11-20\s+re-drill\s+5\s+-\s+-")
    child.expect(r"2026-11-21\s+review\s+4\s+1 day")
    child.send(" ")  # still on the same card
    child.expect("Answer number 0")
    child.send("q")
    assert finish(child) == 0


def test_bang_suspends_the_card_and_u_takes_the_suspension_back(four, isolated, cli):
    child = spawn()
    at_question(child, "Question number 0")
    child.send("!")
    child.expect("Suspended t-0")
    child.expect("How many parameters")
    answer(child, ":u")
    child.expect("Undid the suspension of t-0")
    at_question(child, "Question number 0")
    child.send(" ")
    child.expect("Answer number 0")
    child.send("!")  # from the answer side too
    child.expect("Suspended t-0")
    answer(child, ":q")
    assert finish(child) == 0
    with store(isolated) as s:
        assert s.state("t-0").suspended
    assert "Question number 0" not in cli("review", input="q\n").stdout
    assert "Question number 0" not in cli("review", "--cram", input="q\n").stdout.split("How many")[0]


def test_a_leech_is_offered_for_suspension_with_one_key(four, isolated):
    with store(isolated) as s:
        s.record("t-0", 5, "review", DAY - timedelta(days=15), NOW)
        day = DAY - timedelta(days=14)
        for _ in range(7):  # seven lapses, each followed by a pass (interval 1): due today at the end
            s.record("t-0", 0, "review", day, NOW)
            s.record("t-0", 5, "review", day + timedelta(days=1), NOW)
            day += timedelta(days=2)
        assert s.state("t-0").due == DAY and s.state("t-0").lapses == 7
    child = spawn()
    reveal_and_grade(child, 0, 1)
    child.expect("Leech: t-0 has lapsed 8 times")
    child.expect("! suspends it")
    child.send("!")
    child.expect("Suspended t-0")
    child.expect(r"1 done · 3 left")  # its re-drill is gone with it
    child.expect("How many parameters")
    child.sendline(":q")
    assert finish(child) == 0
    with store(isolated) as s:
        assert s.state("t-0").suspended and s.state("t-0").lapses == 8


def test_nothing_to_undo_leaves_the_card_on_screen(four, isolated):
    child = spawn()
    at_question(child, "Question number 0")
    child.send("u")
    child.expect("Nothing to undo.")
    child.send(" ")
    child.expect("Answer number 0")
    assert "Question number 0" not in child.before and "left" not in child.before  # not drawn again
    child.expect("grade 0-5")
    child.send("q")
    assert finish(child) == 0


def test_u_pressed_twice_after_an_undo_is_not_typed_into_the_next_answer(four, isolated):
    child = spawn()
    reveal_and_grade(child, 0, 4)
    child.expect("How many parameters")
    answer(child, "7600")
    child.expect("Enter = 4")
    child.send("\r")
    child.expect("How many more")
    answer(child, "")
    child.expect("grade 0-5")
    child.send("uu")  # both keys at once: the second arrives while t-1 is drawn again
    child.expect("Undid the grade of t-1")
    child.expect("Undid the grade of t-0")
    at_question(child, "Question number 0")
    child.send(" 4")
    child.expect("How many parameters")
    answer(child, "7600")
    child.expect("✓ correct")  # not 'u7600'
    child.send("\r")
    child.expect("How many more")
    child.sendline(":q")
    assert finish(child) == 0
    assert [g for g in grades(isolated) if g[1] == "review"] == [("t-0", "review", 4), ("t-1", "review", 4)] * 2


def test_the_screen_and_the_prompt_come_back_after_a_stop_and_continue(four, isolated):
    child = spawn()
    at_question(child, "Question number 0")
    os.kill(child.pid, signal.SIGSTOP)  # as Ctrl-Z does, then `fg`
    os.kill(child.pid, signal.SIGCONT)
    child.expect("Question number 0")  # drawn again
    child.expect("show answer")
    child.send(" ")  # single keys still: the terminal mode was set again
    child.expect("Answer number 0")
    child.send("4")
    child.expect("answer › ")
    child.send("76")  # half typed
    child.expect("76")
    os.kill(child.pid, signal.SIGSTOP)
    os.kill(child.pid, signal.SIGCONT)
    child.expect("How many parameters")
    answer(child, "7600")
    child.expect("✓ correct")
    child.send("q")
    assert finish(child) == 0


def _rule_at(child, pattern: str) -> str:
    """The next line of output holding `pattern` (a header rule, a grade line), its control
    sequences taken out."""
    child.expect(rf"[^\r\n]*{pattern}[^\r\n]*")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.after)


def test_a_resized_terminal_gets_the_page_again_at_its_new_width(four, isolated):
    env = env_at()
    del env["COLUMNS"]  # (Rich would keep to it): the width is the terminal's, as in a real one
    child = pexpect.spawn(sys.executable, ["-m", "dlquiz", "review", "--plain"], env=env, encoding="utf-8", timeout=30,
                          dimensions=(50, 100))
    at_question(child, "Question number 0")
    child.setwinsize(50, 40)  # rows, columns: SIGWINCH, as a terminal window being narrowed
    header = _rule_at(child, "0 done · 4 left")  # the page drawn again: the header first
    assert len(header.strip()) <= 40 and header.strip().startswith("─") and header.strip().endswith("─"), header
    child.expect("Question number 0")
    child.expect("show answer")
    child.send(" ")
    child.expect("Answer number 0")
    grades = _rule_at(child, "perfect|5 ")
    assert len(grades) <= 40, grades  # the grade bar made for 40 columns (short words below 60)
    child.setwinsize(50, 100)
    header = _rule_at(child, "0 done · 4 left")
    assert len(header.strip()) > 40, header  # and wide again
    child.expect("Answer number 0")
    assert "show answer" not in child.before  # the hint taken back when the answer showed stays away
    child.send("4")
    child.expect("answer › ")
    child.send("76")  # half an answer typed, then the window resized: the text stays
    child.expect("76")
    child.setwinsize(50, 60)
    child.send("00\r")
    child.expect("✓ correct")  # 7600: what was typed before the resize was kept
    child.send("q")
    assert finish(child) == 0


def test_ctrl_z_in_a_session_leaves_it_working(four, isolated):
    child = spawn()
    at_question(child, "Question number 0")
    child.sendcontrol("z")  # (no job control shell here: the session is not stopped)
    child.send(" ")
    child.expect("Answer number 0")
    child.send("q")
    assert finish(child) == 0


def test_the_session_time_and_todays_time_agree(four, isolated):
    child = spawn()
    reveal_and_grade(child, 0, 5)
    child.expect("How many parameters")
    child.expect("answer › ")
    time.sleep(1.2)  # time on a card never graded: it is in no answer's time
    child.sendline(":q")
    child.expect(r"Reviewed 1 card \(1 answer\) in (\S+) · grades 5×1")
    session = child.match.group(1)
    child.expect(r"Today 1 answer on 1 card in (\S+) ")
    assert child.match.group(1) == session
    assert finish(child) == 0
