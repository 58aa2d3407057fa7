"""bench/report.py (how every benchmark reports) and bench/run_all.py (one table of them all),
the latter on a folder of tiny fake bench scripts: the real benchmarks take minutes."""

from __future__ import annotations

import argparse
import ast
import json
import sys
import textwrap
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
import report  # noqa: E402
import run_all  # noqa: E402
from report import Row  # noqa: E402


def test_ratio_is_value_over_baseline_when_both_are_known():
    assert Row("x", 3.0, 2.0).ratio == 1.5
    assert Row("x", 3.0).ratio is None
    assert Row("x", 3.0, 0.0).ratio is None
    assert Row("x", None, 2.0).ratio is None


@pytest.mark.parametrize(("row", "ok"), [
    (Row("x", 1.5, 1.0, max_ratio=1.5), True),
    (Row("x", 1.51, 1.0, max_ratio=1.5), False),
    (Row("x", 0.3, max_value=0.3), True),
    (Row("x", 0.31, max_value=0.3), False),
    (Row("x", 0.9, 0.1, max_ratio=10, max_value=1), True),
    (Row("x", 0.9, 0.1, max_ratio=5, max_value=1), False),  # one of two targets missed
    (Row("x", 1.1, 1.0, max_ratio=5, max_value=1), False),
    (Row("x", 0.9, max_ratio=2), False),  # a ratio target with nothing to divide by
    (Row("x", 0.9, 0.1, note="reported"), None),  # no target
    (Row("x", None, max_value=1, note="anki not installed: skipped"), None),  # skipped
])
def test_ok_says_whether_every_target_is_met(row, ok):
    assert row.ok is ok


@pytest.mark.parametrize(("row", "target"), [
    (Row("x", 1, 1, max_ratio=1.5), "<= 1.5x"),
    (Row("x", 1, 1, max_ratio=2.0), "<= 2x"),
    (Row("x", 1, max_value=0.3), "<= 0.3 s"),
    (Row("x", 1, max_value=1.0), "<= 1 s"),
    (Row("x", 1, max_value=0.002), "<= 2 ms"),
    (Row("x", 1, max_value=5e-5), "<= 50 µs"),
    (Row("x", 1, unit="MB", max_value=150), "<= 150 MB"),
    (Row("x", 1, 1, max_ratio=3, max_value=0.3), "<= 3x and <= 0.3 s"),
    (Row("x", 1, 1, note="reported"), "reported"),
    (Row("x", 1, 1, max_ratio=3, note="CPU 2 ms"), "<= 3x"),
    (Row("x", 1), ""),
])
def test_target_is_the_target_as_text_else_the_note(row, target):
    assert row.target == target


@pytest.mark.parametrize(("value", "unit", "text"), [
    (6.38, "s", "6.38 s"), (12.345, "s", "12.3 s"), (1234.5, "s", "1,234 s"), (0.172, "s", "172 ms"),
    (0.0016, "s", "1.60 ms"), (25.5e-6, "s", "25.5 µs"), (4e-7, "s", "0.40 µs"), (0.0, "s", "0.00 s"),
    (123.4, "MB", "123 MB"), (None, "s", ""),
])
def test_values_are_printed_in_a_unit_that_suits_their_size(value, unit, text):
    assert report.format_value(value, unit) == text


def test_a_row_survives_its_json_form():
    row = Row("x", 0.5, 1.0, unit="s", max_ratio=1.5, note="n")
    data = json.loads(json.dumps(row.to_dict()))
    assert data == {"name": "x", "value": 0.5, "baseline": 1.0, "unit": "s", "max_ratio": 1.5, "max_value": None,
                    "note": "n", "ratio": 0.5, "ok": True, "target": "<= 1.5x"}
    assert Row.from_dict(data) == row


ROWS = [
    Row("load 50,000 cards vs bare CSafeLoader", 6.15, 6.38, max_ratio=1.3),
    Row("grade + next card, median", 0.0031, max_value=0.002),
    Row("stats + render", 0.359, 0.107, max_value=1.0, note="CPU 312 ms"),
    Row("Anki's scheduler, per answer", None, note="anki not installed: skipped"),
    Row("peak memory", 123.4, unit="MB", max_value=150),
]


def test_report_prints_a_fixed_width_table(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["bench_x.py"])
    report.report(ROWS, "a title")
    assert capsys.readouterr().out == textwrap.dedent("""\
        a title
        benchmark                              baseline   dlquiz  ratio  target                       ok
        load 50,000 cards vs bare CSafeLoader    6.38 s   6.15 s   0.96  <= 1.3x                      ok
        grade + next card, median                        3.10 ms         <= 2 ms                      MISSED
        stats + render                           107 ms   359 ms   3.36  <= 1 s                       ok      CPU 312 ms
        Anki's scheduler, per answer                                     anki not installed: skipped
        peak memory                                       123 MB         <= 150 MB                    ok
        """)
    assert report.summary(ROWS) == "targets: 3 met, 1 missed"


def test_report_with_json_prints_one_line_of_rows(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["bench_x.py", "--json"])
    report.report(ROWS, "a title")
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    data = json.loads(out)
    assert data == [row.to_dict() for row in ROWS]
    assert [(d["ok"], d["target"]) for d in data] == [
        (True, "<= 1.3x"), (False, "<= 2 ms"), (True, "<= 1 s"), (None, "anki not installed: skipped"), (True, "<= 150 MB")]


def test_add_json_flag_adds_an_off_by_default_option():
    parser = argparse.ArgumentParser()
    report.add_json_flag(parser)
    assert parser.parse_args([]).json is False
    assert parser.parse_args(["--json"]).json is True


FAKES = {
    "bench_good.py": """
        import os
        from report import Row, report
        env = {k: os.environ.get(k) for k in ("DLQUIZ_HOME", "DLQUIZ_CARDS", "DLQUIZ_NOW")}
        report([Row("fast vs slow", 0.5, 1.0, max_ratio=1.5), Row("the env", 0.25, note=repr(env))])
    """,
    "bench_bad.py": """
        from report import Row, report
        raise RuntimeError("boom: the collection is gone")
    """,
    "bench_missed.py": """
        from report import Row, report
        report([Row("too slow", 0.004, max_value=0.002)])
    """,
    "bench_noise.py": """
        print("no rows here")
    """,
    "helper.py": """
        raise SystemExit("helper.py is not a bench and must not run")
    """,
}


@pytest.fixture
def fake_benches(tmp_path):
    """A bench folder of fake scripts that import the real bench/report.py."""
    for name, body in FAKES.items():
        text = f"import sys\nsys.path.insert(0, {str(BENCH)!r})\n" + textwrap.dedent(body)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_run_all_prints_one_table_with_failed_benches_and_exits_1(fake_benches, capsys):
    assert run_all.main(["--dir", str(fake_benches)]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].split() == ["script", "benchmark", "baseline", "dlquiz", "ratio", "target", "ok"]
    assert [line.split("  ")[0] for line in lines[1:6]] == [
        "bench_bad.py", "bench_good.py", "bench_good.py", "bench_missed.py", "bench_noise.py"]
    assert lines[1].split() == ["bench_bad.py", "bench", "failed", "(exit", "1)", "FAILED",
                                "RuntimeError:", "boom:", "the", "collection", "is", "gone"]
    assert lines[2].split() == ["bench_good.py", "fast", "vs", "slow", "1.00", "s", "500", "ms", "0.50", "<=", "1.5x", "ok"]
    assert lines[4].split() == ["bench_missed.py", "too", "slow", "4.00", "ms", "<=", "2", "ms", "MISSED"]
    assert lines[5].split() == ["bench_noise.py", "bench", "failed", "(output", "is", "not", "JSON", "rows)", "FAILED",
                                "(nothing", "on", "stderr)"]
    assert lines[6:] == ["", "targets: 1 met, 1 missed; bench scripts: 2 of 4 failed"]
    assert "helper.py" not in captured.out + captured.err
    assert "[1/4] bench_bad.py ... FAILED in" in captured.err


def test_run_all_gives_each_bench_a_fresh_home_and_no_deck_dir_or_clock(fake_benches, capsys, isolated):
    assert run_all.main(["--dir", str(fake_benches), "--only", "good", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["script"], d["name"], d["ok"]) for d in data] == [
        ("bench_good.py", "fast vs slow", True), ("bench_good.py", "the env", None)]
    env = ast.literal_eval(data[1]["note"])  # the fake bench's repr() of its environment
    assert env["DLQUIZ_CARDS"] is None and env["DLQUIZ_NOW"] is None
    assert Path(env["DLQUIZ_HOME"]).name.startswith("dlquiz-bench-")
    assert Path(env["DLQUIZ_HOME"]) != isolated["home"]
    assert not Path(env["DLQUIZ_HOME"]).exists()  # removed once the bench is done


def test_run_all_json_reports_failed_benches_with_their_error(fake_benches, capsys):
    assert run_all.main(["--dir", str(fake_benches), "--only", "bad", "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {"script": "bench_bad.py", "error": "exit 1", "detail": "RuntimeError: boom: the collection is gone"}]


def test_run_all_rejects_a_filter_that_matches_nothing(fake_benches, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_all.main(["--dir", str(fake_benches), "--only", "nothing"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.endswith(f"error: no bench_*.py in {fake_benches} matches 'nothing'\n")


def test_run_all_quick_passes_quick_to_the_benches_that_take_it(tmp_path, capsys):
    taking = """
        import argparse
        from report import Row, add_json_flag, report
        parser = argparse.ArgumentParser()
        parser.add_argument("--quick", action="store_true")
        add_json_flag(parser)
        report([Row("quick" if parser.parse_args().quick else "full", 1.0, note="reported")])
    """
    plain = """
        import sys
        from report import Row, report
        report([Row(" ".join(sys.argv[1:]), 1.0, note="reported")])
    """
    for name, body in (("bench_a.py", taking), ("bench_b.py", plain)):
        (tmp_path / name).write_text(f"import sys\nsys.path.insert(0, {str(BENCH)!r})\n" + textwrap.dedent(body),
                                     encoding="utf-8")
    for flags, names in (([], ["full", "--json"]), (["--quick"], ["quick", "--json"])):
        assert run_all.main(["--dir", str(tmp_path), "--json", *flags]) == 0
        assert [row["name"] for row in json.loads(capsys.readouterr().out)] == names
