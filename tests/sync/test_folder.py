"""`dlquiz sync`: two (and three) machines sharing one history through a folder. Every machine
ends with the same card states, equal to replaying the union of the logs on an empty home."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlquiz.config import Config
from dlquiz.decks.collection import load_collection
from dlquiz.review.session import Session
from dlquiz.review.store import Store, open_store
from dlquiz.review.today import deck_counts
from dlquiz.sync import folder as sync_folder
from dlquiz.sync import jsonl
from tests.review.test_queues import reference_counts
from tests.review.test_session import deck

DAY = date(2026, 11, 26)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)


@pytest.fixture
def machines(tmp_path, write_deck, monkeypatch, cli):
    """Homes A, B and C (empty until it syncs), a shared folder, and `run(home, *args)`: the real
    CLI with DLQUIZ_HOME set to that home."""
    write_deck("c1w1.yaml", deck("c1w1", 6))
    homes = {}
    for name in "ABC":
        homes[name] = tmp_path / name
        homes[name].mkdir()
    shared = tmp_path / "shared"
    shared.mkdir()

    def run(name: str, *args: str, now: datetime | None = None):
        monkeypatch.setenv("DLQUIZ_HOME", str(homes[name]))
        if now is not None:
            monkeypatch.setenv("DLQUIZ_NOW", now.isoformat())
        return cli(*args)

    return homes, shared, run


def session(home: Path, day: date, minute: int = 0, **kw) -> tuple[Session, Store]:
    store = open_store(home)
    return Session(load_collection(), store, day=day, now=lambda: at(day, 9, minute), **kw), store


def grade_all(home: Path, day: date, grades: dict[str, int], minute: int = 0) -> Session:
    """A session of that day: each card in the queue gets its grade (4 for re-drills)."""
    s, store = session(home, day, minute)
    with store:
        while s.current is not None:
            s.grade(grades.get(s.current.card_id, 4) if s.current.kind != "redrill" else 4)
    return s


def states(home: Path) -> dict:
    with open_store(home) as store:
        return store.states()


def test_two_machines_interleaved_with_undos_and_the_same_card_graded_on_both(machines):
    homes, shared, run = machines
    A, B, C = homes["A"], homes["B"], homes["C"]
    # Day 1: A studies four new cards (c1w1-1 failed); B grades c1w1-0 too, before any sync.
    s, store = session(A, DAY)
    with store:
        for grade in (5, 2, 4, 4):
            s.grade(grade)
    s, store = session(B, DAY, minute=30)
    with store:
        assert s.current.card_id == "c1w1-0"
        s.grade(3)  # the same card on the same day, on the other machine
        s.grade(5)  # c1w1-1 too
        s.bury()  # c1w1-2, buried until tomorrow on B
    assert run("A", "sync", str(shared), now=at(DAY, 10)).exit_code == 0
    result = run("B", "sync", str(shared), now=at(DAY, 10, 5))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"synced with {shared}: sent 3 events, received 4 new events from 1 device")
    # After the sync: A undoes its grade of c1w1-2; B undoes A's grade of c1w1-0 (a grade made on A).
    with open_store(A) as store:
        last = store.db.execute("SELECT id FROM reviews WHERE card_id = 'c1w1-2' AND kind = 'review'").fetchone()[0]
        store.undo(last, DAY, at(DAY, 11))
    with open_store(B) as store:
        theirs = store.db.execute("SELECT id FROM reviews WHERE card_id = 'c1w1-0' AND device != ?", (store.device,)).fetchone()[0]
        store.undo(theirs, DAY, at(DAY, 11, 30))
        store.set_suspended("c1w1-5", True, DAY, at(DAY, 11, 31))
    for name, minute in (("A", 0), ("B", 1), ("A", 2)):
        assert run(name, "sync", str(shared), now=at(DAY, 12, minute)).exit_code == 0
    # Day 3: both study what is due, on their own; then sync both ways.
    day3 = DAY + timedelta(days=2)
    grade_all(A, day3, {"c1w1-1": 1, "c1w1-3": 5})
    grade_all(B, day3, {"c1w1-1": 5, "c1w1-4": 3}, minute=20)
    for name, minute in (("A", 0), ("B", 1), ("A", 2), ("C", 3)):
        assert run(name, "sync", str(shared), now=at(day3, 12, minute)).exit_code == 0
    assert states(A) == states(B) == states(C)
    decks = [json.loads(run(name, "decks", "--json", now=at(day3, 13)).stdout) for name in "ABC"]
    assert decks[0] == decks[1] == decks[2]
    assert decks[0][0]["suspended"] == 1
    for home in (A, B, C):  # the counts the stores keep (by triggers, through the syncs' replays) are right
        with open_store(home) as store:
            collection = load_collection()
            assert deck_counts(collection, store, day3, Config()) == reference_counts(collection, store, day3, Config())
    with open_store(C) as union:
        assert union.rebuild_states() == states(C)
        assert union.db.execute("SELECT count(DISTINCT device) FROM reviews").fetchone()[0] == 2
        c0 = union.history("c1w1-0")
        assert [(kind, grade) for day, kind, grade, _, _ in c0 if day == DAY] == [("review", 3)]  # A's 5 taken back on B


def test_syncing_twice_adds_nothing_and_an_empty_home_gets_everything(machines):
    homes, shared, run = machines
    grade_all(homes["A"], DAY, {"c1w1-0": 5, "c1w1-1": 1})
    first = run("A", "sync", str(shared))
    assert first.stdout == f"synced with {shared}: sent 7 events, received 0 new events\n"
    assert run("A", "sync", str(shared)).stdout == f"synced with {shared}: sent 0 events, received 0 new events\n"
    got = run("C", "sync", str(shared), "--json")
    report = json.loads(got.stdout)
    assert (report["received"], report["devices"], report["cards"], report["sent"]) == (7, 1, 6, 0)
    assert states(homes["C"]) == states(homes["A"])
    assert json.loads(run("C", "sync", str(shared), "--json").stdout)["received"] == 0


def test_the_config_names_the_folder_and_a_missing_one_is_exit_2(machines):
    homes, shared, run = machines
    result = run("A", "sync")
    assert (result.exit_code, result.stderr) == (2, "no folder to sync with: dlquiz sync DIR, or set sync_dir in config.toml\n")
    missing = shared / "nope"
    result = run("A", "sync", str(missing))
    assert result.exit_code == 2
    assert result.stderr == (f"{missing}: no such directory; create the sync folder first (dlquiz sync DIR, "
                             "or sync_dir in config.toml)\n")
    (homes["A"] / "config.toml").write_text(f'sync_dir = "{shared}"\n', encoding="utf-8")
    assert run("A", "sync").stdout.startswith(f"synced with {shared}:")
    (homes["B"] / "config.toml").write_text('sync_dir = "../shared"\n', encoding="utf-8")  # relative to DLQUIZ_HOME
    assert run("B", "sync").stdout.startswith(f"synced with {shared}:")
    (homes["B"] / "config.toml").write_text("sync_dir = 3\n", encoding="utf-8")
    result = run("B", "sync")
    assert (result.exit_code, result.stderr) == (2, f"{homes['B'] / 'config.toml'}: sync_dir must be the path of a folder, not 3\n")


def test_each_device_writes_only_its_own_file_and_only_appends(machines):
    homes, shared, run = machines
    grade_all(homes["A"], DAY, {})
    run("A", "sync", str(shared))
    with open_store(homes["A"]) as store:
        mine = shared / f"{store.device}.jsonl"
    before = mine.read_bytes()
    grade_all(homes["A"], DAY + timedelta(days=1), {})
    run("B", "sync", str(shared))
    run("A", "sync", str(shared))
    after = mine.read_bytes()
    assert after.startswith(before) and len(after) > len(before)
    lines = [jsonl.decode(line) for line in after.splitlines()]
    assert [event.seq for event in lines] == list(range(1, len(lines) + 1))
    assert sorted(p.name for p in shared.iterdir()) == sorted(
        f"{open_store(h).device}.jsonl" for h in (homes["A"], homes["B"]))


def test_a_store_copied_to_set_up_another_machine_makes_its_events_as_a_new_device(machines, monkeypatch):
    """Copying dlquiz.db is how many people move to a second machine: the copy and the original
    must not both write as one device (two events with one identity, one of them dropped)."""
    import shutil

    homes, shared, run = machines
    A, B = homes["A"], homes["B"]
    grade_all(A, DAY, {"c1w1-0": 5})
    run("A", "sync", str(shared))
    with open_store(A) as store:
        original = store.device
    shutil.copy(A / "dlquiz.db", B / "dlquiz.db")  # (closed and checkpointed: the file holds it all)
    with open_store(B) as store:
        assert store.device != original
        copied = store.device
    with open_store(A) as store:
        assert store.device == original  # the original, in its place, keeps its id
    count = "SELECT count(*) FROM reviews"
    with open_store(A) as store:
        shared_rows = store.db.execute(count).fetchone()[0]
    grade_all(A, DAY + timedelta(days=1), {"c1w1-0": 2}, minute=10)
    grade_all(B, DAY + timedelta(days=1), {"c1w1-1": 3}, minute=20)
    made = []
    for home in (A, B):
        with open_store(home) as store:
            made.append(store.db.execute(count).fetchone()[0] - shared_rows)
    for name in "ABA":
        run(name, "sync", str(shared))
    assert sorted(p.name for p in shared.iterdir()) == sorted((f"{original}.jsonl", f"{copied}.jsonl"))
    with open_store(A) as a, open_store(B) as b:
        rows = "SELECT device, seq, card_id, reviewed_at, grade FROM reviews ORDER BY device, seq"
        assert a.db.execute(rows).fetchall() == b.db.execute(rows).fetchall()
        identities = a.db.execute("SELECT count(*), count(DISTINCT device || ':' || seq) FROM reviews").fetchone()
        assert identities[0] == identities[1]
        assert a.db.execute(count).fetchone()[0] == shared_rows + sum(made)  # every grade of both machines
    assert states(A) == states(B)


# -- Hypothesis: any interleaving of work and syncs on 2-3 machines converges
ACTIONS = st.lists(st.tuples(
    st.integers(0, 2),  # which machine
    st.sampled_from(["review", "review", "redrill", "undo", "bury", "suspend", "unsuspend", "sync", "sync"]),
    st.sampled_from("abcd"), st.integers(0, 5), st.integers(0, 2)), max_size=45)


@settings(max_examples=40, deadline=None)
@given(ACTIONS, st.lists(st.integers(-90, 90), min_size=3, max_size=3), st.integers(2, 3))
def test_random_work_and_syncs_on_several_machines_converge(tmp_path_factory, actions, skews, count):
    """Each machine's clock is off by its own skew (minutes); it grades, undoes (its own grades
    or ones it received), buries, suspends and syncs in any order. After everyone syncs twice,
    all states are equal, and equal to what an empty home computes from the folder."""
    root = tmp_path_factory.mktemp("converge")
    shared = root / "shared"
    shared.mkdir()
    stores = [Store(root / f"m{i}" / "dlquiz.db") if (root / f"m{i}").mkdir() is None else None for i in range(count)]
    days = [DAY] * count
    try:
        for step, (which, action, card, grade, gap) in enumerate(actions):
            which %= count
            store = stores[which]
            days[which] += timedelta(days=gap)
            now = at(days[which]) + timedelta(minutes=skews[which] + step)
            if action == "sync":
                sync_folder.sync(store, shared)
            elif action == "undo":
                row = store.db.execute("SELECT id FROM reviews r WHERE kind != 'undo' AND NOT EXISTS (SELECT 1 FROM "
                                       "reviews u WHERE u.undoes = r.id) ORDER BY reviewed_at DESC, device DESC, seq DESC "
                                       "LIMIT 1").fetchone()
                if row:
                    store.undo(row[0], days[which], now)
            elif action == "bury":
                store.bury(card, days[which] + timedelta(days=1), days[which], now)
            elif action in ("suspend", "unsuspend"):
                store.set_suspended(card, action == "suspend", days[which], now)
            else:
                store.record(card, grade, action, days[which], now)
        for _ in range(2):
            for store in stores:
                sync_folder.sync(store, shared)
        with Store(root / "empty.db") as empty:
            sync_folder.sync(empty, shared)
            expected = empty.states()
            assert empty.rebuild_states() == {c: s for c, s in expected.items() if not s.is_new or s.buried_until or s.suspended}
        for store in stores:
            assert store.states() == expected
    finally:
        for store in stores:
            store.close()


def test_a_folder_in_git_merges_without_conflicts(tmp_path):
    """The README's workflow: each machine syncs into its clone, commits, pulls and pushes; the
    appends of two machines are to different files, so git merges them by itself."""
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    def git(where: Path, *args: str) -> str:
        env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
               "HOME": str(tmp_path), "PATH": __import__("os").environ["PATH"]}
        return subprocess.run(["git", "-C", str(where), *args], check=True, capture_output=True, text=True, env=env).stdout

    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "origin.git")], check=True)
    first = tmp_path / "first"
    subprocess.run(["git", "clone", "-q", str(tmp_path / "origin.git"), str(first)], check=True, capture_output=True)
    (first / "README").write_text("our dlquiz history\n")
    git(first, "add", "-A")
    git(first, "commit", "-q", "-m", "start")
    git(first, "push", "-q", "origin", "HEAD")
    stores = []
    for name in ("a", "b"):
        clone = tmp_path / f"clone-{name}"
        subprocess.run(["git", "clone", "-q", str(tmp_path / "origin.git"), str(clone)], check=True, capture_output=True)
        (tmp_path / name).mkdir()
        stores.append((Store(tmp_path / name / "dlquiz.db"), clone))
    try:
        for step in range(3):
            for index, (store, clone) in enumerate(stores):
                day = DAY + timedelta(days=step)
                store.record(f"c{index}-{step}", 4, "review", day, at(day, 9 + index))
                store.record("shared-card", 3 + index, "review", day, at(day, 9 + index, 30))
                git(clone, "pull", "-q", "--no-rebase", "--no-edit")
                sync_folder.sync(store, clone)
                git(clone, "add", "-A")
                git(clone, "commit", "-q", "-m", f"dlquiz {step}")
                git(clone, "pull", "-q", "--no-rebase", "--no-edit")  # (never a conflict: the files differ)
                git(clone, "push", "-q", "origin", "HEAD")
        for store, clone in stores:
            git(clone, "pull", "-q", "--no-rebase", "--no-edit")
            sync_folder.sync(store, clone)
        assert stores[0][0].states() == stores[1][0].states()
        assert len(stores[0][0].states()) == 7
    finally:
        for store, _ in stores:
            store.close()
