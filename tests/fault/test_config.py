"""config.toml under faults: every bad file is one line naming it, exit 2, for every command that reads it."""

from __future__ import annotations

import os

import pytest

from dlquiz import config


@pytest.fixture
def deck(write_deck):
    write_deck("t.yaml", "course: 1\nweek: 1\ntitle: T\ncards:\n  - id: t-1\n    question: Q?\n    answer: A.\n")


def _one_line(result, path, message):
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"{path}: {message}\n"


@pytest.mark.parametrize("nested", ["v = " + "[" * 10_000 + "]" * 10_000, "v = " + "{a = " * 10_000 + "1" + "}" * 10_000])
@pytest.mark.parametrize("command", [("review",), ("decks",), ("stats",)])
def test_a_deeply_nested_config_is_one_line(deck, isolated, cli, nested, command):
    path = isolated["home"] / "config.toml"
    path.write_text(nested + "\n", encoding="utf-8")
    _one_line(cli(*command), path, "invalid TOML: nested too deeply")


def test_a_byte_order_mark_is_accepted(isolated):
    (isolated["home"] / "config.toml").write_bytes("\ufeffnew_per_day = 3\n".encode())
    assert config.load(isolated["home"]).new_per_day == 3


def test_a_huge_unknown_key_is_cut_not_echoed(deck, isolated, cli):
    path = isolated["home"] / "config.toml"
    path.write_text("k" * 2**20 + " = 1\n", encoding="utf-8")
    _one_line(cli("decks"), path, "unknown setting 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…'")


def test_a_huge_value_is_cut_not_echoed(deck, isolated, cli):
    path = isolated["home"] / "config.toml"
    path.write_text(f"new_per_day = '{'9' * 100_000}'\n", encoding="utf-8")
    _one_line(cli("decks"), path, "new_per_day must be a whole number from 0 to 100000, not '999999999999999999999999999999999999999…'")


def test_a_config_that_is_not_a_file_is_refused_without_reading_it(deck, isolated, cli):
    path = isolated["home"] / "config.toml"
    os.mkfifo(path)  # (reading it would block)
    _one_line(cli("decks"), path, "not a config file (a regular file of at most 16 MB)")
