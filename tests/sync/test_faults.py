"""`dlquiz sync` when things go wrong: a remote file still being copied (a torn last line),
lines that are not events, a format from a newer dlquiz, two syncs of one store at once, and a
sync killed (SIGKILL) at each point of its work. Nothing local is lost or rewritten; the next
sync completes."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from dlquiz.review import events
from dlquiz.review.store import Store
from dlquiz.sync import folder as sync_folder
from dlquiz.sync import jsonl

DAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)


def fill(store: Store, count: int, seed: int = 1) -> None:
    """`count` grades of 50 cards over the days, in one transaction per grade as in a session."""
    rng = random.Random(seed)
    for n in range(count):
        store.record(f"c1w1-{rng.randrange(50)}", rng.randint(0, 5), "review", DAY + timedelta(days=n // 40),
                     NOW + timedelta(days=n // 40, seconds=n))


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


@pytest.fixture
def two(tmp_path):
    """Stores A and B (B with 30 grades), and the shared folder B has synced to."""
    shared = tmp_path / "shared"
    shared.mkdir()
    (tmp_path / "A").mkdir()
    (tmp_path / "B").mkdir()
    a, b = Store(tmp_path / "A" / "dlquiz.db"), Store(tmp_path / "B" / "dlquiz.db")
    fill(b, 30)
    sync_folder.sync(b, shared)
    yield a, b, shared
    a.close()
    b.close()


def test_a_torn_last_line_is_left_for_the_next_sync(two):
    a, b, shared = two
    theirs = shared / f"{b.device}.jsonl"
    whole = theirs.read_bytes()
    cut = whole.rindex(b"\n", 0, len(whole) - 1) + 20
    theirs.write_bytes(whole[:cut])  # the sync engine has copied part of the last line so far
    report = sync_folder.sync(a, shared)
    assert report.received == 29 and report.invalid == 0
    assert report.warnings == [f"{theirs}: the last line is incomplete (the file is still being copied?); it is read at the next sync"]
    theirs.write_bytes(whole)  # the copy completes
    report = sync_folder.sync(a, shared)
    assert (report.received, report.warnings) == (1, [])
    assert a.states() == b.states()


def test_lines_that_are_not_events_are_reported_by_file_and_line_and_skipped(two, tmp_path, monkeypatch, cli):
    a, b, shared = two
    theirs = shared / f"{b.device}.jsonl"
    good = lines_of(theirs)
    event = json.loads(good[3])
    bad = [b"garbage", json.dumps({**event, "grade": 9}).encode(), json.dumps({**event, "device": "someone-else"}).encode(),
           b"[1, 2]", b"", json.dumps({**event, "at": "yesterday"}).encode(), b"x" * (jsonl.MAX_LINE + 10)]
    theirs.write_bytes(b"\n".join(good[:3] + bad + good[3:]) + b"\n")
    a.close()
    monkeypatch.setenv("DLQUIZ_HOME", str(tmp_path / "A"))
    result = cli("sync", str(shared))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{theirs}:4: not a dlquiz event (not JSON); skipped",
        f"{theirs}:5: not a dlquiz event (grade must be 0 to 5); skipped",
        f"{theirs}:6: not a dlquiz event (an event of device someone-else in the file of device {b.device}); skipped",
        f"{theirs}:7: not a dlquiz event (not a JSON object); skipped",
        f"{theirs}:8: not a dlquiz event (an empty line); skipped",
        f"{theirs}:9: not a dlquiz event (at must be an ISO 8601 time with its offset); skipped",
        f"{theirs}:10: not a dlquiz event (longer than 64 KB); skipped",
    ]
    assert "received 30 new events from 1 device" in result.stdout
    again = cli("sync", str(shared))
    assert (again.exit_code, again.stderr) == (0, "")  # each bad line reported once
    with Store(tmp_path / "A" / "dlquiz.db") as store:
        assert store.states() == b.states()


def test_an_event_of_a_newer_format_stops_that_file_until_dlquiz_is_upgraded(two):
    a, b, shared = two
    theirs = shared / f"{b.device}.jsonl"
    good = lines_of(theirs)
    newer = json.dumps({**json.loads(good[0]), "v": 2, "seq": 99}).encode()
    theirs.write_bytes(b"\n".join(good[:10] + [newer] + good[10:]) + b"\n")
    report = sync_folder.sync(a, shared)
    assert report.received == 10
    assert report.warnings == [f"{theirs}:11: event format v2, newer than this dlquiz reads (v1); upgrade dlquiz to "
                               "read this file on from here"]
    assert sync_folder.sync(a, shared).warnings == report.warnings  # still waiting there


def test_garbage_files_and_other_names_in_the_folder_are_left_alone(two):
    a, b, shared = two
    (shared / "README.md").write_text("our dlquiz history\n")
    (shared / "not a device.jsonl").write_text("{}\n")
    (shared / "subdir.jsonl").mkdir()
    report = sync_folder.sync(a, shared)
    assert (report.received, report.invalid, report.warnings) == (30, 0, [])
    assert (shared / "README.md").read_text() == "our dlquiz history\n"


def test_a_bad_remote_file_never_changes_the_local_log(two, tmp_path):
    a, b, shared = two
    fill(a, 20, seed=2)
    before = a.db.execute("SELECT * FROM reviews ORDER BY id").fetchall()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "ffffffffffffffff.jsonl").write_bytes(random.Random(7).randbytes(5000) + b"\n" + b"\x00" * 300)
    report = sync_folder.sync(a, elsewhere)
    assert report.invalid >= 1
    assert a.db.execute("SELECT * FROM reviews ORDER BY id").fetchall() == before


# -- processes: two syncs at once, and syncs killed with SIGKILL
def run_sync(home: Path, shared: Path, kill_at: str | None = None) -> subprocess.Popen:
    """`dlquiz sync` in a process of its own; with `kill_at`, it kills itself (SIGKILL) there:
    'mid-write' (half of its own events written), 'after-write' (written and fsynced, not yet
    recorded) or 'mid-merge' (the other devices' events inserted, not committed)."""
    code = f"""
import os, signal, sys
kill_at = {kill_at!r}
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if kill_at == "mid-write":
    real_write = os.write
    def write(fd, data):
        real_write(fd, bytes(data)[: len(data) // 2 + 7])  # (not at the end of a line)
        die()
    os.write = write
elif kill_at == "after-write":
    real_fsync = os.fsync
    def fsync(fd):
        real_fsync(fd)
        die()
    os.fsync = fsync
elif kill_at == "mid-merge":
    from dlquiz.review import events
    events.replay_cards = die
from dlquiz.cli.app import app
app(["sync", {str(shared)!r}], prog_name="dlquiz")
"""
    env = {**os.environ, "DLQUIZ_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


EVENT_COLUMNS = ("SELECT id, card_id, reviewed_at, day, grade, answer_ms, kind, undoes, device, seq, origin, anki_id, "
                 "undoes_device, undoes_seq FROM reviews WHERE device = ? ORDER BY id")


def own_seqs(shared: Path, store: Store) -> list[int]:
    return [jsonl.decode(line).seq for line in lines_of(shared / f"{store.device}.jsonl")]


@pytest.mark.parametrize("kill_at", ["mid-write", "after-write", "mid-merge"])
def test_a_sync_killed_anywhere_loses_nothing_and_the_next_completes(two, tmp_path, kill_at):
    a, b, shared = two
    fill(a, 200, seed=3)
    sync_folder.sync(a, shared)
    fill(a, 200, seed=4)  # new events to send
    fill(b, 30, seed=6)  # and to receive
    sync_folder.sync(b, shared)
    log = a.db.execute(EVENT_COLUMNS, (a.device,)).fetchall()
    a.close()
    process = run_sync(tmp_path / "A", shared, kill_at)
    process.communicate(timeout=120)
    assert process.returncode == -9
    with Store(tmp_path / "A" / "dlquiz.db") as again:
        assert again.db.execute(EVENT_COLUMNS, (again.device,)).fetchall() == log  # not one local event lost or changed
        report = sync_folder.sync(again, shared)
        assert report.warnings == []
        assert own_seqs(shared, again) == list(range(1, events.next_seq(again.db, again.device)))  # each once, in order
        with Store(tmp_path / "C.db") as third:
            sync_folder.sync(third, shared)
            assert third.states() == again.states()
        assert again.db.execute("SELECT count(*) FROM reviews WHERE device = ?", (b.device,)).fetchone()[0] == 60


def test_two_syncs_of_one_store_at_once_take_turns(two, tmp_path):
    a, b, shared = two
    fill(a, 1500, seed=5)
    a.close()
    processes = [run_sync(tmp_path / "A", shared) for _ in range(2)]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    sent = sorted(int(out.split("sent ")[1].split(" ")[0].replace(",", "")) for out, _ in outputs)
    assert sent == [0, 1500]
    with Store(tmp_path / "A" / "dlquiz.db") as store:
        assert own_seqs(shared, store) == list(range(1, 1501))
        assert store.db.execute("SELECT count(*) FROM reviews WHERE device = ?", (b.device,)).fetchone()[0] == 30


def test_a_sync_that_cannot_get_its_turn_says_so(two):
    import fcntl

    from dlquiz.errors import UsageError

    a, b, shared = two
    lock = a.path.parent / sync_folder.LOCK
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another sync of this store, still running
        with pytest.raises(UsageError) as info:
            sync_folder.sync(a, shared, lock_timeout=0.2)
    assert str(info.value) == f"{lock}: another dlquiz sync of this store has run for over 0 s; try again when it ends"
    assert sync_folder.sync(a, shared).received == 30  # and once it has ended
