"""The user's settings: `$DLQUIZ_HOME/config.toml`, all optional.

    new_per_day = 20        # new cards introduced per review day
    reviews_per_day = 200   # scheduled reviews per review day
    rollover_hour = 4       # a review day starts at 04:00 local time, as in Anki
    leech_lapses = 8        # a card that lapses this often is a leech
    scheduler = "sm2"       # or "fsrs" (docs/schedulers.md)
    desired_retention = 0.9 # FSRS: the chance of recall it schedules for, 0.70 to 0.99
    fsrs_parameters = [...] # FSRS: 21 numbers (`dlquiz optimize` writes them); default: py-fsrs's
    fuzz = false            # FSRS: spread due days a little, as py-fsrs does
    sync_dir = "~/Sync/dlquiz"  # `dlquiz sync` and every review session share the history there
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
    scheduler: str = "sm2"
    desired_retention: float = 0.9
    fsrs_parameters: tuple[float, ...] | None = None  # None: the fsrs package's own defaults
    fuzz: bool = False
    sync_dir: str | None = None  # a folder shared with other machines (docs/sync.md); relative to DLQUIZ_HOME


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
    return _parse(path, text)


def _parse(path: Path, text: str) -> Config:
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
        if key in _SCHEDULER_KEYS:
            values[key] = _scheduler_setting(path, key, value)
            continue
        if key == "sync_dir":
            if not isinstance(value, str) or not value.strip() or "\0" in value:
                raise UsageError(f"{path}: sync_dir must be the path of a folder, not {value!r}")
            values[key] = value
            continue
        low, high = _RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise UsageError(f"{path}: {key} must be a whole number from {low} to {high}, not {clip(value)}")
        values[key] = value
    return Config(**values)


def sync_folder(config: Config, home: Path) -> Path | None:
    """The folder `sync_dir` names (`~` expanded, relative to `home`), or None."""
    if config.sync_dir is None:
        return None
    return home / Path(config.sync_dir).expanduser()


# -- the scheduler's settings (docs/schedulers.md)
SCHEDULERS = ("sm2", "fsrs")
RETENTION_RANGE = (0.70, 0.99)
FSRS_PARAMETER_COUNT = 21  # FSRS-6, as the fsrs package (py-fsrs 6) takes them
_SCHEDULER_KEYS = ("scheduler", "desired_retention", "fsrs_parameters", "fuzz")


def _scheduler_setting(path: Path, key: str, value):
    """A scheduler setting checked for its type and range (the fsrs package checks each
    parameter's bounds when FSRS is used)."""
    import math

    if key == "scheduler":
        if value not in SCHEDULERS:
            raise UsageError(f"{path}: scheduler must be one of {', '.join(map(repr, SCHEDULERS))}, not {clip(value)}")
        return value
    if key == "fuzz":
        if not isinstance(value, bool):
            raise UsageError(f"{path}: fuzz must be true or false, not {clip(value)}")
        return value
    if key == "desired_retention":
        low, high = RETENTION_RANGE
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise UsageError(f"{path}: desired_retention must be a number from {low} to {high}, not {clip(value)}")
        return float(value)
    if not isinstance(value, list) or len(value) != FSRS_PARAMETER_COUNT:
        raise UsageError(f"{path}: fsrs_parameters must be a list of {FSRS_PARAMETER_COUNT} numbers "
                         f"(`dlquiz optimize` writes them), not {clip(value)}")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        raise UsageError(f"{path}: fsrs_parameters must all be finite numbers, not {clip(value)}")
    return tuple(float(v) for v in value)


def write_fsrs_parameters(home: Path, parameters: list[float]) -> Path:
    """Set `fsrs_parameters` in config.toml, keeping every other line (comments included) as it
    was: an existing setting is replaced where it stands, else the line is appended. The file is
    replaced atomically, and only if the result is a valid config equal to the old one but for
    this setting."""
    import os
    import re
    import tempfile
    import tomllib

    path = home / FILENAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read ({exc})") from None
    line = "fsrs_parameters = [" + ", ".join(repr(round(float(p), 4)) for p in parameters) + "]"
    # The setting as written by hand or by us: its key at the start of a line, up to the list's
    # closing bracket (over several lines, comments inside allowed). A config has no tables.
    setting = re.compile(r"^[ \t]*fsrs_parameters[ \t]*=[ \t]*\[(?:[^\]#]|#[^\n]*)*\]", re.MULTILINE)
    found = setting.search(text)
    if found:
        new_text = text[:found.start()] + line + text[found.end():]
    else:
        new_text = text + ("" if not text or text.endswith("\n") else "\n") + line + "\n"
    after = _parse(path, new_text)  # an invalid config (but for a bad old list) is refused here
    if after.fsrs_parameters != tuple(round(float(p), 4) for p in parameters) or {
            k: v for k, v in tomllib.loads(new_text).items() if k != "fsrs_parameters"} != {
            k: v for k, v in tomllib.loads(text).items() if k != "fsrs_parameters"}:
        raise UsageError(f"{path}: cannot set fsrs_parameters without changing other settings; set it by hand")
    fd, tmp = tempfile.mkstemp(dir=home, prefix=f".{FILENAME}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(new_text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path
