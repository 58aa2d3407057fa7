"""Where dlquiz keeps things: the user directory, the deck directories, and "now".

Environment variables override every default, so tests and what-if planning never touch the
real user directory: DLQUIZ_HOME (state), DLQUIZ_CARDS (deck directories, os.pathsep-separated)
and DLQUIZ_NOW (an ISO 8601 datetime standing in for the clock).
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from dlquiz.errors import UsageError

APP = "dlquiz"
PACKAGE_DIR = Path(__file__).resolve().parent


def default_home() -> Path:
    """The platform's user data directory for dlquiz."""
    if sys.platform.startswith("win"):
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / APP
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP


def home() -> Path:
    """`$DLQUIZ_HOME`, else the platform's user data directory."""
    value = os.environ.get("DLQUIZ_HOME")
    return Path(value).expanduser() if value else default_home()


def home_is_explicit() -> bool:
    """True when the user chose the home directory with DLQUIZ_HOME."""
    return bool(os.environ.get("DLQUIZ_HOME"))


def usable_home(create: bool = False) -> Path:
    """The home directory, checked: a DLQUIZ_HOME that does not exist or is a file is a
    UsageError (one line, exit 2), as is a default home that is a file. The default home (no
    DLQUIZ_HOME) that does not exist yet is created when `create`."""
    path = home()
    if path.is_dir():
        return path
    name = "DLQUIZ_HOME" if home_is_explicit() else "the dlquiz home directory"
    if path.exists():
        fix = "point DLQUIZ_HOME at a directory" if home_is_explicit() else "move it away or set DLQUIZ_HOME"
        raise UsageError(f"{path}: {name} is a file, not a directory; {fix}")
    if home_is_explicit():
        raise UsageError(f"{path}: DLQUIZ_HOME does not exist; create it or point DLQUIZ_HOME elsewhere")
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{path}: cannot create the dlquiz home directory ({exc.strerror})") from None
    return path


def bundled_cards_dir() -> Path:
    """The decks that ship with dlquiz: inside the installed package, or the checkout's `cards/`."""
    inside = PACKAGE_DIR / "cards"
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / "cards"


def is_source_checkout() -> bool:
    """True when running from a source checkout (the bundled decks are then writable files)."""
    return not (PACKAGE_DIR / "cards").is_dir() and (PACKAGE_DIR.parent / "pyproject.toml").is_file()


def deck_dirs() -> list[Path]:
    """Deck directories in order: `$DLQUIZ_CARDS` if set, else the bundled decks and `$DLQUIZ_HOME/cards`."""
    value = os.environ.get("DLQUIZ_CARDS")
    if value is not None:
        return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]
    return [bundled_cards_dir(), home() / "cards"]


def now() -> datetime:
    """The current time, timezone-aware; `$DLQUIZ_NOW` overrides it."""
    value = os.environ.get("DLQUIZ_NOW")
    if not value:
        return datetime.now(timezone.utc).astimezone()
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"DLQUIZ_NOW: invalid datetime {value!r} (expected ISO 8601, e.g. 2026-11-26T09:00:00+01:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is local time
    return moment
