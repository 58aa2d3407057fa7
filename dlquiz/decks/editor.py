"""The user's editor, for `dlquiz add` and `dlquiz edit`: run it on a text (as git runs it for a
commit message), and keep text that could not be used in a file, so that nothing typed is lost.
Nothing here knows decks or the terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from dlquiz.errors import DlquizError


class Aborted(DlquizError):
    """The user stopped (declined, the editor failed, the text was left empty): nothing written."""

    exit_code = 1


def editor_command() -> str:
    """The user's editor: $VISUAL, else $EDITOR, else vi (as git chooses)."""
    return os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"


def run_editor(text: str, name: str) -> str:
    """Let the user edit `text` in their editor; returns the result. Aborted when the editor
    exits non-zero. The command may carry arguments (`code --wait`): a shell runs it, as git does."""
    fd, tmp = tempfile.mkstemp(prefix=f"dlquiz-{name}-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        command = editor_command()
        if sys.platform.startswith("win"):  # pragma: no cover
            status = subprocess.call(f'{command} "{tmp}"', shell=True)
        else:
            status = subprocess.call(["/bin/sh", "-c", command + ' "$@"', command, tmp])
        if status != 0:
            raise Aborted(f"the editor ({command}) exited with status {status}; nothing changed")
        with open(tmp, encoding="utf-8", newline="") as handle:
            return handle.read()
    finally:
        os.unlink(tmp)


def keep(text: str, name: str) -> Path:
    """Save text the user wrote but that could not be used, so it is not lost."""
    fd, kept = tempfile.mkstemp(prefix=f"dlquiz-{name}-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return Path(kept)


def strip_comments(text: str) -> str:
    """Text from an editor template: lines starting with '#' dropped, outer blank lines trimmed."""
    kept = [line.rstrip() for line in text.splitlines() if not line.startswith("#")]
    return "\n".join(kept).strip("\n")
