"""The review store under faults: damaged pages, a schema that is not UTF-8, a table or index
missing or changed, a read-only store, a lock held by another process, a disk full before or in
the middle of a session, a file-size limit. Each ends in one line naming the store and what to do,
exit 2, no traceback, and the file unchanged (a session ended by a full disk keeps every grade it
said it saved).

Made for real: damaged files, missing and changed schema objects, the lock (another process
holding BEGIN EXCLUSIVE), the file-size limit (RLIMIT_FSIZE in a child process: `ulimit -f`), and
a full disk on a small tmpfs where the tests may mount one (root). Simulated: a read-only store
(the tests run as root, who may write any file), opened through SQLite's read-only URI modes.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from dlquiz.review import store as store_module
from dlquiz.review.health import MIN_ROOM, expected_schema
from dlquiz.review.migrations import SCHEMA_VERSION
from dlquiz.review.store import Store
from tests.fault.outcome import one_problem

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
DECK = "course: 1\nweek: 1\ntitle: Test deck\ncards:\n" + "".join(
    f"  - id: t-{i}\n    question: Question number {i}?\n    answer: Answer number {i}.\n" for i in range(40))
COMMANDS = [("decks",), ("stats",), ("review", "--plain"), ("export", "tsv", "-o", "-")]  # (`show` reads no store)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def db(isolated, write_deck, cli) -> Path:
    """A real store with history (grades, an undo), checkpointed into the one file."""
    write_deck("t.yaml", DECK)
    path = isolated["home"] / "dlquiz.db"
    with Store(path) as store:
        for i in range(12):
            store.record(f"t-{i}", 2 + i % 4, "review", date(2026, 11, 25), NOW)
        store.undo(store.record("t-20", 1, "review", date(2026, 11, 25), NOW).id, date(2026, 11, 25), NOW)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert cli("decks").exit_code == 0  # (the members table filled, as after any use)
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _refused_untouched(cli, db: Path, command=COMMANDS) -> list[str]:
    """Every command fails with one line naming the store; the file stays as it was."""
    before = digest(db)
    lines = []
    for args in command:
        lines.append(one_problem(cli(*args, input="q\n"), code=2, where=f"{db}: "))
        assert digest(db) == before, args
    return lines


# --- damaged files ------------------------------------------------------------------------------


def _page_size(data: bytes) -> int:
    size = int.from_bytes(data[16:18], "big")
    return 65536 if size == 1 else size


def test_garbage_pages_after_a_valid_header(db, cli):
    data = db.read_bytes()
    page = _page_size(data)
    db.write_bytes(data[:page] + random.Random(15).randbytes(len(data) - page))
    for line in _refused_untouched(cli, db):
        assert line.endswith("the review store is damaged (database disk image is malformed): left as it was: "
                             "restore a backup, or move it away to start afresh")


def test_every_page_damaged_in_turn_is_one_line_or_goes_unnoticed(db, cli):
    """Damage reached by a command is one line; damage in a page no command reads goes unnoticed
    (SQLite has no page checksums), and nothing ever raises."""
    data = db.read_bytes()
    page = _page_size(data)
    rng = random.Random(15)
    for number in range(1, len(data) // page):
        damaged = bytearray(data)
        damaged[number * page:(number + 1) * page] = rng.randbytes(page)
        db.write_bytes(bytes(damaged))
        for args in (("decks",), ("stats", "--json")):
            result = cli(*args)
            if result.exit_code != 0:
                one_problem(result, code=2, where=f"{db}: ")


@pytest.mark.parametrize("cut", [100, 4096, 5000])
def test_a_cut_file_is_one_line(db, cli, cut):
    db.write_bytes(db.read_bytes()[:cut])
    result = cli("decks")
    assert one_problem(result, code=2, where=f"{db}: ")


@pytest.mark.parametrize("where", [b"-- UTC, ISO 8601", b"CREATE TABLE members (", b"reviews_by_day"])
def test_a_schema_that_is_not_utf8_is_one_line(db, cli, where):
    data = bytearray(db.read_bytes())
    at = data.index(where) + len(where) - 2
    data[at] = 0xE9  # a Latin-1 byte alone: not UTF-8
    db.write_bytes(bytes(data))
    for line in _refused_untouched(cli, db):
        assert "the review store is damaged" in line


# --- the schema, compared with the one the migrations build ------------------------------------------


@pytest.mark.parametrize("name", sorted(expected_schema(SCHEMA_VERSION)))
def test_a_missing_table_index_or_trigger_is_found_on_open(db, cli, name):
    kind = expected_schema(SCHEMA_VERSION)[name][0]
    with closing(sqlite3.connect(db)) as raw:
        raw.execute(f'DROP {kind.upper()} "{name}"')
    for line in _refused_untouched(cli, db):
        assert line == f"{db}: the review store is damaged (its {kind} {name!r} is missing): left as it was: " \
                       "restore a backup, or move it away to start afresh"


@pytest.mark.parametrize("table", sorted(n for n, (kind, _, _) in expected_schema(SCHEMA_VERSION).items() if kind == "table"))
def test_a_changed_column_is_found_on_open(db, cli, table):
    with closing(sqlite3.connect(db)) as raw:
        raw.execute(f'ALTER TABLE "{table}" ADD COLUMN extra TEXT')
    for line in _refused_untouched(cli, db, [("decks",), ("review",)]):
        assert f"its table {table!r} is not the one dlquiz made" in line


def test_objects_of_ones_own_are_left_alone(db, cli):
    with closing(sqlite3.connect(db)) as raw:
        raw.execute("CREATE VIEW my_reviews AS SELECT card_id, grade FROM reviews")
    assert cli("decks").exit_code == 0


# --- read-only -----------------------------------------------------------------------------------------


def _read_only(monkeypatch, mode: str) -> None:
    real = store_module._connect

    def connect(path, timeout, read_only=False):
        if read_only:
            return real(path, timeout, read_only)
        return sqlite3.connect(f"{Path(path).resolve().as_uri()}?{mode}", uri=True, timeout=timeout,
                               isolation_level=None, check_same_thread=False)

    monkeypatch.setattr(store_module, "_connect", connect)


@pytest.mark.parametrize("mode", ["mode=ro", "immutable=1"])
def test_a_read_only_store_is_refused_before_the_first_card_and_read_commands_work(db, cli, monkeypatch, tmp_path, mode):
    _read_only(monkeypatch, mode)
    before = digest(db)
    review = cli("review", "--plain", input="\n5\nq\n")
    assert review.stdout == ""  # no card was shown
    assert one_problem(review, code=2, where=f"{db}: ") == (
        f"{db}: the review store is read-only (attempt to write a readonly database): no grade can be saved; "
        "make it (and its folder) writable to review or export")
    out = tmp_path / "out.apkg"
    assert "read-only" in one_problem(cli("export", "anki", "-o", str(out)), code=2, where=f"{db}: ")
    assert not out.exists()
    for args in (("decks",), ("stats",), ("show", "t-1"), ("check",)):
        assert cli(*args).exit_code == 0, args
    assert digest(db) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files (the URI modes above simulate it)")
def test_a_read_only_file_for_real(db, cli):  # pragma: no cover - runs where the tests are not root
    db.chmod(0o444)
    try:
        assert "read-only" in one_problem(cli("review", "--plain", input="q\n"), code=2)
        assert cli("decks").exit_code == 0
    finally:
        db.chmod(0o644)


# --- another process's lock ------------------------------------------------------------------------------

_HOLD = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_lock_held_longer_than_the_wait_names_the_other_process(db, cli, monkeypatch):
    monkeypatch.setenv("DLQUIZ_LOCK_TIMEOUT", "0.3")
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        before = digest(db)
        for args in (("review", "--plain"), ("export", "tsv", "-o", "-")):
            line = one_problem(cli(*args, input="q\n"), code=2, where=f"{db}: ")
            assert re.fullmatch(
                rf"{re.escape(str(db))}: the review store is locked by another process \(process {holder.pid} "
                r"\(python\S* -c .*\)\) for over 0\.3 s: no grade can be saved; let it finish, or end it, and try again", line), line
        assert cli("decks").exit_code == 0  # reading needs no lock (WAL)
        assert digest(db) == before
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()
    assert cli("review", "--plain", input="q\n").exit_code == 0


def test_two_sessions_opening_a_new_store_at_the_same_moment_both_open_it(tmp_path):
    """Both switch the new file to WAL, each holding the shared lock the other's switch waits for:
    SQLite sees the deadlock and fails one at once ("database is locked", after no wait at all).
    A race: started together 100 times, about one pair in seven met there before the fix."""
    import threading

    for trial in range(100):
        path = tmp_path / f"new-{trial}.db"
        together = threading.Barrier(2)
        opened = []

        def open_store():
            together.wait()
            try:
                with Store(path) as store:
                    opened.append(store.db.execute("PRAGMA journal_mode").fetchone()[0])
            except Exception as exc:  # noqa: BLE001 - any failure fails the test below
                opened.append(str(exc))

        threads = [threading.Thread(target=open_store) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert opened == ["wal", "wal"], f"trial {trial}: {opened}"


def test_the_wait_is_a_number_of_seconds(db, cli, monkeypatch):
    monkeypatch.setenv("DLQUIZ_LOCK_TIMEOUT", "soon")
    assert one_problem(cli("decks"), code=2) == "DLQUIZ_LOCK_TIMEOUT: 'soon' is not a number of seconds from 0 to 86400"


# --- a full disk, a file-size limit --------------------------------------------------------------------


def _review_in_a_child(env: dict, grades: int = 30, limit: int | None = None):
    """`dlquiz review` in a child process (under a file-size limit) answering `grades` cards."""

    def limited():
        if limit is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # (Python ignores SIGXFSZ: the write fails)

    return subprocess.run([sys.executable, "-m", "dlquiz", "review", "--plain"], input="\n5\n" * grades + "q\n",
                          capture_output=True, text=True, env=env, preexec_fn=limited, timeout=120)


def _reviews(db: Path) -> int:
    with closing(sqlite3.connect(db)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return raw.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]


def _ended_by_a_full_disk(result, db: Path, saved_before: int, reason: str) -> None:
    """A session cut by a full disk: its summary counts exactly the grades in the store, the
    grade that failed is named as NOT saved, nothing raised."""
    line = one_problem(_Completed(result), code=2, where=f"{db}: ")
    assert re.fullmatch(rf"{re.escape(str(db))}: {re.escape(reason)}: the grade of t-\d+ was NOT saved; free some space "
                        r"and try again \(what was saved before is kept\)", line), line
    answers = int(re.search(r"Reviewed \d+ cards? \((\d+) answers?\)", result.stdout).group(1))
    assert answers > 0 and _reviews(db) == saved_before + answers


class _Completed:
    """A subprocess result as tests.fault.outcome reads a CLI result."""

    def __init__(self, completed):
        self.exit_code, self.stderr, self.stdout = completed.returncode, completed.stderr, completed.stdout


def test_a_file_size_limit_at_start_is_disk_full_before_the_first_card(db):
    before = digest(db)
    result = _review_in_a_child(dict(os.environ), limit=db.stat().st_size + 1000)
    assert one_problem(_Completed(result), code=2) == (
        f"{db}: disk full (the file-size limit, ulimit -f, is reached): no grade can be saved; free some space and try again")
    assert "Question number" not in result.stdout and digest(db) == before


def test_a_file_size_limit_in_the_middle_of_a_session_keeps_every_grade_it_saved(db):
    saved = _reviews(db)
    result = _review_in_a_child(dict(os.environ), limit=db.stat().st_size + 100_000)
    _ended_by_a_full_disk(result, db, saved, "disk full (the file-size limit, ulimit -f, is reached)")


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs (a disk that fills for real), where the tests may mount one."""
    mount = Path(f"/tmp/dlquiz-small-disk-{uuid.uuid4().hex}")
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode:
        mount.rmdir()
        pytest.skip("cannot mount a small tmpfs here (not root): the file-size limit tests above make the fault")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        mount.rmdir()


def _fill(disk: Path, leave: int) -> None:
    """Fill the disk up to `leave` bytes free."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / "filler", "wb") as handle:
        handle.write(b"\0" * max(free - leave, 0))


def test_a_disk_full_in_the_middle_of_a_session_for_real(db, small_disk):
    home = small_disk / "home"
    home.mkdir()
    (home / "dlquiz.db").write_bytes(db.read_bytes())
    saved = _reviews(home / "dlquiz.db")
    _fill(small_disk, MIN_ROOM + 60_000)  # room for the start's check and a few grades
    result = _review_in_a_child({**os.environ, "DLQUIZ_HOME": str(home)})
    _ended_by_a_full_disk(result, home / "dlquiz.db", saved, "disk full")


def test_a_disk_already_full_at_start_for_real(db, small_disk):
    home = small_disk / "home"
    home.mkdir()
    (home / "dlquiz.db").write_bytes(db.read_bytes())
    before = digest(home / "dlquiz.db")
    _fill(small_disk, 0)
    result = _review_in_a_child({**os.environ, "DLQUIZ_HOME": str(home)})
    line = one_problem(_Completed(result), code=2, where=f"{home / 'dlquiz.db'}: ")
    assert "disk full" in line and "cannot commit" not in line and "Question number" not in result.stdout
    assert digest(home / "dlquiz.db") == before
