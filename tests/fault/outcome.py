"""What every fault must end in: an exit code, one short line per problem on stderr (naming the
file when there is one), no traceback."""

from __future__ import annotations

# One terminal line of context: a message quotes at most ~40 characters of input, and says in a
# sentence what is wrong and what to do; the path in front is the user's own.
MAX_MESSAGE = 200


def problems(result, *, code: int, where: str | None = None) -> list[str]:
    """The stderr lines of a CLI result that failed with `code`, each checked: no traceback, each
    line short, each naming `where` when given. Returns them."""
    stderr = result.stderr
    assert result.exit_code == code, (result.exit_code, stderr[-2000:])
    assert "Traceback" not in stderr and "Error:" not in stderr.split(":", 1)[0], stderr[-2000:]
    lines = stderr.splitlines()
    assert lines, "no message"
    for line in lines:
        assert line.strip(), "an empty line"
        if where is not None:
            assert line.startswith(where), (line[:300], where)
        shown = line[len(where):] if where is not None and line.startswith(where) else line
        assert len(shown) <= MAX_MESSAGE, f"a line of {len(line)} characters: {line[:300]}"
    return lines


def one_problem(result, *, code: int, where: str | None = None) -> str:
    """The single stderr line of a CLI result that failed with `code` (see `problems`)."""
    lines = problems(result, code=code, where=where)
    assert len(lines) == 1, lines
    return lines[0]
