"""`dlquiz sync DIR`: the review history shared with other machines through a folder that
something else keeps in sync (git, Syncthing, Dropbox, a network share). docs/sync.md.

Each store appends its own events (dlquiz.review.events: grades, undos, suspensions, burials,
grades imported from Anki) to its own file, `DIR/<device id>.jsonl` (dlquiz.sync.jsonl), and
only ever appends: no two machines write the same file, so no sync engine sees a conflict. A
sync writes the local events the file does not hold yet (append, flush, fsync), then reads what
the other devices' files gained since the last sync and merges their events into the log, the
cards they touch replayed, in one transaction with how far each file was read (table
`sync_files`). So a sync killed at any point loses nothing, and the next one completes it:
events are merged by identity, never twice. A torn last line (a file still being copied) is
left for the next sync; a line that is not an event is reported as `file:line` and skipped.
Two syncs of one store at once take turns (a lock file beside the store).
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dlquiz.errors import UsageError
from dlquiz.model import collector_paused
from dlquiz.review import events, merging
from dlquiz.render.words import plural
from dlquiz.sync import anki, jsonl

SUFFIX = ".jsonl"
LOCK = "sync.lock"
BLOCK = 8 << 20  # bytes read at a time
LOCK_TIMEOUT = 120.0  # seconds to wait for another sync of this store
TOO_LONG = b"\0"  # (stands for a line too long to be an event)


@dataclass
class Report:
    """What a sync did, for the command to print."""

    folder: str
    file: str = ""  # this device's file
    sent: int = 0
    received: int = 0  # events new to this log
    known: int = 0  # events read that the log held already
    devices: int = 0  # other devices whose files had new events
    cards: int = 0  # cards replayed
    invalid: int = 0  # lines skipped as not events
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        devices = f" from {plural(self.devices, 'device')}" if self.received else ""
        cards = f" ({plural(self.cards, 'card')} updated)" if self.received else ""
        return (f"synced with {self.folder}: sent {plural(self.sent, 'event')}, received "
                f"{plural(self.received, 'new event')}{devices}{cards}")

    def to_dict(self) -> dict:
        return {"folder": self.folder, "file": self.file, "sent": self.sent, "received": self.received,
                "already_had": self.known, "devices": self.devices, "cards": self.cards, "invalid_lines": self.invalid,
                "warnings": self.warnings}


def sync(store, folder: Path, lock_timeout: float = LOCK_TIMEOUT) -> Report:
    """Send this store's new events to `folder` and merge the other devices' new ones."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        what = "not a directory" if folder.exists() else "no such directory"
        raise UsageError(f"{folder}: {what}; create the sync folder first (dlquiz sync DIR, or sync_dir in config.toml)")
    folder = folder.resolve()
    report = Report(str(folder))
    with _locked(store.path.parent / LOCK, lock_timeout), collector_paused():
        _send(store, folder, report)
        _receive(store, folder, report)
    return report


@contextmanager
def _locked(path: Path, timeout: float):
    """Hold an exclusive lock on `path` (created if need be): one sync of a store at a time."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise UsageError(f"{path}: another dlquiz sync of this store has run for over "
                                 f"{timeout:.0f} s; try again when it ends")
            time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # (closing releases the lock)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _remembered(store, path: Path) -> tuple[int, int, int]:
    row = store.db.execute("SELECT offset, lines, seq FROM sync_files WHERE path = ?", (str(path),)).fetchone()
    return tuple(row) if row else (0, 0, 0)


_REMEMBER = ("INSERT INTO sync_files (path, offset, lines, seq) VALUES (?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET "
             "offset = excluded.offset, lines = excluded.lines, seq = excluded.seq")


# -- this device's file
def _send(store, folder: Path, report: Report) -> None:
    me = store.device
    path = folder / f"{me}{SUFFIX}"
    report.file = str(path)
    offset, lines, written = _remembered(store, path)
    created = not path.exists()
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write this device's events ({exc.strerror})") from None
    try:
        size = os.fstat(fd).st_size
        if size != offset:  # written but not recorded (a sync killed between), or a file replaced
            start, lines = (offset, lines) if size > offset else (0, 0)
            seen, more, end = _scan(fd, start, me)
            written, lines = (max(written, seen) if start else seen), lines + more
            if end < size:  # our own torn last line (killed mid-write): no reader ever took it
                os.ftruncate(fd, end)
            offset = end
        new = events.events_of(store.db, me, written)
        if new:
            data = "".join(jsonl.encode(event) + "\n" for event in new).encode("utf-8")
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            offset += len(data)
            lines += len(new)
            written = new[-1].seq
            report.sent = len(new)
        if created:
            _fsync_dir(folder)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write this device's events ({exc.strerror})") from None
    finally:
        os.close(fd)
    with store.transaction():
        store.db.execute(_REMEMBER, (str(path), offset, lines, written))


def _scan(fd: int, start: int, me: str) -> tuple[int, int, int]:
    """(the highest number of this device's events, complete lines, offset after the last
    complete line) in the file from `start`."""
    highest, count, end = 0, 0, start
    for line, after in _lines(fd, start):
        if line is None:
            break
        count, end = count + 1, after
        try:
            highest = max(highest, jsonl.decode(line, me).seq) if line is not TOO_LONG else highest
        except ValueError:
            pass
    return highest, count, end


def _lines(fd: int, start: int):
    """(line without its newline, offset after it) from `start`; a last piece without a newline
    comes as (None, its end). A line longer than jsonl.MAX_LINE comes as TOO_LONG."""
    position, rest = start, b""
    while True:
        block = os.pread(fd, BLOCK, position + len(rest))
        if not block:
            break
        data = rest + block
        lines = data.split(b"\n")
        rest = lines.pop()
        for line in lines:
            position += len(line) + 1
            yield (line if len(line) <= jsonl.MAX_LINE else TOO_LONG), position
        if len(rest) > jsonl.MAX_LINE:  # no newline in sight: skip to the next one
            position += len(rest)
            rest = b""
            skipped = _skip_line(fd, position)
            if skipped is None:
                yield None, position
                return
            position = skipped
            yield TOO_LONG, position
    if rest:
        yield None, position + len(rest)


def _skip_line(fd: int, position: int) -> int | None:
    while True:
        block = os.pread(fd, BLOCK, position)
        if not block:
            return None
        newline = block.find(b"\n")
        if newline >= 0:
            return position + newline + 1
        position += len(block)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # (some file systems cannot: the file's own fsync is what matters)
    finally:
        os.close(fd)


# -- the other devices' files
def _receive(store, folder: Path, report: Report) -> None:
    incoming: list[events.Event] = []
    progress: list[tuple] = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        device = entry.name[: -len(SUFFIX)]
        if not entry.name.endswith(SUFFIX) or device == store.device or not jsonl.DEVICE.fullmatch(device):
            continue
        try:
            if not entry.is_file():
                continue
            path = Path(entry.path)
            offset, lines, _ = _remembered(store, path)
            size = entry.stat().st_size
            if size < offset:
                report.warnings.append(f"{path}: shorter than when it was last read; reading it again from the start")
                offset, lines = 0, 0
            if size == offset:
                continue
            found, offset, lines = _read(path, offset, lines, device, report)
        except OSError as exc:
            report.warnings.append(f"{entry.path}: cannot read ({exc.strerror}); skipped")
            continue
        incoming += found
        progress.append((str(path), offset, lines, 0))
    if not progress:
        return
    with store.transaction():
        merged = merging.merge(store, incoming)
        anki.take_back_copies(store, merged.cards)
        store.db.executemany(_REMEMBER, progress)
    report.received, report.known, report.cards = merged.added, merged.known, len(merged.cards)
    report.devices = len(merged.devices)


def _read(path: Path, offset: int, lines: int, device: str, report: Report) -> tuple[list[events.Event], int, int]:
    """The events of a device's file from `offset` (line `lines` + 1 on): (events, offset and
    lines read up to: whole lines, and not past an event of a newer format)."""
    found = []
    fd = os.open(path, os.O_RDONLY)
    try:
        for line, after in _lines(fd, offset):
            if line is None:
                report.warnings.append(f"{path}: the last line is incomplete (the file is still being copied?); "
                                       "it is read at the next sync")
                break
            number = lines + 1
            try:
                if line is TOO_LONG:
                    raise jsonl.Invalid(f"longer than {jsonl.MAX_LINE // 1024} KB")
                found.append(jsonl.decode(line, device))
            except jsonl.Newer as newer:
                report.warnings.append(f"{path}:{number}: {newer}; upgrade dlquiz to read this file on from here")
                break
            except jsonl.Invalid as invalid:
                report.invalid += 1
                report.warnings.append(f"{path}:{number}: not a dlquiz event ({invalid}); skipped")
            offset, lines = after, number
    finally:
        os.close(fd)
    return found, offset, lines
