"""The user's settings: `$DLQUIZ_HOME/config.toml`, all optional.

    new_per_day = 20        # new cards introduced per review day
    reviews_per_day = 200   # scheduled reviews per review day
    rollover_hour = 4       # a review day starts at 04:00 local time, as in Anki
    leech_lapses = 8        # a card that lapses this often is a leech
"""

from __future__ import annotations

import difflib
import os
import stat
from dataclasses import dataclass, fields
from pathlib import Path

from dlquiz.errors import UsageError, clip, cut

FILENAME = "config.toml"
MAX_BYTES = 16 << 20  # a config holds a few settings: anything larger is not one
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
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_BYTES:
            raise UsageError(f"{path}: not a config file (a regular file of at most {MAX_BYTES // 2**20} MB)")
        with open(path, "rb", buffering=0) as handle:
            text = handle.read(MAX_BYTES + 1).decode("utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read ({cut(str(exc), 60)})") from None
    import tomllib  # only when there is a config file

    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))  # (a BOM, as some editors write, is no setting)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {cut(str(exc))}") from None
    except RecursionError:  # (tomllib recurses into nested arrays and tables)
        raise UsageError(f"{path}: invalid TOML: nested too deeply") from None
    known = [f.name for f in fields(Config)]
    values = {}
    for key, value in data.items():
        if key not in known:
            close = difflib.get_close_matches(key[:100], known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"{path}: unknown setting {clip(key)}{hint}")
        low, high = _RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise UsageError(f"{path}: {key} must be a whole number from {low} to {high}, not {clip(value)}")
        values[key] = value
    return Config(**values)
