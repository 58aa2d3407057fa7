"""A real review in a pseudo-terminal under `--scheduler fsrs`: the grade bar shows FSRS's
intervals and every grade is committed; under SM-2 the `fsrs` package is never imported, neither
by `--help` nor before (or after) the first card."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pexpect

from dlquiz.review.fsrs_scheduler import FSRS
from dlquiz.review.store import Store
from tests.review.test_screen import START, deck, env_at, finish, reveal_and_grade

PROBE = '''\
import os, sys
class _Probe:  # records the first import of the fsrs package, then steps aside
    def find_spec(self, name, path=None, target=None):
        if name == "fsrs":
            with open(os.environ["FSRS_PROBE"], "a") as f:
                f.write("fsrs imported\\n")
        return None
sys.meta_path.insert(0, _Probe())
'''


def probed(tmp_path) -> dict:
    """An environment whose Python notes in a file when it imports fsrs (a sitecustomize)."""
    site = tmp_path / "probe"
    site.mkdir()
    (site / "sitecustomize.py").write_text(PROBE, encoding="utf-8")
    return env_at(PYTHONPATH=str(site), FSRS_PROBE=str(tmp_path / "fsrs-imported"))


def spawn(env, *args):
    return pexpect.spawn(sys.executable, ["-m", "dlquiz", "review", "--plain", *args], env=env, encoding="utf-8",
                         timeout=60, dimensions=(50, 100))


def test_under_sm2_neither_help_nor_the_first_cards_import_fsrs(write_deck, tmp_path):
    write_deck("t.yaml", deck(3))
    env = probed(tmp_path)
    subprocess.run([sys.executable, "-m", "dlquiz", "--help"], env=env, capture_output=True, check=True, timeout=60)
    child = spawn(env)
    reveal_and_grade(child, 0, 4)
    reveal_and_grade(child, 1, 5)
    child.expect("Question number 2")
    child.send("q")
    assert finish(child) == 0
    assert not (tmp_path / "fsrs-imported").exists()
    child = spawn(env, "--scheduler", "fsrs")  # the probe does see it when FSRS is chosen
    child.expect("Question number 2")
    child.send("q")
    assert finish(child) == 0
    assert (tmp_path / "fsrs-imported").read_text() == "fsrs imported\n"


def test_a_session_under_fsrs_shows_fsrs_intervals_and_commits_every_grade(write_deck, isolated):
    write_deck("t.yaml", deck(3))
    child = spawn(env_at(), "--scheduler", "fsrs")
    child.expect("Question number 0")
    child.send(" ")
    # py-fsrs's default first intervals at 90% retention: Again 1 day, Hard 1, Good 2, Easy 8
    # (SM-2 would show 1d for every grade of a new card).
    child.expect(r"0 blackout 1d ↻  1 wrong 1d ↻  2 almost 1d ↻  3 hard 1d ↻\s+4 good 2d  5 perfect 8d")
    child.send("4")
    reveal_and_grade(child, 1, 5)
    child.expect("Question number 2")  # drawn only after both grades were committed
    child.send("q")
    assert finish(child) == 0
    today = START.date()
    with Store(isolated["home"] / "dlquiz.db", scheduler=FSRS()) as store:
        assert store.state("t-0").due == today + timedelta(days=2)
        assert store.state("t-1").due == today + timedelta(days=8)
        assert store.db.execute("SELECT card_id, grade FROM reviews ORDER BY id").fetchall() == [("t-0", 4), ("t-1", 5)]
