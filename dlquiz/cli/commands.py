"""What `dlquiz decks` and `dlquiz review` do (and what an empty queue says), and how any command
reports dlquiz's errors, without Typer: cli.py wraps these in its Typer commands, and launch.py runs the plain forms of the two
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


def context(create_store: bool = False, scheduler: str | None = None):
    """The collection, the store (None if there is none and none is wanted), the config and today.
    A DLQUIZ_HOME that is not a directory is refused first, in every command (paths.usable_home).
    The store's states are those of the config's scheduler, or of `scheduler` ('sm2', 'fsrs')."""
    from dlquiz import config as config_module
    from dlquiz import paths
    from dlquiz.review import schedulers, today
    from dlquiz.review import store as store_module

    home = paths.usable_home(create=create_store)
    collection = load()
    cfg = config_module.load(home)
    store = store_module.open_store(home, create=create_store, scheduler=schedulers.for_config(cfg, scheduler))
    now = paths.now()
    return collection, store, cfg, now, today.today(store, now, cfg.rollover_hour)


def decks(as_json: bool = False) -> None:
    """List every deck: cards, new, due today, suspended, leeches, next due day."""
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
    from dlquiz.render.words import plural

    numbers = ("cards", "new", "due", "suspended", "leech")
    upcoming = [r["next_due"] for r in rows if r["next_due"]]
    columns.echo(
        ["deck", "title", *numbers, "next due"],
        [[r["id"], r["title"], *(str(r[c]) for c in numbers), r["next_due"] or ""] for r in rows],
        right={2, 3, 4, 5, 6}, wrap=1,
        footer=[plural(len(rows), "deck"), f"today is {day.isoformat()}", *(str(sum(r[c] for r in rows)) for c in numbers),
                min(upcoming, default="")],
    )


def review(decks: Optional[List[str]] = None, tag: Optional[List[str]] = None, new: Optional[int] = None,
           reviews: Optional[int] = None, limit: Optional[int] = None, cram: bool = False, raw_math: bool = False,
           plain: bool = False, scheduler: Optional[str] = None) -> None:
    """Review today's cards: due reviews first, then new cards (SM-2, or FSRS: docs/schedulers.md)."""
    from dlquiz import paths
    from dlquiz.render import cards as render
    from dlquiz.review import screen as reviewer
    from dlquiz.review import session as session_module, today

    collection, store, cfg, _, day = context(create_store=True, scheduler=scheduler)
    with store:
        shared = sync_quietly(store, cfg)  # (only with sync_dir in config.toml)
        today.remember_day(store, day)
        session = session_module.Session(
            collection, store, day=day, now=paths.now, config=cfg, patterns=decks, tags=tag,
            limit=limit, more_new=new or 0, more_reviews=reviews or 0, cram=cram,
        )
        options = render.Options(raw_math=raw_math, plain=plain)
        console = render.console(options)
        if session.current is None:
            from rich.text import Text

            from dlquiz.review.empty import why_empty

            for line in empty_queue(session, why_empty(session)):
                console.print(Text(line), soft_wrap=True)  # the terminal wraps: a command stays one line to copy
            return
        try:
            summary = reviewer.Reviewer(session, console, options=options).run()
        except StoreError:  # a grade not saved (disk full, a lock held too long): the session ends here
            _print_what_was_saved(console, session)
            raise
        finally:
            if shared:
                sync_quietly(store, cfg)  # the grades go out, even after an interrupted session
        reviewer.print_summary(console, summary)
        if summary["answers"]:
            from dlquiz.stats import view as statsview

            console.print(statsview.session_footer(store, day, cfg))


def sync_quietly(store, cfg) -> bool:
    """With `sync_dir` in config.toml, sync with it (dlquiz.sync.folder): a line on stderr when
    events went either way, a warning when it fails (the store keeps every grade; they go out at
    the next sync). False without sync_dir."""
    from dlquiz import config, paths

    folder = config.sync_folder(cfg, paths.home())
    if folder is None:
        return False
    from dlquiz.sync import folder as sync_folder

    try:
        report = sync_folder.sync(store, folder, lock_timeout=10)
    except Exception as error:  # (whatever it is, the session goes on: nothing is lost)
        err(f"warning: no sync with {folder}: {error}; your grades are kept and go out at the next sync")
        return True
    for warning in report.warnings:
        err(f"warning: {warning}")
    if report.sent or report.received:
        err(report.line())
    return True


MORE = 10  # what an empty queue's message suggests asking for, at most


def empty_queue(session, why) -> list[str]:
    """What an empty queue says: which limit or state emptied it and what to do, else when the
    next card is due."""
    import shlex

    from dlquiz.render.words import names, plural

    def are(count: int) -> str:
        return "is" if count == 1 else "are"

    def again(flag: str, more: int) -> str:
        tags = [word for tag in session.tags for word in ("--tag", tag)]
        return shlex.join(["dlquiz", "review", *session.patterns, *tags, flag, str(more)])

    if why.tags_elsewhere is not None or (session.tags and not session.chosen):
        held, tags = why.tags_elsewhere, " or ".join(map(repr, session.tags))
        where = f"No card of {', '.join(session.patterns)} has the tag {tags}"
        if held is None:
            return [f"{where}."]
        return [f"{where}; {plural(held.count, 'card')} in {names(held.decks)} {'has' if held.count == 1 else 'have'} it."]
    lines = []
    if why.review_limit is not None:
        held, more = why.review_limit, min(why.review_limit.count, MORE)
        lines.append(f"Today's limit of {plural(session.config.reviews_per_day, 'review')} is reached; "
                     f"{plural(held.count, 'review')} {are(held.count)} due in {names(held.decks)}. "
                     f"{again('--reviews', more)} for {more} more.")
    if why.new_limit is not None:
        held, more = why.new_limit, min(why.new_limit.count, MORE)
        lines.append(f"Today's limit of {plural(session.config.new_per_day, 'new card')} is reached; "
                     f"{plural(held.count, 'new card')} wait{'s' if held.count == 1 else ''} in {names(held.decks)}. "
                     f"{again('--new', more)} for {more} more.")
    if not lines:
        upcoming = f" Next due: {why.next_due.isoformat()}." if why.next_due else ""
        lines.append(f"Nothing to review today ({session.day.isoformat()}).{upcoming}")
    if why.buried is not None:
        lines.append(f"{plural(why.buried.count, 'card')} in {names(why.buried.decks)} {are(why.buried.count)} "
                     "buried until tomorrow.")
    if why.suspended is not None:
        held = why.suspended
        shown = ", ".join(held.ids) + (", ..." if held.count > len(held.ids) else "")
        lines.append(f"{plural(held.count, 'card')} in {names(held.decks)} {are(held.count)} suspended ({shown}); "
                     "dlquiz unsuspend ID brings one back.")
    return lines


def _print_what_was_saved(console, session) -> None:
    """The summary of a session ended by a grade that could not be saved: what was."""
    from dlquiz.review import screen as reviewer

    try:
        summary = session.summary()
    except Exception:  # (the store may fail to read too: the error line says why)
        return
    reviewer.print_summary(console, summary)
