"""Shell completion (dlquiz.cli.complete): deck ids for review, export and stats, card ids for show
and edit, through the completion script dlquiz itself prints, run by a real bash; the zsh and fish
protocols; installing it; and a broken deck completes nothing, quietly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent  # the venv's `dlquiz` command lives next to its python


def dlquiz_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.update(extra)
    return env


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "dlquiz"), *args], capture_output=True, text=True, env=dlquiz_env(**env), timeout=60)


def complete(shell: str, words: str, **env: str) -> subprocess.CompletedProcess:
    """What dlquiz answers the shell's completion request for the command line `words`."""
    if shell == "bash":
        cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
        return run(_DLQUIZ_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=cword, **env)
    return run(_DLQUIZ_COMPLETE=f"complete_{shell}", _TYPER_COMPLETE_ARGS=words, _TYPER_COMPLETE_FISH_ACTION="get-args", **env)


pytestmark = pytest.mark.skipif(not (BIN / "dlquiz").exists(), reason="needs the installed `dlquiz` command")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("words, expected", [
    ("dlquiz review c4", ["c4w1", "c4w2", "c4w3", "c4w4"]),
    ("dlquiz export anki c5w", ["c5w1", "c5w2", "c5w3", "c5w4"]),
    ("dlquiz stats c1w", ["c1w1", "c1w2", "c1w3", "c1w4"]),
    ("dlquiz show c4w1-conv-p", ["c4w1-conv-problems", "c4w1-conv-params-independent-of-size", "c4w1-conv-params-drill",
                                 "c4w1-conv-params-cloze-c1", "c4w1-conv-params-cloze-c2", "c4w1-conv-params-cloze-c3"]),
    ("dlquiz edit c2w2-adam-s-", ["c2w2-adam-s-formula", "c2w2-adam-s-corrected-formula"]),
    ("dlquiz rev", ["review"]),
])
def test_bash_completes_through_the_script_dlquiz_prints(bundled, words, expected):
    script = run("--show-completion", "bash", _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1").stdout
    line = " ".join(f'"{w}"' for w in words.split())
    program = f'{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words.split()) - 1}\n_dlquiz_completion dlquiz\nprintf "%s\\n" "${{COMPREPLY[@]}}"\n'
    result = subprocess.run(["bash", "--norc", "-c", program], capture_output=True, text=True, env=dlquiz_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split()) == sorted(expected)


def test_zsh_and_fish_get_descriptions(bundled):
    zsh = complete("zsh", "dlquiz review c4w")
    assert '"c4w1":"Foundations of Convolutional Neural Networks"' in zsh.stdout
    fish = complete("fish", "dlquiz show c2w2-adam-s-f")
    assert fish.stdout.splitlines() == ["c2w2-adam-s-formula\tIn Adam, give the new second moment $s_{dW}$ in t…"]


def test_a_broken_deck_completes_nothing_quietly(write_deck):
    write_deck("bad.yaml", "course: 1\nweek: [\n")
    result = complete("bash", "dlquiz review b")
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "", "")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_script(shell):
    result = run("--show-completion", shell, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")  # else: this shell's
    assert result.returncode == 0
    assert f"_DLQUIZ_COMPLETE=complete_{shell}" in result.stdout


def test_install_completion_for_bash(tmp_path):
    result = run("--install-completion", "bash", HOME=str(tmp_path), _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert result.returncode == 0, result.stderr
    assert "bash completion installed in" in result.stdout
    assert "_DLQUIZ_COMPLETE=complete_bash" in (tmp_path / ".bash_completions" / "dlquiz.sh").read_text()
    assert ".bash_completions/dlquiz.sh" in (tmp_path / ".bashrc").read_text()
