"""`sync_dir` in config.toml: `dlquiz review` syncs at the start of a session (what the other
machines did is in its queue) and at its end (its grades go out); a sync that fails is a
warning, and the session goes on. A real pseudo-terminal, waiting on what the screen shows."""

from __future__ import annotations

import json
from datetime import timedelta

from dlquiz.review.store import Store
from dlquiz.sync import folder as sync_folder
from tests.review.test_screen import START, finish, reveal_and_grade, spawn, three  # noqa: F401  (three: a fixture)


def test_a_session_syncs_at_its_start_and_at_its_end(three, isolated, tmp_path):  # noqa: F811
    shared = tmp_path / "shared"
    shared.mkdir()
    (isolated["home"] / "config.toml").write_text(f'sync_dir = "{shared}"\n', encoding="utf-8")
    (tmp_path / "other").mkdir()
    with Store(tmp_path / "other" / "dlquiz.db") as other:  # the other machine suspended t-0 this morning
        other.set_suspended("t-0", True, START.date(), START - timedelta(hours=1))
        sync_folder.sync(other, shared)
    child = spawn()
    child.expect("received 1 new event from 1 device")
    reveal_and_grade(child, 1, 5)  # t-1 first: t-0 is suspended
    child.expect("Question number 2")
    child.send("q")
    child.expect(r"synced with .*: sent 1 event, received 0 new events")
    assert finish(child) == 0
    with Store(isolated["home"] / "dlquiz.db") as store:
        lines = (shared / f"{store.device}.jsonl").read_text(encoding="utf-8").splitlines()
    assert [(e["type"], e["card"], e["grade"]) for e in map(json.loads, lines)] == [("grade", "t-1", 5)]


def test_a_sync_that_fails_is_a_warning_and_the_session_goes_on(three, isolated, tmp_path):  # noqa: F811
    missing = tmp_path / "not-mounted"
    (isolated["home"] / "config.toml").write_text(f'sync_dir = "{missing}"\n', encoding="utf-8")
    child = spawn()
    child.expect(f"warning: no sync with {missing}: {missing}: no such directory")
    reveal_and_grade(child, 0, 4)
    child.expect("Question number 1")
    child.send("q")
    child.expect("warning: no sync with")
    assert finish(child) == 0
    with Store(isolated["home"] / "dlquiz.db") as store:
        assert store.history("t-0")[0][1:3] == ("review", 4)
