"""The commands through the real Typer app (CliRunner), and start-up through a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.decks.test_format import ONE, deck_text

NUMERIC = """\
  - id: t-params
    kind: numeric
    question: How many parameters?
    answer: {answer}
    check: conv_param_count(f=5, n_c_prev=3, n_c=100)
"""


def test_decks_lists_the_bundled_decks(bundled, cli):
    result = cli("decks")
    assert result.exit_code == 0
    assert "c1w1" in result.stdout and "c5w4" in result.stdout
    assert "17 decks" in result.stdout


def test_decks_json(bundled, cli):
    result = cli("decks", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) == 17
    assert sum(r["cards"] for r in rows) > 100
    first = rows[0]
    assert {k: first[k] for k in ("id", "course", "week")} == {"id": "c1w1", "course": 1, "week": 1}
    assert first["new"] == first["cards"] and first["due"] == 0


def test_decks_with_a_broken_deck_lists_the_problem(write_deck, cli):
    path = write_deck("t.yaml", deck_text(ONE.replace("answer", "anser")))
    result = cli("decks")
    assert result.exit_code == 2
    assert f"{path}:7: unknown card key 'anser' (did you mean 'answer'?)" in result.stderr
    assert "Traceback" not in result.output


def test_show_renders_the_whole_card(write_deck, cli):
    write_deck("t.yaml", deck_text(ONE.replace("What is one?", "What is **one**?") + """\
    explain: Because it is.
    note: The notes said two.
    tags: [numbers]
    source: Counting
"""))
    result = cli("show", "t-one")
    assert result.exit_code == 0
    for text in ("t-one", "What is one?", "One.", "Because it is.", "The notes said two.", "numbers", "Counting"):
        assert text in result.stdout, text


def test_show_choice_card_lists_options_and_marks_the_answer(write_deck, cli):
    write_deck("t.yaml", deck_text("""\
  - id: t-choice
    kind: choice
    question: Which?
    options: [alpha, beta]
    answer: beta
"""))
    result = cli("show", "t-choice")
    assert result.exit_code == 0
    assert "A. alpha" in result.stdout and "B. beta" in result.stdout


def test_show_every_bundled_card(bundled, cli):
    from dlquiz.decks.collection import load_collection

    for card_id in load_collection().cards:
        result = cli("show", card_id)
        assert result.exit_code == 0, card_id
        assert card_id in result.stdout


def test_show_unknown_card_exits_1_with_close_matches(write_deck, cli):
    write_deck("t.yaml", deck_text(ONE))
    result = cli("show", "t-onw")
    assert result.exit_code == 1
    assert result.stderr == "unknown card 't-onw' (did you mean t-one?)\n"
    result = cli("show", "zzz")
    assert result.stderr == "unknown card 'zzz'\n"


def test_check_all_bundled_decks_passes(bundled, cli):
    result = cli("check")
    assert result.exit_code == 0, result.stderr
    summary, figures = result.stdout.splitlines()
    assert summary.startswith("17 decks, ") and summary.endswith("all good")
    assert figures.startswith("checked by code: ")


def test_check_exit_1_when_a_card_disagrees_with_its_reference(write_deck, cli):
    path = write_deck("t.yaml", deck_text(NUMERIC.format(answer=7500)))
    result = cli("check")
    assert result.exit_code == 1
    assert result.stderr == f"{path}:5: card 't-params': check gives 7600, but the answer is 7500\n"
    write_deck("t.yaml", deck_text(NUMERIC.format(answer=7600)))
    assert cli("check").exit_code == 0


def test_check_given_paths_only(write_deck, cli, tmp_path):
    good = write_deck("good.yaml", deck_text(ONE))
    write_deck("bad.yaml", "nonsense: [\n")
    assert cli("check", str(good)).exit_code == 0
    assert cli("check").exit_code == 2
    missing = tmp_path / "nope.yaml"
    result = cli("check", str(missing))
    assert result.exit_code == 2
    assert result.stderr == f"{missing}: no such file or directory\n"


def test_bad_now_is_a_clear_error(write_deck, cli, monkeypatch):
    write_deck("t.yaml", deck_text(ONE))
    monkeypatch.setenv("DLQUIZ_NOW", "yesterday")
    from dlquiz import paths

    with pytest.raises(Exception, match="DLQUIZ_NOW: invalid datetime 'yesterday'"):
        paths.now()


def test_every_command_has_help(cli):
    import typer.main

    from dlquiz.cli.app import app

    group = typer.main.get_command(app)
    for name in group.commands:
        result = cli(name, "--help")
        assert result.exit_code == 0, name
        assert "Usage" in result.stdout
        assert group.commands[name].help, name


def _groups():
    import typer.main

    from dlquiz.cli.app import app

    root = typer.main.get_command(app)
    yield (), root
    for name, command in root.commands.items():
        if hasattr(command, "commands"):
            yield (name,), command


@pytest.mark.parametrize("columns", ["50", "80", "120"])
def test_help_lists_each_command_with_a_whole_sentence(cli, monkeypatch, columns):
    """`dlquiz --help` never cuts a command's description mid-sentence (Click's `...`): each
    command's short help is its docstring's first line, one sentence, on one line at 80 columns."""
    monkeypatch.setenv("COLUMNS", columns)
    for path, group in _groups():
        shown = " ".join(cli(*path, "--help").stdout.split("Commands:", 1)[1].split())
        assert "..." not in shown
        for name, command in group.commands.items():
            first = command.help.strip().splitlines()[0]
            assert first.endswith(".") and first.count(". ") == 0, (name, first)
            assert len(first) <= 80 - 2 - 6 - 9, (name, first)  # Click's width, indents, a 9-letter name
            assert f"{name} {first}" in shown, (name, shown)


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("dlquiz ")


def test_help_imports_no_heavy_module():
    code = (
        "import sys, runpy\n"
        "sys.argv = ['dlquiz', '--help']\n"
        "try:\n"
        "    runpy.run_module('dlquiz', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sympy', 'numpy', 'genanki', 'markdown_it', 'mdit_py_plugins', 'nh3', 'yaml', 'dlquiz.decks.collection', 'dlquiz.decks.format',\n"
        "         'rich', 'pylatexenc', 'pygments', 'dlquiz.render.cards', 'dlquiz.render.markup', 'dlquiz.render.math.text', 'dlquiz.render.math.parse', 'fsrs')\n"
        "print(','.join(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, timeout=60)
    assert "Usage" in result.stdout
    assert result.stderr.strip().splitlines()[-1:] in ([], [""]), result.stderr


def test_python_m_dlquiz_runs(bundled):
    result = subprocess.run([sys.executable, "-m", "dlquiz", "decks", "--json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 17


@pytest.mark.parametrize("args", [["decks"], ["tags"], ["check"]])
def test_a_reader_that_stops_early_ends_the_command_quietly(bundled, args):
    """`dlquiz decks | head -1`: when the reader closes the pipe, dlquiz ends as a Unix filter does,
    by SIGPIPE, with nothing on stderr (no "Broken pipe", no traceback)."""
    proc = subprocess.Popen([sys.executable, "-m", "dlquiz", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before dlquiz writes a line
    with proc.stderr:
        error = proc.stderr.read()
    assert proc.wait(timeout=60) == -signal.SIGPIPE
    assert error == b""
