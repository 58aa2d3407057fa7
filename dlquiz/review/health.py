"""The review store's health: what can be wrong with the file, found when it is opened, and every
SQLite failure put in one line that names the file and says what to do (a part of store.Store).

- Damaged: a file that is not SQLite, garbage pages, a schema that is not UTF-8, a table or index
  missing or changed. The schema is compared with the one the migrations build, in an in-memory
  database, for the file's version (so a migration added later is covered without a word here),
  and every table's first and last rows are read. Damage deeper in a big file (reading all of it
  would cost a second at every start) is reported the same way when it is reached.
- Read-only, locked by another process (named, from /proc/locks where there is one), disk full
  or over the file-size limit (`ulimit -f`): `failure` says which, and what was not saved.

Nothing here writes: a damaged or foreign file is left exactly as it was.
"""

from __future__ import annotations

import os
import sqlite3
from functools import lru_cache
from pathlib import Path

from dlquiz.errors import StoreError, cut
from dlquiz.review.migrations import MIGRATIONS

LOCK_TIMEOUT = 30.0  # seconds to wait for another process's write lock
LOCK_TIMEOUT_VARIABLE = "DLQUIZ_LOCK_TIMEOUT"
MIN_ROOM = 64 << 10  # bytes: less room than this (on the disk, or under the file-size limit) is a full disk
AWAY = "left as it was: restore a backup, or move it away to start afresh"


def lock_timeout() -> float:
    """How long to wait for another process's lock: `$DLQUIZ_LOCK_TIMEOUT` seconds, else 30."""
    value = os.environ.get(LOCK_TIMEOUT_VARIABLE, "").strip()
    try:
        seconds = float(value) if value else LOCK_TIMEOUT
    except ValueError:
        seconds = -1
    if not 0 <= seconds <= 86400:
        from dlquiz.errors import UsageError

        raise UsageError(f"{LOCK_TIMEOUT_VARIABLE}: {cut(value, 40)!r} is not a number of seconds from 0 to 86400")
    return seconds


@lru_cache(maxsize=None)
def expected_schema(version: int) -> dict[str, tuple[str, str, str]]:
    """name -> (type, table, SQL) of every table, index and trigger the first `version`
    migrations make, built in an in-memory database."""
    db = sqlite3.connect(":memory:")
    try:
        for migration in MIGRATIONS[:version]:
            migration(db)
        return _objects(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        db.close()


def _objects(rows) -> dict[str, tuple[str, str, str]]:
    return {name: (kind, table, " ".join((sql or "").split())) for kind, name, table, sql in rows
            if not name.startswith("sqlite_")}


def read_schema(db: sqlite3.Connection) -> dict[str, tuple[str, str, str]]:
    """The schema of an open store as `expected_schema` gives it; StoreError-free: raises
    sqlite3.DatabaseError, or UnicodeDecodeError for a schema that is not UTF-8."""
    rows = db.execute("SELECT CAST(type AS BLOB), CAST(name AS BLOB), CAST(tbl_name AS BLOB), CAST(sql AS BLOB) "
                      "FROM sqlite_master").fetchall()
    return _objects([tuple(None if v is None else bytes(v).decode("utf-8") for v in row) for row in rows])


def schema_problem(found: dict, version: int) -> str | None:
    """What differs between a store's schema and the one its version should have, or None.
    Objects of its own (a view, an index someone added) are left alone."""
    expected = expected_schema(version)
    for name, (kind, table, sql) in expected.items():
        if name not in found:
            return f"its {kind} {name!r} is missing"
        if found[name] != (kind, table, sql):
            return f"its {kind} {name!r} is not the one dlquiz made"
    return None


def probe(db: sqlite3.Connection, version: int) -> None:
    """Read the first and last rows of every table: garbage in the pages a command reads first
    shows here, before anything is shown. Raises sqlite3.DatabaseError."""
    for name, (kind, _, sql) in expected_schema(version).items():
        if kind == "table":
            db.execute(f'SELECT * FROM "{name}" LIMIT 1').fetchall()
            if "WITHOUT ROWID" not in sql.upper():
                db.execute(f'SELECT * FROM "{name}" ORDER BY rowid DESC LIMIT 1').fetchall()


def space_problem(path: Path) -> str | None:
    """Why nothing could be saved in `path`'s folder (a disk nearly full, a file-size limit the
    store has reached), or None. Where the system cannot say, None."""
    try:
        stat = os.statvfs(path.parent)
        if stat.f_bavail * stat.f_frsize < MIN_ROOM:
            return "disk full"
    except (OSError, AttributeError):
        pass
    limit = _file_size_limit()
    if limit is not None:
        sizes = [0]
        for file in (path, Path(f"{path}-wal")):
            try:
                sizes.append(file.stat().st_size)
            except OSError:
                pass
        if max(sizes) + MIN_ROOM > limit:
            return "disk full (the file-size limit, ulimit -f, is reached)"
    return None


def _file_size_limit() -> int | None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return None
    soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return None if soft == resource.RLIM_INFINITY else soft


def lock_holders(path: Path) -> list[str]:
    """The other processes holding a write lock on the store (or its -shm file, in WAL mode),
    as `process 1234 (dlquiz review)`; empty where /proc/locks cannot say."""
    inodes = set()
    for file in (path, Path(f"{path}-shm")):
        try:
            stat = file.stat()
        except OSError:
            continue
        inodes.add((os.major(stat.st_dev), os.minor(stat.st_dev), stat.st_ino))
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    pids = []
    for line in lines:
        fields = line.split()
        if "->" in fields or len(fields) < 6 or fields[3] != "WRITE":  # ("->": a process waiting for this lock)
            continue
        pid, device = fields[4], fields[5].split(":")
        try:
            key = (int(device[0], 16), int(device[1], 16), int(device[2]))
        except (ValueError, IndexError):
            continue
        if key in inodes and pid.isdigit() and int(pid) != os.getpid() and pid not in pids:
            pids.append(pid)
    return [f"process {pid}{_command(pid)}" for pid in pids]


def _command(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = handle.read().split(b"\0")
    except OSError:
        return ""
    words = [w.decode("utf-8", "replace") for w in words if w]
    if len(words) >= 3 and words[1:3] == ["-m", "dlquiz"]:  # python -m dlquiz ...
        words = ["dlquiz", *words[3:]]
    elif words:
        words[0] = os.path.basename(words[0])
    return f" ({cut(' '.join(words), 30)})" if words else ""


def failure(error: sqlite3.Error | UnicodeDecodeError, path: Path, lost: str = "nothing was saved",
            timeout: float = LOCK_TIMEOUT) -> StoreError:
    """A SQLite failure on the store at `path` as one line saying what it means and what to do.
    `lost` says what a failed write did not save (`the grade of c1w1-x was NOT saved`)."""
    if isinstance(error, UnicodeDecodeError):
        return StoreError(f"{path}: the review store is damaged (its schema is not UTF-8): {AWAY}")
    name = getattr(error, "sqlite_errorname", "") or ""
    said = cut(str(error), 80)
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED") or "locked" in said:
        holders = lock_holders(path)
        who = f" ({', '.join(holders)})" if holders else ""
        return StoreError(f"{path}: the review store is locked by another process{who} for over {timeout:g} s: "
                          f"{lost}; let it finish, or end it, and try again")
    if name.startswith("SQLITE_FULL") or name.startswith("SQLITE_IOERR"):
        space = space_problem(path)
        if space is None and name.startswith("SQLITE_FULL"):
            space = "disk full"
        if space is None and _file_size_limit() is not None:
            space = "disk full (the file-size limit, ulimit -f, is reached)"
        if space is not None:
            return StoreError(f"{path}: {space}: {lost}; free some space and try again (what was saved before is kept)")
        return StoreError(f"{path}: the disk failed ({said}): {lost}; check the disk and try again")
    if name.startswith("SQLITE_READONLY") or name.startswith("SQLITE_CANTOPEN") and os.path.exists(path):
        return StoreError(f"{path}: the review store is read-only ({said}): {lost}; make it (and its folder) "
                          "writable to review or export")
    if name.startswith("SQLITE_NOTADB"):
        return StoreError(f"{path}: not a dlquiz review store ({said}); the file was left untouched")
    if name.startswith("SQLITE_CORRUPT") or isinstance(error, sqlite3.DatabaseError) and "malformed" in said:
        return StoreError(f"{path}: the review store is damaged ({said}): {AWAY}")
    return StoreError(f"{path}: cannot use the review store ({said}): {lost}")
