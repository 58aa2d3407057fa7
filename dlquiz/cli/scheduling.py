"""The bodies of `dlquiz optimize` (FSRS fitted to your log, written to config.toml after you
agree) and `dlquiz stats --schedulers` (SM-2 and FSRS judged on your log); cli/app.py wraps them
in Typer commands. The numbers come from the core: dlquiz.review.fsrs_fit, dlquiz.stats.schedulers.
"""

from __future__ import annotations

from typing import Callable

from dlquiz.errors import DlquizError

COLUMNS = 3  # parameters shown side by side: 21 in 7 lines of 80 columns


class NothingWritten(DlquizError):
    """`optimize` found too little history, or the learner declined: config.toml is unchanged."""

    exit_code = 1


def optimize(yes: bool, confirm: Callable[[str], bool], echo: Callable[[str], None], err: Callable[[str], None]) -> None:
    """Fit FSRS to the log, show the parameters and their log loss, ask, write them."""
    from dlquiz import config as config_module
    from dlquiz import paths
    from dlquiz.review import fsrs_fit
    from dlquiz.review.fsrs_scheduler import FSRS
    from dlquiz.review.store import open_store

    fsrs_fit.optimizer()  # before any work: a missing optimizer is bad usage (exit 2)
    home = paths.home()
    cfg = config_module.load(home)
    store = open_store(create=False)
    cards = {}
    if store is not None:
        with store:
            cards = fsrs_fit.histories(store.scheduled_reviews())
    reviews = fsrs_fit.scheduled_count(cards)
    if reviews < fsrs_fit.MIN_REVIEWS:
        raise NothingWritten(f"only {reviews:,} scheduled reviews in your log; optimize needs at least "
                             f"{fsrs_fit.MIN_REVIEWS} to fit FSRS to them: nothing changed")
    fitted = fsrs_fit.fit(cards)
    current = FSRS(cfg.fsrs_parameters).parameters
    losses = [fsrs_fit.log_loss((p.p, p.passed) for p in fsrs_fit.predictions(FSRS(params), cards))
              for params in (fitted, current)]
    now = "your fsrs_parameters" if cfg.fsrs_parameters else "py-fsrs's defaults"
    echo(f"FSRS fitted to {reviews:,} scheduled reviews of {len(cards):,} cards.")
    echo(f"Log loss on your log (lower is better): {losses[0]:.4f} fitted · {losses[1]:.4f} with {now}")
    echo("")
    echo(parameter_table(current, fitted))
    echo("")
    path = home / config_module.FILENAME
    if not yes and not confirm(f"Write them to {path}?"):
        raise NothingWritten("nothing written")
    config_module.write_fsrs_parameters(home, list(fitted))
    err(f"wrote fsrs_parameters to {path}")
    if cfg.scheduler != "fsrs":
        err('the scheduler is SM-2: add scheduler = "fsrs" to config.toml (or review --scheduler fsrs) to use them')


def parameter_table(current, fitted) -> str:
    """w0 ... w20, now -> fitted, in COLUMNS columns read down."""
    cells = [f"w{i:<2} {now:8.4f} → {new:<8.4f}" for i, (now, new) in enumerate(zip(current, fitted))]
    rows = -(-len(cells) // COLUMNS)
    lines = ["   ".join(cells[r + rows * c] for c in range(COLUMNS) if r + rows * c < len(cells)) for r in range(rows)]
    return "Parameters, now → fitted:\n" + "\n".join(line.rstrip() for line in lines)


def compare(decks, as_json: bool, echo: Callable[[str], None], console) -> None:
    """`dlquiz stats --schedulers [DECK...] [--json]`."""
    from dlquiz.cli import commands
    from dlquiz.decks.collection import select_ids
    from dlquiz.stats import schedulers

    collection, store, cfg, _, day = commands.context()
    try:
        chosen = set(select_ids(collection, decks, None)) if decks else None
        result = schedulers.compare(store, day, cfg, chosen)
    finally:
        if store is not None:
            store.close()
    if as_json:
        import json

        echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    from dlquiz.stats import view

    console().print(view.comparison(result))
