"""`dlquiz review` end to end: a real pseudo-terminal (pexpect) for the interactive session, piped
input through CliRunner, a SIGKILL in the middle of a session, and two sessions at once.

Every wait is on what the screen shows (expect patterns), never on a fixed sleep."""

from __future__ import annotations

import os
import signal
import sys
from datetime import date, datetime, timedelta

import pexpect
import pytest

from dlquiz.review.store import Store

START = datetime.fromisoformat("2026-11-26T09:00:00+00:00")


def deck(n=3):
    cards = "".join(f"  - id: t-{i}\n    question: Question number {i}?\n    answer: Answer number {i}.\n" for i in range(n))
    return f"course: 1\nweek: 1\ntitle: Test deck\ncards:\n{cards}"


@pytest.fixture
def three(write_deck):
    write_deck("t.yaml", deck(3))


def env_at(days=0, **extra):
    env = dict(os.environ)
    env.update(NO_COLOR="1", TERM="xterm", COLUMNS="100", DLQUIZ_NOW=(START + timedelta(days=days)).isoformat())
    env.update(extra)
    return env


def spawn(*args, days=0):
    child = pexpect.spawn(sys.executable, ["-m", "dlquiz", "review", "--plain", *args], env=env_at(days), encoding="utf-8",
                          timeout=30, dimensions=(50, 100))
    return child


def store(isolated):
    return Store(isolated["home"] / "dlquiz.db")


def reveal_and_grade(child, n, grade):
    child.expect(f"Question number {n}\\?")
    child.expect("show answer")
    child.send(" ")
    child.expect(f"Answer number {n}\\.")
    child.expect("q quit")
    child.send(str(grade))


def finish(child):
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_reveal_grade_and_quit_with_a_summary(three, isolated):
    child = spawn()
    child.expect(r"0 done · 3 left")
    reveal_and_grade(child, 0, 5)
    child.expect(r"1 done · 2 left")
    child.expect("Question number 1")
    child.send("q")
    child.expect(r"Reviewed 1 card \(1 answer\) in \d+s · grades 5×1")
    child.expect("2 left in this session · next due 2026-11-27")
    child.expect(r"Today 1 answer on 1 card in \d+s · tomorrow 1 due")
    assert finish(child) == 0
    with store(isolated) as s:
        assert s.state("t-0").due == date(2026, 11, 27)
        assert s.state("t-1").is_new


def test_undo_brings_the_card_back_with_its_state(three, isolated):
    child = spawn()
    reveal_and_grade(child, 0, 5)
    reveal_and_grade(child, 1, 2)
    child.expect("Question number 2")
    child.send("u")
    child.expect("Undid the grade of t-1")
    child.expect(r"\[new\]\s+1 done · 2 left")  # t-1 and t-2: the re-drill of t-1 is gone again
    child.expect("Question number 1")
    child.send("u")
    child.expect("Undid the grade of t-0")
    child.expect("Question number 0")
    child.send("u")
    child.expect("Nothing to undo")
    child.send("q")
    assert finish(child) == 0
    with store(isolated) as s:
        assert all(s.state(f"t-{i}").is_new for i in range(3))
        kinds = [r[0] for r in s.db.execute("SELECT kind FROM reviews ORDER BY id")]
        assert kinds == ["review", "review", "undo", "undo"]


def test_bury_hides_the_card_until_tomorrow(three, isolated):
    child = spawn()
    child.expect("Question number 0")
    child.expect("show answer")
    child.send("s")
    child.expect("Buried t-0 until tomorrow")
    child.expect("Question number 1")
    child.send("q")
    assert finish(child) == 0
    child = spawn()
    child.expect("Question number 1")  # still buried today
    child.send("q")
    finish(child)
    child = spawn(days=1)
    child.expect("Question number 0")  # back tomorrow
    child.send("q")
    finish(child)


def test_grades_below_4_come_back_in_the_same_session(three, isolated):
    child = spawn("--limit", "1")
    reveal_and_grade(child, 0, 3)
    child.expect(r"\[again\]\s+1 done · 1 left")
    child.expect("show answer")
    child.send(" ")
    child.expect(r"\(re-drill: 4 or 5 ends it · no schedule change\)")
    child.send("4")
    child.expect("Nothing left for today")
    child.expect(r"Reviewed 1 card \(2 answers\)")
    assert finish(child) == 0


def test_resume_days_later_finds_the_right_cards_due(three, isolated):
    child = spawn()
    for n in range(3):
        reveal_and_grade(child, n, 5)  # interval 1 each
    child.expect("Nothing left for today")
    assert finish(child) == 0

    child = spawn(days=1)  # all three due; t-0 well known, t-1 fine, t-2 forgotten
    child.expect(r"\[review\]\s+0 done · 3 left")
    child.expect("show answer")
    child.send(" ")
    child.expect("5 perfect 6d")  # second successful repetition: 6 days
    child.send("5")
    reveal_and_grade(child, 1, 4)
    reveal_and_grade(child, 2, 1)
    reveal_and_grade(child, 2, 4)  # the re-drill
    child.expect("Nothing left for today")
    assert finish(child) == 0

    child = spawn(days=2)  # only the forgotten one is due (interval 1 after the lapse)
    child.expect(r"\[review\]\s+0 done · 1 left")
    child.expect("Question number 2")
    child.send("q")
    finish(child)

    child = spawn(days=7)  # day 7: t-0 and t-1 (6 days after day 1) and t-2 are due; most overdue first
    child.expect(r"0 done · 3 left")
    child.expect("Question number 2")
    child.send("q")
    finish(child)


def test_nothing_to_review(write_deck, isolated, cli):
    write_deck("t.yaml", deck(0).replace("cards:\n", "cards: []\n"))
    result = cli("review")
    assert result.exit_code == 0
    assert result.stdout.strip() == "Nothing to review today (2026-11-26)."


def test_piped_keys_when_stdin_is_not_a_terminal(three, isolated, cli):
    result = cli("review", input="\n5\n\n4\nq\n")
    assert result.exit_code == 0, result.output
    assert "Reviewed 2 cards (2 answers)" in result.stdout
    with store(isolated) as s:
        assert s.state("t-0").sm2.easiness == 2.6 and s.state("t-1").sm2.easiness == 2.5


def test_end_of_input_ends_the_session_and_keeps_every_grade(three, isolated, cli):
    result = cli("review", input="\n5\n\n")
    assert result.exit_code == 0
    assert "Reviewed 1 card " in result.stdout


def test_ctrl_c_ends_with_a_summary(three, isolated):
    child = spawn()
    reveal_and_grade(child, 0, 4)
    child.expect("Question number 1")
    child.sendintr()
    child.expect("Reviewed 1 card ")
    assert finish(child) == 0


def test_sigkill_loses_at_most_the_card_on_screen(three, isolated):
    child = spawn()
    reveal_and_grade(child, 0, 5)
    reveal_and_grade(child, 1, 4)
    child.expect("Question number 2")  # shown only after the grade of t-1 was committed
    child.expect("show answer")
    child.send(" ")
    child.expect("Answer number 2")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL
    with store(isolated) as s:
        assert [r[0] for r in s.db.execute("SELECT card_id FROM reviews ORDER BY id")] == ["t-0", "t-1"]
        states = {k: (v.sm2, v.due) for k, v in s.states().items()}
        assert states == {k: (v.sm2, v.due) for k, v in s.rebuild_states().items()}
    child = spawn()
    child.expect(r"0 done · 1 left")
    child.expect("Question number 2")
    child.send("q")
    finish(child)


BIG_WAL = """
import sys
from datetime import date, datetime, timezone
from dlquiz.review import wal
from dlquiz.review.store import Store
wal.Checkpointer.committed = lambda self: None  # nothing checkpoints: the WAL only grows
store = Store(sys.argv[1])
for i in range(int(sys.argv[2])):
    store.record("t-0", 5, "cram", date(2026, 11, 25), datetime(2026, 11, 25, 9, tzinfo=timezone.utc))
print("done", flush=True)
sys.stdin.read()
"""


def test_sigkill_mid_session_with_a_large_wal_loses_nothing_committed(three, isolated):
    """A store left with a WAL past its limit (a process killed before any checkpoint): the session
    checkpoints it from its thread as it grades, and is killed in the middle; every grade of both
    processes is there, and the states are what the log replays."""
    import subprocess

    path = isolated["home"] / "dlquiz.db"
    helper = subprocess.Popen([sys.executable, "-c", BIG_WAL, str(path), "800"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    with helper.stdin, helper.stdout:
        assert helper.stdout.readline() == "done\n"
        os.kill(helper.pid, signal.SIGKILL)
        helper.wait()
    assert os.path.getsize(f"{path}-wal") > 4 * 1024 * 1024
    child = spawn()
    reveal_and_grade(child, 0, 5)
    reveal_and_grade(child, 1, 4)
    child.expect("Question number 2")  # shown only after the grade of t-1 was committed
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL
    with store(isolated) as s:
        assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = s.db.execute("SELECT kind, card_id, COUNT(*) FROM reviews GROUP BY kind, card_id ORDER BY kind, card_id")
        assert rows.fetchall() == [("cram", "t-0", 800), ("review", "t-0", 1), ("review", "t-1", 1)]
        states = {k: (v.sm2, v.due) for k, v in s.states().items()}
        assert states == {k: (v.sm2, v.due) for k, v in s.rebuild_states().items()}


def test_two_sessions_at_once_lose_nothing(write_deck, isolated):
    """Two sessions on one store, both with the same 30 new cards, grading as fast as keys come."""
    write_deck("t.yaml", deck(30))
    children = [spawn("--new", "30") for _ in range(2)]
    for child in children:  # both queues are built before either grades
        child.expect(r"0 done · 30 left")
        child.expect("show answer")
    for _ in range(30):
        for child in children:
            child.send(" 4")
    for child in children:
        child.expect(r"Reviewed 30 cards \(30 answers\)", timeout=120)
        assert finish(child) == 0
    with store(isolated) as s:
        rows = s.db.execute("SELECT card_id, COUNT(*) FROM reviews WHERE kind = 'review' GROUP BY card_id").fetchall()
        assert len(rows) == 30 and all(count == 2 for _, count in rows)
        assert all(st.sm2.repetitions == 2 for st in s.states().values())  # both grades applied, one after the other
        assert {k: v.sm2 for k, v in s.states().items()} == {k: v.sm2 for k, v in s.rebuild_states().items()}


def test_a_corrupt_store_is_a_clear_error_and_left_alone(three, isolated, cli):
    path = isolated["home"] / "dlquiz.db"
    path.write_bytes(b"garbage" * 1000)
    result = cli("review")
    assert result.exit_code == 2
    assert result.stderr == f"{path}: not a dlquiz review store (file is not a database); the file was left untouched\n"
    assert path.read_bytes() == b"garbage" * 1000
    assert cli("decks").exit_code == 2


def test_decks_shows_new_due_and_next_due(three, isolated, cli):
    assert cli("review", input="\n5\n\n5\nq\n").exit_code == 0
    import json

    (row,) = json.loads(cli("decks", "--json").stdout)
    assert {k: row[k] for k in ("cards", "new", "due", "leech", "next_due")} == {
        "cards": 3, "new": 1, "due": 0, "leech": 0, "next_due": "2026-11-27"}


def test_check_reports_orphaned_history(three, isolated, cli, write_deck):
    assert cli("review", input="\n5\nq\n").exit_code == 0
    write_deck("t.yaml", deck(3).replace("t-0", "t-renamed"))
    result = cli("check")
    assert result.exit_code == 0
    assert "1 orphaned card with review history but in no deck (kept): t-0" in result.stdout


CHECKABLE = """\
course: 4
week: 1
title: Checkable
cards:
  - id: n-params
    kind: numeric
    question: How many parameters do 100 filters of 5x5 over RGB have?
    answer: 7600
    explain: (5·5·3 + 1) · 100
  - id: n-drill
    template: conv_output_size
    tags: [drill]
  - id: n-formula
    kind: formula
    question: Give the bias-corrected average.
    answer: '$\\frac{v_t}{1-\\beta^t}$'
    expr: v_t / (1 - beta^t)
"""


@pytest.fixture
def checkable(write_deck):
    write_deck("n.yaml", CHECKABLE)


def test_typed_answers_are_checked_and_suggest_a_grade(checkable, isolated):
    child = spawn("--limit", "1")
    child.expect("How many parameters")
    child.expect("answer › ")
    child.sendline("7,500")
    child.expect("✗ 7,500 is not 7,600")
    child.expect(r"Enter = 1 · ↻ back today · grade 0-5")
    child.send("\r")  # accept the suggestion
    child.expect(r"\[again\]")  # wrong: back at the end of the session
    child.expect("answer › ")
    child.sendline("(5*5*3+1)*100")
    child.expect("✓")
    child.expect(r"Enter = 4 · ↻ back today · grade 0-5")
    child.send("5")  # the grade stays the learner's
    child.expect("Nothing left for today")
    assert finish(child) == 0
    with store(isolated) as s:
        grades = [r[0] for r in s.db.execute("SELECT grade FROM reviews ORDER BY id")]
        assert grades == [1, 5]


def answered(isolated, *typing: tuple[str, str]) -> list[int]:
    """The first checkable card answered by typing each (keys, then what the screen shows) in turn
    at the answer prompt, the suggested grade taken; the grades then logged."""
    child = spawn("--limit", "1")
    child.expect("How many parameters")
    for keys, shown in typing:
        child.expect("answer › ")
        child.send(keys)
        child.expect(shown)
    child.expect(r"Enter = 4 · ↻ back today · grade 0-5")
    child.send("\r")
    child.expect("Nothing left for today")
    assert finish(child) == 0
    with store(isolated) as s:
        return [r[0] for r in s.db.execute("SELECT grade FROM reviews ORDER BY id")]


def test_an_unreadable_answer_is_asked_again_not_graded(checkable, isolated):
    unreadable = r"\? cannot read '7600,5': write decimals with a point \(0.5, not 0,5\) · try again"
    assert answered(isolated, ("7600,5\r", unreadable), ("7600\r", "✓")) == [4]  # asked again, nothing recorded


LEFT, UP, BACKSPACE = "\x1b[D", "\x1b[A", "\x7f"  # (as an xterm sends them)


def test_a_typed_answer_is_edited_with_the_arrow_keys_as_in_a_shell(checkable, isolated):
    assert answered(isolated, ("7500" + LEFT * 2 + BACKSPACE + "6\r", "✓")) == [4]  # 75|00 -> 7|00 -> 76|00


def test_up_brings_back_an_answer_that_could_not_be_read_to_correct_it(checkable, isolated):
    assert answered(isolated, ("7600,5\r", r"\? cannot read '7600,5'"), (UP + BACKSPACE * 2 + "\r", "✓")) == [4]


def test_ctrl_l_while_typing_redraws_the_line_and_keeps_the_card_on_screen(checkable, isolated):
    child = spawn("--limit", "1")
    child.expect("answer › ")
    child.send("76\x0c00\r")
    child.expect("✓")
    assert "\x1b[2J" not in child.before  # (readline's default for Ctrl-L clears the screen)
    child.send("q")
    finish(child)


def test_formula_answers_are_compared_by_sympy(checkable, isolated, cli):
    result = cli("review", "--limit", "3", input="\n1\n\n1\nv_t/(1-β^t)\n\n")
    assert result.exit_code == 0, result.output
    assert "✓" in result.stdout
    with store(isolated) as s:
        assert s.state("n-formula").sm2.easiness == 2.5  # graded 4, the suggestion


def test_an_empty_answer_shows_it_unchecked(checkable, isolated, cli):
    result = cli("review", "--limit", "1", input="\n4\n")
    assert result.exit_code == 0
    assert "✓" not in result.stdout and "✗" not in result.stdout
    assert "7,600" in result.stdout


def test_a_parametric_card_shows_the_same_numbers_after_undo(checkable, isolated):
    child = spawn("--tag", "drill")
    child.expect(r"A (\d+)×\d+ input is convolved with a (\d+)×\d+ filter, padding p = (\d+) and stride s = (\d+)")
    first = child.match.groups()
    child.expect("answer › ")
    child.sendline("")
    child.expect(r"grade 0-5")
    child.send("5")
    child.expect("Nothing left for today")  # graded 5: done for today
    finish(child)
    child = spawn("--tag", "drill", "--cram")
    child.expect(r"A (\d+)×\d+ input is convolved with a (\d+)×\d+ filter, padding p = (\d+) and stride s = (\d+)")
    second = child.match.groups()
    child.expect("answer › ")
    child.sendline("")
    child.expect("grade 0-5")
    child.send("5")
    child.expect("Nothing left for today")
    finish(child)
    child = spawn("--tag", "drill", "--cram")
    child.expect(r"A (\d+)×\d+ input is convolved")
    child.expect("answer › ")
    child.sendline(":q")
    finish(child)
    assert first != second  # a new review draws new numbers
    with store(isolated) as s:
        last = s.db.execute("SELECT MAX(id) FROM reviews").fetchone()[0]
        s.undo(last, date(2026, 11, 26), START)
    child = spawn("--tag", "drill", "--cram")
    child.expect(r"A (\d+)×\d+ input is convolved with a (\d+)×\d+ filter, padding p = (\d+) and stride s = (\d+)")
    assert child.match.groups() == second  # after the undo: the same numbers again
    child.expect("answer › ")
    child.sendline(":q")
    finish(child)


def test_code_in_a_deck_never_runs_in_review(write_deck, isolated, cli, tmp_path):
    marker = tmp_path / "pwned"
    write_deck("evil.yaml", f"""\
course: 1
week: 1
title: Evil
cards:
  - id: evil-check
    kind: numeric
    question: How many?
    answer: 1
    check: __import__('os').system('touch {marker}')
""")
    write_deck("evil2.yaml", f"""\
course: 1
week: 2
title: Evil formula
cards:
  - id: evil-formula
    kind: formula
    question: Give it.
    answer: x
    expr: __import__('os').system('touch {marker}')
""")
    for command in ("review", "check"):  # an expr that is not math makes its deck invalid
        refused = cli(command, input="1\n\n")
        assert refused.exit_code == 2 and "evil2.yaml:9: expr" in refused.stderr and "does not parse" in refused.stderr
    (isolated["cards"] / "evil2.yaml").unlink()
    result = cli("review", input="1\n\n")
    assert result.exit_code == 0, result.output
    assert not marker.exists()
    checked = cli("check")
    assert checked.exit_code == 1
    assert "evil-check" in checked.stderr
    assert not marker.exists()


def test_the_reviewer_knows_the_checkable_kinds_without_importing_answers():
    from dlquiz.checking import answers
    from dlquiz.review import screen as reviewer

    assert set(reviewer._TYPED_KINDS) | {"cloze"} == set(answers.CHECKABLE)  # a cloze asks when it can be checked


def test_the_config_file_sets_the_daily_limits(write_deck, isolated, cli):
    write_deck("t.yaml", deck(5))
    (isolated["home"] / "config.toml").write_text("new_per_day = 2\n", encoding="utf-8")
    result = cli("review", input="\n4\n\n4\n")
    assert "Reviewed 2 cards" in result.stdout
    assert "0 left in this session" in result.stdout or "Nothing left for today" in result.stdout


@pytest.mark.parametrize("text, message", [
    ("new_per_dy = 2\n", "unknown setting 'new_per_dy' (did you mean 'new_per_day'?)"),
    ("rollover_hour = 25\n", "rollover_hour must be a whole number from 0 to 23, not 25"),
    ("new_per_day = \n", "invalid TOML"),
])
def test_a_bad_config_file_is_one_clear_line(write_deck, isolated, cli, text, message):
    write_deck("t.yaml", deck(1))
    path = isolated["home"] / "config.toml"
    path.write_text(text, encoding="utf-8")
    result = cli("review")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1


CLOZE = r"""course: 2
week: 2
title: Optimization
cards:
  - id: c2w2-ewa
    kind: cloze
    question: 'EWA: $v_t = {{c1::\beta}} v_{t-1} + {{c2::(1-\beta)::one minus}} \theta_t$.'
  - id: c2w2-order
    kind: order
    question: Put the steps in order.
    answer: [first step, second step, third step]
"""


def test_a_cloze_in_a_formula_is_typed_checked_and_its_sibling_buried(write_deck, isolated):
    write_deck("c2w2.yaml", CLOZE)
    child = spawn()
    child.expect(r"vₜ\s=\s\[…\]\svₜ₋₁\s\+\s\(1\s−\sβ\)θₜ")  # the box in the rendered formula
    child.expect("answer › ")
    child.sendline("0.9")
    child.expect("✗ your formula differs")
    child.expect(r"vₜ\s=\sβvₜ₋₁\s\+\s\(1\s−\sβ\)θₜ")  # the answer side: the formula whole
    child.expect(r"Enter = 1 · ")
    child.send("5")
    child.expect("Put the steps in order")  # c2w2-ewa-c2 is buried: the next card is another note's
    child.expect("Type the letters in order")
    child.expect("answer › ")
    child.sendline(":q")
    assert finish(child) == 0
    with store(isolated) as s:
        assert s.state("c2w2-ewa-c2").buried_until == date(2026, 11, 27)
        assert s.state("c2w2-ewa-c1").sm2.repetitions == 1


def test_a_cloze_typed_right_in_another_form_suggests_4(write_deck, isolated, cli):
    write_deck("c2w2.yaml", CLOZE)
    result = cli("review", "--limit", "1", input="β\n\n")
    assert "✓ correct" in result.stdout
    with store(isolated) as s:
        assert [r[0] for r in s.db.execute("SELECT grade FROM reviews")] == [4]
