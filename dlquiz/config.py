"""The user's settings: `$DLQUIZ_HOME/config.toml`, all optional.

    new_per_day = 20        # new cards introduced per review day
    reviews_per_day = 200   # scheduled reviews per review day
    rollover_hour = 4       # a review day starts at 04:00 local time, as in Anki
    leech_lapses = 8        # a card that lapses this often is a leech
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields
from pathlib import Path

from dlquiz.errors import UsageError

FILENAME = "config.toml"
_RANGES = {"new_per_day": (0, 100_000), "reviews_per_day": (0, 1_000_000), "rollover_hour": (0, 23), "leech_lapses": (1, 1000)}


@dataclass(frozen=True)
class Config:
    new_per_day: int = 20
    reviews_per_day: int = 200
    rollover_hour: int = 4
    leech_lapses: int = 8


def load(home: Path) -> Config:
    """Read the config file in `home` (defaults when there is none); bad values are a UsageError."""
    path = home / FILENAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read ({exc})") from None
    import tomllib  # only when there is a config file

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from None
    known = [f.name for f in fields(Config)]
    values = {}
    for key, value in data.items():
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"{path}: unknown setting {key!r}{hint}")
        low, high = _RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise UsageError(f"{path}: {key} must be a whole number from {low} to {high}, not {value!r}")
        values[key] = value
    return Config(**values)
