"""`dlquiz stats` under FSRS: histograms of FSRS's stability, difficulty and retrievability today
over the reviewed cards (none of them under SM-2)."""

from __future__ import annotations

import json

import pytest

from dlquiz.review.fsrs_scheduler import FSRS
from dlquiz.review.store import Store
from tests.review.learners import fill


@pytest.fixture
def learner(isolated, write_deck):
    cards = "".join(f"  - id: card-{i:04d}\n    question: Question {i}?\n    answer: Answer {i}.\n" for i in range(40))
    write_deck("s.yaml", f"course: 1\nweek: 1\ntitle: Synthetic\ncards:\n{cards}")
    with Store(isolated["home"] / "dlquiz.db") as store:
        fill(store, 40, 60, seed=4)
    return isolated["home"]


def test_under_fsrs_stats_show_its_memory_histograms(learner, cli, monkeypatch):
    monkeypatch.setenv("DLQUIZ_NOW", "2026-03-05T09:00:00+00:00")
    (learner / "config.toml").write_text('scheduler = "fsrs"\n', encoding="utf-8")
    report = json.loads(cli("stats", "--json").stdout)
    fsrs = report["fsrs"]
    reviewed = report["cards"]["total"] - report["cards"]["new"]
    assert reviewed == 40
    for name in ("stability", "difficulty", "retrievability"):
        assert sum(bucket["cards"] for bucket in fsrs[name]) == reviewed, name
    with Store(learner / "dlquiz.db", scheduler=FSRS()) as store:
        states = store.states().values()
        assert sum(b["cards"] for b in fsrs["stability"] if b["to"] is not None and b["to"] <= 6) == sum(
            round(s.stability) <= 6 for s in states)
        assert sum(b["cards"] for b in fsrs["difficulty"][:3]) == sum(s.difficulty < 4 for s in states)
    screen = cli("stats").stdout
    assert "Stability (FSRS)" in screen and "Difficulty (FSRS)" in screen and "Retrievability today" in screen
    assert "E-Factor" not in screen


def test_under_sm2_stats_have_no_fsrs_figures(learner, cli):
    report = json.loads(cli("stats", "--json").stdout)
    assert "fsrs" not in report
    assert "Stability (FSRS)" not in cli("stats").stdout and "E-Factor" in cli("stats").stdout
