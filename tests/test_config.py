"""config.toml: the scheduler's settings are checked as they are read, and `fsrs_parameters` is
written back (by `dlquiz optimize`) without losing any other setting or comment."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlquiz import config
from dlquiz.errors import UsageError

FITTED = [round(0.1 + i / 7, 4) for i in range(21)]


def write(home, text: str):
    (home / config.FILENAME).write_text(text, encoding="utf-8")


def test_the_scheduler_settings_default_to_sm2_and_py_fsrs_own(tmp_path):
    cfg = config.load(tmp_path)
    assert (cfg.scheduler, cfg.desired_retention, cfg.fsrs_parameters, cfg.fuzz) == ("sm2", 0.9, None, False)


def test_the_scheduler_settings_are_read(tmp_path):
    write(tmp_path, f'scheduler = "fsrs"\ndesired_retention = 0.85\nfuzz = true\nfsrs_parameters = {FITTED}\n')
    cfg = config.load(tmp_path)
    assert (cfg.scheduler, cfg.desired_retention, cfg.fsrs_parameters, cfg.fuzz) == ("fsrs", 0.85, tuple(FITTED), True)


@pytest.mark.parametrize("text, message", [
    ('scheduler = "anki"\n', "scheduler must be one of 'sm2', 'fsrs', not 'anki'"),
    ("desired_retention = 0.5\n", "desired_retention must be a number from 0.7 to 0.99, not 0.5"),
    ("desired_retention = true\n", "desired_retention must be a number from 0.7 to 0.99, not True"),
    ('fuzz = "yes"\n', "fuzz must be true or false, not 'yes'"),
    ("fsrs_parameters = [1.0, 2.0]\n", "fsrs_parameters must be a list of 21 numbers"),
    ("fsrs_parameters = " + str([1.0] * 20 + ["x"]).replace("'", '"') + "\n", "fsrs_parameters must all be finite numbers"),
    ("fsrs_parameters = " + str([1.0] * 20).rstrip("]") + ", nan]\n", "fsrs_parameters must all be finite numbers"),
    ("fsrs_parameters = " + str([1.0] * 20).rstrip("]") + ", inf]\n", "fsrs_parameters must all be finite numbers"),
])
def test_a_bad_scheduler_setting_is_one_clear_line(tmp_path, text, message):
    write(tmp_path, text)
    with pytest.raises(UsageError) as error:
        config.load(tmp_path)
    assert str(error.value).startswith(f"{tmp_path / config.FILENAME}: {message}")


def test_writing_parameters_keeps_every_other_line(tmp_path):
    text = ("# my settings\nnew_per_day = 30  # more\n\nfsrs_parameters = [\n  1.0, 2.0,  # first two\n"
            "  3.0,\n]  # fitted in May\nscheduler = \"fsrs\"\n")
    write(tmp_path, text)
    config.write_fsrs_parameters(tmp_path, FITTED)
    after = (tmp_path / config.FILENAME).read_text(encoding="utf-8")
    assert after == ("# my settings\nnew_per_day = 30  # more\n\nfsrs_parameters = " + str(FITTED) +
                     "  # fitted in May\nscheduler = \"fsrs\"\n")
    assert config.load(tmp_path).fsrs_parameters == tuple(FITTED)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_writing_parameters_creates_or_appends(tmp_path):
    config.write_fsrs_parameters(tmp_path, FITTED)
    assert (tmp_path / config.FILENAME).read_text() == f"fsrs_parameters = {FITTED}\n"
    write(tmp_path, "new_per_day = 3")  # no final newline
    config.write_fsrs_parameters(tmp_path, FITTED)
    assert (tmp_path / config.FILENAME).read_text() == f"new_per_day = 3\nfsrs_parameters = {FITTED}\n"


def test_an_invalid_config_is_not_written(tmp_path):
    write(tmp_path, "new_per_dy = 3\n")
    with pytest.raises(UsageError, match="unknown setting"):
        config.write_fsrs_parameters(tmp_path, FITTED)
    assert (tmp_path / config.FILENAME).read_text() == "new_per_dy = 3\n"


SETTINGS = {"new_per_day": st.integers(0, 100), "rollover_hour": st.integers(0, 23), "fuzz": st.booleans(),
            "desired_retention": st.sampled_from([0.8, 0.9, 0.95]), "scheduler": st.sampled_from(["sm2", "fsrs"]),
            "fsrs_parameters": st.just([float(i + 1) for i in range(21)])}
COMMENTS = st.sampled_from(["", "# a note", "# fsrs_parameters = [1, 2]", "#]", "   "])


def _toml(value) -> str:
    return str(value).lower() if isinstance(value, bool) else f'"{value}"' if isinstance(value, str) else str(value)


@st.composite
def config_files(draw):
    """Real-looking config files: some settings in any order, comments and blank lines between and
    after them, the parameter list on one line or spread over several with comments."""
    keys = draw(st.lists(st.sampled_from(sorted(SETTINGS)), unique=True))
    lines = []
    for key in keys:
        lines.append(draw(COMMENTS))
        value = draw(SETTINGS[key])
        if key == "fsrs_parameters" and draw(st.booleans()):
            lines.append("fsrs_parameters = [  # spread out\n" + ",\n".join(f"  {v}" for v in value) + ",\n]")
        else:
            lines.append(f"{key} = {_toml(value)}" + draw(st.sampled_from(["", "  # why"])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n# end\n"]))


@settings(max_examples=200, deadline=None)
@given(text=config_files())
def test_writing_parameters_into_any_config_changes_that_setting_only(tmp_path_factory, text):
    home = tmp_path_factory.mktemp("home")
    write(home, text)
    config.write_fsrs_parameters(home, FITTED)
    after = (home / config.FILENAME).read_text(encoding="utf-8")
    old, new = tomllib.loads(text), tomllib.loads(after)
    assert new.pop("fsrs_parameters") == FITTED
    old.pop("fsrs_parameters", None)
    assert new == old
    kept = [line for line in text.splitlines() if line.lstrip().startswith("#") and "spread out" not in line]
    assert all(line in after.splitlines() for line in kept)


def test_parameters_out_of_py_fsrs_bounds_are_one_line_and_exit_2(isolated, cli):
    import fsrs

    params = list(fsrs.scheduler.DEFAULT_PARAMETERS)
    params[3] = 200.0  # S0(Easy) above py-fsrs's bound of 100 days
    write(isolated["home"], f'scheduler = "fsrs"\nfsrs_parameters = {params}\n')
    result = cli("decks")
    assert result.exit_code == 2
    assert result.stderr == "fsrs_parameters in config.toml: parameters[3] = 200.0 is out of bounds: (0.001, 100.0)\n"
