"""`dlquiz optimize`: FSRS fitted to the learner's log by fsrs-rs-python recovers a learner's
memory (on reviews it was not fitted to), and the command asks, writes config.toml, and refuses
clearly when it cannot."""

from __future__ import annotations

import sys
from datetime import date, datetime, timezone

import pytest

from dlquiz import config
from dlquiz.review import fsrs_fit
from dlquiz.review.fsrs_scheduler import FSRS
from dlquiz.review.store import Store
from tests.review.learners import TRUE_PARAMETERS, fill, histories

DAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


@pytest.fixture
def learner(isolated):
    """A store holding a synthetic learner's half year: 2,109 scheduled reviews of 300 cards."""
    with Store(isolated["home"] / "dlquiz.db") as store:
        fill(store, 300, 180, seed=1)
    return isolated["home"]


def held_out_log_loss(parameters) -> float:
    cards = histories(300, 180, seed=2)  # the same learner's memory, other cards and answers
    return fsrs_fit.log_loss((p.p, p.passed) for p in fsrs_fit.predictions(FSRS(parameters), cards))


def test_optimize_recovers_a_learner_memory_within_5_percent_on_held_out_reviews(learner, cli):
    result = cli("optimize", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "FSRS fitted to" in result.stdout and "Parameters, now → fitted" in result.stdout
    fitted = config.load(learner).fsrs_parameters
    truth, found, default = (held_out_log_loss(p) for p in (TRUE_PARAMETERS, fitted, None))
    assert found <= 1.05 * truth
    assert found < default  # and better than py-fsrs's defaults for this learner
    assert "the scheduler is SM-2" in result.stderr


def test_optimize_asks_and_a_no_writes_nothing(learner, cli):
    (learner / "config.toml").write_text("# keep me\nnew_per_day = 5\n", encoding="utf-8")
    result = cli("optimize", input="n\n")
    assert result.exit_code == 1 and result.stderr.strip() == "nothing written"
    assert "Write them to" in result.stdout
    assert (learner / "config.toml").read_text() == "# keep me\nnew_per_day = 5\n"
    result = cli("optimize", input="y\n")
    assert result.exit_code == 0
    assert (learner / "config.toml").read_text().startswith("# keep me\nnew_per_day = 5\nfsrs_parameters = [")


def test_too_little_history_changes_nothing(isolated, cli):
    with Store(isolated["home"] / "dlquiz.db") as store:
        fill(store, 20, 30, seed=3)
    result = cli("optimize", "--yes")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("optimize needs at least 400 to fit FSRS to them: nothing changed")
    assert result.stderr.startswith("only ") and len(result.stderr.splitlines()) == 1
    assert not (isolated["home"] / "config.toml").exists()


def test_a_missing_optimizer_is_one_line_naming_the_extra(learner, cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "fsrs_rs_python", None)  # import fails as if not installed
    result = cli("optimize", "--yes")
    assert result.exit_code == 2
    assert result.stderr == "the FSRS optimizer is not installed: pip install 'dlquiz[optimizer]'\n"
    assert not (learner / "config.toml").exists()


def test_histories_are_scheduled_reviews_one_per_card_per_day(tmp_path):
    with Store(tmp_path / "dlquiz.db") as store:
        store.record("a", 4, "review", DAY, NOW)
        store.record("a", 2, "redrill", DAY, NOW)
        store.record("a", 5, "review", DAY, NOW)  # a second review the same day: not a new measurement
        undone = store.record("a", 1, "review", date(2026, 3, 3), NOW)
        store.undo(undone.id, date(2026, 3, 3), NOW)
        store.record("b", 3, "cram", DAY, NOW)
        store.record("a", 3, "review", date(2026, 3, 5), NOW)
        cards = fsrs_fit.histories(store.scheduled_reviews())
    assert cards == {"a": [(DAY.toordinal(), 4, 0), (date(2026, 3, 5).toordinal(), 3, 1)]}
    assert fsrs_fit.scheduled_count(cards) == 1
