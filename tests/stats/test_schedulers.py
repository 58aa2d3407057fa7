"""`dlquiz stats --schedulers`: on a log whose learner remembers as an FSRS model does, FSRS
predicts better than SM-2; the metrics are srs-benchmark's; fitted FSRS is only judged on reviews
after those it was fitted to."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest

from dlquiz.config import Config
from dlquiz.review import fsrs_fit
from dlquiz.review.fsrs_fit import Prediction
from dlquiz.review.fsrs_scheduler import FSRS
from dlquiz.review.store import Store
from dlquiz.stats import schedulers
from tests.review.learners import fill


@pytest.fixture
def learner(isolated):
    with Store(isolated["home"] / "dlquiz.db") as store:
        fill(store, 300, 180, seed=5)


def test_on_an_fsrs_memory_fsrs_ranks_ahead_of_sm2(learner, cli):
    result = cli("stats", "--schedulers", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    scores = {s["name"]: s for s in report["schedulers"]}
    assert list(scores) == ["sm2", "fsrs_default", "fsrs_fitted"]
    for name in ("fsrs_default", "fsrs_fitted"):
        assert scores[name]["log_loss"] < scores["sm2"]["log_loss"]
        assert scores[name]["rmse_bins"] < scores["sm2"]["rmse_bins"]
    assert report["split"] == "time series, 5 splits"
    assert report["judged"] == 5 * (report["reviews"] // 6)
    assert all(s["reviews_scheduled"] > 0 for s in scores.values())


def test_the_table_names_the_best_predictor(learner, cli):
    result = cli("stats", "--schedulers")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Schedulers on your log · ")
    best = [line for line in lines if "◀ best" in line]
    assert len(best) == 1 and best[0].startswith("FSRS")
    assert any(line.startswith("SM-2 ") for line in lines)


def test_fitted_fsrs_is_fitted_only_on_reviews_before_those_it_predicts(learner, monkeypatch, isolated):
    calls = []
    fit = fsrs_fit.fit

    def spy(cards, before=None):
        calls.append(before)
        return fit(cards, before)

    monkeypatch.setattr(fsrs_fit, "fit", spy)
    with Store(isolated["home"] / "dlquiz.db") as store:
        result = schedulers.compare(store, date(2026, 7, 1), Config())
        cards = fsrs_fit.histories(store.scheduled_reviews())
    # The scheduled reviews' places in the log, in time order; the 5 test parts are the last 5/6.
    orders = sorted(p.order for p in fsrs_fit.predictions(FSRS(), cards))
    size = len(orders) // 6
    starts = [len(orders) - 5 * size + k * size for k in range(5)]
    # Fitted before each part's first review (a part after fewer than 400 reviews keeps the
    # defaults, as optimize would), then on the whole log for the workload.
    assert calls == [orders[start] for start in starts if start >= fsrs_fit.MIN_REVIEWS] + [None]
    assert len(calls) >= 4
    assert result.judged == 5 * size


def test_a_short_log_judges_what_it_can_and_says_why_fitted_is_missing(isolated, cli):
    with Store(isolated["home"] / "dlquiz.db") as store:
        fill(store, 10, 20, seed=1)
    report = json.loads(cli("stats", "--schedulers", "--json").stdout)
    fitted = report["schedulers"][2]
    assert fitted["log_loss"] is None and fitted["note"] == "needs 400 scheduled reviews"
    assert report["schedulers"][0]["log_loss"] is not None


def test_no_log_is_a_plain_sentence(cli):
    result = cli("stats", "--schedulers")
    assert result.exit_code == 0 and result.stdout.startswith("No scheduled reviews yet")


def review(elapsed, number, lapses, passed):
    return Prediction(0.0, passed, elapsed, number, lapses, 0)


def test_rmse_bins_is_srs_benchmark_definition():
    # Bins: elapsed 1 and 3 share 2.48·3.62^0 (both under 3.62); 4 goes to 2.48·3.62 = 8.98.
    pairs = [(0.9, review(1, 2, 0, True)), (0.7, review(3, 2, 0, False)), (0.5, review(4, 2, 0, True))]
    first = (0.9 + 0.7) / 2 - 0.5  # bin 1: mean prediction 0.8, pass rate 0.5; bin 2: 0.5 against 1
    assert schedulers.rmse_bins(pairs) == pytest.approx(math.sqrt((2 * first ** 2 + 1 * 0.5 ** 2) / 3))
    # The review's number and the lapses make bins too, on their own log scales.
    assert [schedulers._bin(n, 1.99, 1.89, 0) for n in range(2, 9)] == [4, 4, 7, 7, 7, 13, 13]
    assert [schedulers._bin(n, 1.65, 1.73, 0) for n in range(1, 6)] == [2, 3, 5, 5, 5]
    assert [schedulers._bin(t, 2.48, 3.62, 2) for t in (1, 3, 4, 13, 14)] == [2.48, 2.48, 8.98, 8.98, 32.5]
    pairs.append((0.5, review(4, 4, 1, True)))  # elapsed 4 as the third, but its own bin: number 4, 1 lapse
    assert schedulers.rmse_bins(pairs) == pytest.approx(math.sqrt((2 * first ** 2 + 2 * 0.5 ** 2) / 4))


def test_the_split_is_sklearn_time_series_split():
    # TimeSeriesSplit(n_splits=5) on 20 samples tests [5:8], [8:11], [11:14], [14:17], [17:20].
    assert schedulers.test_parts(20) == [(5, 8), (8, 11), (11, 14), (14, 17), (17, 20)]
    assert schedulers.test_parts(5) == []


def test_sm2_interval_as_probability_is_ninety_percent_at_the_interval():
    history = [fsrs_fit.Step(0, 4, 0), fsrs_fit.Step(1, 4, 1), fsrs_fit.Step(10, 4, 2)]
    # SM-2 gives 1 then 6 days: recall 0.9 after 1 day of 1, 0.9^(9/6) after 9 days of 6.
    assert schedulers.sm2_predictions({"a": history}) == [pytest.approx(0.9), pytest.approx(0.9 ** 1.5)]
