"""The commands that share the review history: `sync` (other machines, through a folder) and
`import anki` (reviews made in Anki). Plain functions with Typer's parameter declarations;
dlquiz.cli.app registers them, wrapped in its error handling. The work is in dlquiz.sync.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from dlquiz.cli import commands
from dlquiz.errors import UsageError

JSON_OPTION = typer.Option(False, "--json", help="Print what was done as JSON.")


def sync(
    folder: Optional[Path] = typer.Argument(
        None, metavar="[DIR]", help="The shared folder (default: sync_dir in config.toml)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Share your history with your other machines through a folder.

    Appends this machine's new events to DIR/<device id>.jsonl and takes in what the other
    machines' files gained. Keep DIR in sync with git, Syncthing, Dropbox or a network share.
    Exit 1 when a line of another machine's file is not an event (reported and skipped).
    """
    from dlquiz import config, paths
    from dlquiz.review import store as store_module
    from dlquiz.sync import folder as sync_folder

    home = paths.usable_home(create=True)
    folder = folder or config.sync_folder(config.load(home), home)
    if folder is None:
        raise UsageError("no folder to sync with: dlquiz sync DIR, or set sync_dir in config.toml")
    with store_module.open_store(home, create=True) as store:
        report = sync_folder.sync(store, folder)
    for warning in report.warnings:
        commands.err(warning)
    _echo(report, as_json)
    if report.invalid:
        raise typer.Exit(1)


def import_anki(
    file: Path = typer.Argument(..., metavar="FILE", help="An .apkg or .colpkg exported from Anki with scheduling, "
                                "or a collection.anki2."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what it would import; write nothing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Bring back the reviews you made in Anki of dlquiz's cards.

    Reviews already in dlquiz's log (imported before, or exported by dlquiz with --with-progress)
    are never added twice. Again, Hard, Good, Easy become grades 1, 3, 4, 5. Exit 1 when log
    entries of dlquiz's notes are damaged (skipped and counted).
    """
    import contextlib
    import os

    from dlquiz import config, paths
    from dlquiz.decks.collection import load_collection
    from dlquiz.export.notes import note_guids
    from dlquiz.review import store as store_module
    from dlquiz.sync import anki

    home = paths.usable_home(create=not dry_run)
    cfg = config.load(home)
    guids = note_guids(load_collection().cards.values())
    with store_module.open_store(home, create=False) or contextlib.nullcontext() as store:  # notes exported before, gone from the decks
        if store is not None:
            for guid, card_id in store.db.execute("SELECT guid, card_id FROM anki_notes"):
                guids.setdefault(guid, (card_id,))
    revlog = anki.read(file, guids)  # a bad file stops here: the store is left as it was
    now = paths.now()
    zone = now.tzinfo if os.environ.get("DLQUIZ_NOW") else None  # (else the system's, with its daylight saving)
    store = store_module.open_store(home, create=not dry_run)
    try:
        report = anki.bring_in(store, revlog, cfg.rollover_hour, zone, dry_run)
    finally:
        if store is not None:
            store.close()
    _echo(report, as_json)
    if dry_run:
        commands.err("dry run: nothing written")
    if report.skipped["damaged"]:  # (the sound entries are in; the file has problems: exit 1, as sync's bad lines)
        raise typer.Exit(1)


def _echo(report, as_json: bool) -> None:
    if as_json:
        import json

        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(report.line())
