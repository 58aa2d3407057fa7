"""Anki's files, opened for reading only: an `.apkg` or `.colpkg` (a zip file holding the
collection as `collection.anki21b`, zstd-compressed SQLite, which Anki writes by default, or as
`collection.anki21` / `collection.anki2` in the legacy format), or a collection file itself
(`collection.anki2`).

The user's file is never opened for writing: a collection file is opened read-only and
immutable; a package's collection is decompressed into a private temporary file, at most
MAX_BYTES of it (no zip bomb fills the disk). Anything that is not a collection Anki wrote,
one from a newer Anki, or a file cut short is refused with one line (UsageError, exit 2).
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from dlquiz.errors import UsageError

MAX_BYTES = 1 << 30  # a collection of 50,000 notes and 500,000 reviews takes about 100 MB
SCHEMAS = range(11, 19)  # `col.ver` of the collections Anki 2.1 to 25.x writes
MEMBERS = ("collection.anki21b", "collection.anki21", "collection.anki2")  # in Anki's order of preference
_SQLITE = b"SQLite format 3\x00"
_ZIP = b"PK\x03\x04"
_CHUNK = 1 << 20


def _zstd():
    if sys.version_info >= (3, 14):
        from compression import zstd  # type: ignore[import-not-found]
    else:
        from backports import zstd  # type: ignore[import-not-found,no-redef]
    return zstd


@contextmanager
def opened(path: Path) -> Iterator[sqlite3.Connection]:
    """The Anki collection in `path`, as a read-only SQLite connection, checked: its tables are
    Anki's and its schema one this dlquiz reads."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_SQLITE))
    except IsADirectoryError:
        raise UsageError(f"{path}: a directory; give an .apkg or .colpkg file, or a collection.anki2") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from None
    if head == _SQLITE:
        with _connected(path, path) as db:
            yield db
        return
    if head.startswith(_ZIP) or zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="dlquiz-anki-") as folder:
            copy = Path(folder) / "collection.anki2"
            _unpack(path, copy)
            with _connected(copy, path) as db:
                yield db
        return
    raise UsageError(f"{path}: not an Anki package (.apkg, .colpkg) or collection (collection.anki2)")


def _unpack(path: Path, copy: Path) -> None:
    """Copy the package's collection, decompressed, to `copy` (at most MAX_BYTES)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            member = next((name for name in MEMBERS if name in names), None)
            if member is None:
                raise UsageError(f"{path}: a zip file, but not an Anki package (it holds no collection)")
            if archive.getinfo(member).file_size > MAX_BYTES:
                raise _too_big(path)
            with archive.open(member) as stream, open(copy, "wb") as out:
                if member.endswith("b"):
                    with _zstd().ZstdFile(stream) as unpacked:
                        _copy(unpacked, out, path)
                else:
                    _copy(stream, out, path)
    except UsageError:
        raise
    except zipfile.BadZipFile as exc:
        raise UsageError(f"{path}: a damaged or cut-short zip file ({exc})") from None
    except (EOFError, ValueError, OSError, RuntimeError) as exc:  # (zlib, zstd, a member cut short)
        if isinstance(exc, OSError) and exc.filename is not None:
            raise
        raise UsageError(f"{path}: a damaged or cut-short Anki package ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # ZstdError and the like: the package's contents are bad, not dlquiz
        raise UsageError(f"{path}: a damaged or cut-short Anki package ({type(exc).__name__}: {exc})") from None


def _copy(source, out, path: Path) -> None:
    total = 0
    while True:
        chunk = source.read(_CHUNK)
        if not chunk:
            return
        total += len(chunk)
        if total > MAX_BYTES:
            raise _too_big(path)
        out.write(chunk)


def _too_big(path: Path) -> UsageError:
    return UsageError(f"{path}: its collection is larger than {MAX_BYTES >> 20} MB unpacked; "
                      "dlquiz does not read it (a damaged or hostile file?)")


@contextmanager
def _connected(file: Path, named: Path) -> Iterator[sqlite3.Connection]:
    try:
        db = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise UsageError(f"{named}: cannot open as an Anki collection ({exc})") from None
    try:
        try:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"col", "notes", "cards", "revlog"} <= tables:
                raise UsageError(f"{named}: an SQLite file, but not an Anki collection (no notes, cards and revlog tables)")
            row = db.execute("SELECT ver FROM col").fetchone()
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"{named}: a damaged or cut-short Anki collection ({exc})") from None
        version = row[0] if row else None
        if not isinstance(version, int):
            raise UsageError(f"{named}: not an Anki collection (no schema version)")
        if version > SCHEMAS[-1]:
            raise UsageError(f"{named}: made by a newer Anki (collection schema {version}; this dlquiz reads up to "
                             f"{SCHEMAS[-1]}); upgrade dlquiz, or export from Anki as 'legacy' (support older Anki versions)")
        if version < SCHEMAS[0]:
            raise UsageError(f"{named}: made by Anki 2.0 or older (collection schema {version}); open it in a current "
                             "Anki and export it again")
        yield db
    finally:
        db.close()

