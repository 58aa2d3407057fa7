"""Shared fixtures. No test touches the real user directory: DLQUIZ_HOME and DLQUIZ_CARDS point
at temporary directories and DLQUIZ_NOW pins the clock, for every test."""

from __future__ import annotations

import signal
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.paths import bundled_cards_dir

FIXED_NOW = "2026-11-26T09:00:00+00:00"


def pytest_configure(config):
    """Ctrl-C handled as in a terminal, however the tests were started: a shell starts a command
    run in the background (`pytest &`) with SIGINT and SIGQUIT ignored, every program it starts
    inherits that, and a review session in a pseudo-terminal would then never see its Ctrl-C."""
    for signum, handler in ((signal.SIGINT, signal.default_int_handler), (signal.SIGQUIT, signal.SIG_DFL)):
        if signal.getsignal(signum) is signal.SIG_IGN:
            signal.signal(signum, handler)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """A private DLQUIZ_HOME, an empty private deck directory and a fixed clock."""
    home = tmp_path / "home"
    cards = tmp_path / "cards"
    home.mkdir()
    cards.mkdir()
    monkeypatch.setenv("DLQUIZ_HOME", str(home))
    monkeypatch.setenv("DLQUIZ_CARDS", str(cards))
    monkeypatch.setenv("DLQUIZ_NOW", FIXED_NOW)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))  # drafts and edits kept by dlquiz (subprocesses) land here
    return {"home": home, "cards": cards}


@pytest.fixture
def bundled(monkeypatch):
    """Point DLQUIZ_CARDS at the bundled decks."""
    monkeypatch.setenv("DLQUIZ_CARDS", str(bundled_cards_dir()))
    return bundled_cards_dir()


@pytest.fixture
def cards_dir(isolated) -> Path:
    return isolated["cards"]


@pytest.fixture
def write_deck(cards_dir):
    """Write a deck file (dedented) into the private deck directory; returns its path."""

    def write(name: str, text: str | bytes) -> Path:
        path = cards_dir / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def cli():
    """Invoke the real CLI in-process; returns the Result (stdout, stderr, exit_code)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def col(tmp_path):
    """A fresh Anki collection (Anki's own library: the export tests' oracle)."""
    from anki.collection import Collection

    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    yield collection
    collection.close()
