"""What `dlquiz decks` and `dlquiz review` do, and how any command reports dlquiz's errors, without
Typer: cli.py wraps these in its Typer commands, and launch.py runs the plain forms of the two
commands used most (`dlquiz review`, `dlquiz decks`) straight away, without building the Typer
app (importing Typer is a third of the time to the first card of a large collection).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, List, Optional

from dlquiz.errors import DlquizError, StoreError


def err(line: str) -> None:
    sys.stderr.write(line + "\n")


def _sqlite_error(error: BaseException) -> bool:
    sqlite3 = sys.modules.get("sqlite3")  # (not imported for it: loaded already if it failed)
    return sqlite3 is not None and isinstance(error, sqlite3.Error)


def reported(error: BaseException) -> bool:
    """Whether `exit_code` reports this error (everything else is a bug: a traceback)."""
    return isinstance(error, (DlquizError, KeyboardInterrupt, OSError)) or _sqlite_error(error)


def exit_code(error: BaseException) -> int:
    """Report an error as one line per problem on stderr; the exit code it means (DESIGN.md)."""
    if _sqlite_error(error):  # a read that met damage the store's checks on opening could not see
        from dlquiz import paths
        from dlquiz.review import health, store

        error = health.failure(error, paths.home() / store.FILENAME)
    if isinstance(error, DlquizError):
        for line in error.lines():
            err(line)
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        err("interrupted")
        return 130
    assert isinstance(error, OSError)
    where = f": {error.filename}" if getattr(error, "filename", None) else ""
    err(f"{error.strerror or error}{where}")
    return 2


def run(command: Callable[..., None], *args, **kwargs) -> int:
    """Run a command body; 0, or the exit code of the error it raised (reported on stderr)."""
    try:
        command(*args, **kwargs)
    except BaseException as error:
        if not reported(error):
            raise
        return exit_code(error)
    return 0


def load(paths: Optional[List[Path]] = None):
    from dlquiz.decks.collection import load_collection
    from dlquiz.decks.files import discover

    if not paths:
        return load_collection()
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(discover([path]))
        elif path.exists():
            files.append(path)
        else:
            raise DlquizError(f"{path}: no such file or directory")
    return load_collection(paths=files)


def context(create_store: bool = False):
    """The collection, the store (None if there is none and none is wanted), the config and today."""
    from dlquiz import config as config_module
    from dlquiz import paths
    from dlquiz.review import today
    from dlquiz.review import store as store_module

    collection = load()
    store = store_module.open_store(create=create_store)
    cfg = config_module.load(paths.home())
    now = paths.now()
    return collection, store, cfg, now, today.today(store, now, cfg.rollover_hour)


def decks(as_json: bool = False) -> None:
    """List every deck: cards, new, due today, leeches, next due day."""
    from dlquiz.review import today

    collection, store, cfg, _, day = context()
    try:
        counts = today.deck_counts(collection, store, day, cfg)
    finally:
        if store is not None:
            store.close()
    rows = [
        {"id": deck.id, "course": deck.course, "week": deck.week, "title": deck.title, "path": deck.path, **counts[deck.id]}
        for deck in collection.decks
    ]
    if as_json:
        import json

        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from dlquiz.render import columns

    numbers = ("cards", "new", "due", "leech")
    upcoming = [r["next_due"] for r in rows if r["next_due"]]
    columns.echo(
        ["deck", "title", *numbers, "next due"],
        [[r["id"], r["title"], *(str(r[c]) for c in numbers), r["next_due"] or ""] for r in rows],
        right={2, 3, 4, 5}, wrap=1,
        footer=[f"{len(rows)} decks", f"today is {day.isoformat()}", *(str(sum(r[c] for r in rows)) for c in numbers),
                min(upcoming, default="")],
    )


def review(decks: Optional[List[str]] = None, tag: Optional[List[str]] = None, new: Optional[int] = None,
           reviews: Optional[int] = None, limit: Optional[int] = None, cram: bool = False, raw_math: bool = False,
           plain: bool = False) -> None:
    """Review today's cards: due reviews first, then new cards (SM-2)."""
    from dlquiz import paths
    from dlquiz.render import cards as render
    from dlquiz.review import screen as reviewer
    from dlquiz.review import session as session_module, today

    collection, store, cfg, _, day = context(create_store=True)
    with store:
        today.remember_day(store, day)
        session = session_module.Session(
            collection, store, day=day, now=paths.now, config=cfg, patterns=decks, tags=tag,
            limit=limit, new_limit=new, review_limit=reviews, cram=cram,
        )
        options = render.Options(raw_math=raw_math, plain=plain)
        console = render.console(options)
        if session.current is None:
            summary = session.summary()
            upcoming = f" Next due: {summary['next_due']}." if summary["next_due"] else ""
            console.print(f"Nothing to review today ({day.isoformat()}).{upcoming}")
            return
        try:
            summary = reviewer.Reviewer(session, console, options=options).run()
        except StoreError:  # a grade not saved (disk full, a lock held too long): the session ends here
            _print_what_was_saved(console, session)
            raise
        reviewer.print_summary(console, summary)
        if summary["answers"]:
            from dlquiz.stats import view as statsview

            console.print(statsview.session_footer(store, day, cfg))


def _print_what_was_saved(console, session) -> None:
    """The summary of a session ended by a grade that could not be saved: what was."""
    from dlquiz.review import screen as reviewer

    try:
        summary = session.summary()
    except Exception:  # (the store may fail to read too: the error line says why)
        return
    reviewer.print_summary(console, summary)
