"""The README's commands and the wheel: what a new user runs must work as written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command_exactly():
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if "pytest" in line]
    assert len(ci_lines) == 1
    readme = (ROOT / "README.md").read_text()
    assert ci_lines[0].strip() in readme


def test_readme_quickstart_has_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quickstart, re.S)
    assert len(commands) == 2
    assert "dlquiz" in commands[0] and "pytest" in commands[1]


@pytest.mark.slow
def test_the_wheel_ships_the_decks_and_finds_them(tmp_path):
    """A plain `pip install .` (not editable) must find the bundled decks."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )
    (wheel,) = wheels.glob("dlquiz-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "dlquiz/cards/c1w1.yaml" in names and "dlquiz/cards/c5w4.yaml" in names
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=600,
    )
    env = {k: v for k, v in os.environ.items() if k != "DLQUIZ_CARDS"}
    env["PYTHONPATH"] = str(target)
    code = "import dlquiz, sys; print(dlquiz.__file__)"
    where = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(target))
    result = subprocess.run(
        [sys.executable, "-m", "dlquiz", "decks", "--json"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 17
    for row in rows:  # paths are shown relative to the working directory when inside it
        assert (tmp_path / row["path"]).resolve().is_relative_to(target / "dlquiz" / "cards")
