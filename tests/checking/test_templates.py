"""Parametric cards: deterministic draws, worked solutions that agree with the reference
implementations, strict validation of template keys with path:line errors, and `dlquiz check`
drawing every template card a hundred times."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from dlquiz.checking import answers, checks
from dlquiz.checking.templates import catalog as templates
from dlquiz.checking.templates.catalog import Drawn, Param, Template
from dlquiz.decks.collection import load_collection
from dlquiz.decks.files import discover
from dlquiz.model import Card
from dlquiz.paths import bundled_cards_dir

BUNDLED = load_collection(paths=discover([bundled_cards_dir()]), cache=False)
TEMPLATE_CARDS = [card for card in BUNDLED.cards.values() if card.template]


def card_for(name: str, params: dict | None = None, card_id: str = "t-drill") -> Card:
    return Card(id=card_id, deck="t", kind="basic", question="q", answer="a", template=name, params=params or {})


def deck(*cards: str) -> str:
    return "course: 4\nweek: 1\ntitle: T\ncards:\n" + "".join(cards)


# --- drawing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(templates.registry()))
def test_every_template_draws_checkable_cards_that_hold(name):
    card = card_for(name)
    drawn = templates.instantiate(card, 0)
    assert drawn.kind in answers.CHECKABLE and drawn.kind == templates.registry()[name].kind
    assert drawn.question and drawn.explain and drawn.template == name
    assert answers.checkable(drawn)
    assert checks.template_problem(card, draws=50) is None


def test_the_worked_solution_shows_the_drawn_numbers():
    card = card_for("conv_output_size", {"n": (32,), "f": (5,), "pad": (1,), "stride": (2,)})
    drawn = templates.instantiate(card, 0)
    assert drawn.question == (
        "A 32×32 input is convolved with a 5×5 filter, padding p = 1 and stride s = 2. "
        "What is the height (and width) of the output?"
    )
    assert drawn.answer == 15
    assert drawn.explain.startswith("⌊(n + 2p − f) / s⌋ + 1 = ⌊(32 + 2·1 − 5) / 2⌋ + 1 = 15\n\n")


def test_draws_are_fixed_by_card_id_and_number_in_every_process():
    card = card_for("iou", card_id="c4w3-iou-drill")
    first = templates.instantiate(card, 7)
    assert templates.instantiate(card, 7) == first  # undo shows the same card
    code = (
        "from dlquiz.checking.templates import catalog as templates; from dlquiz.model import Card\n"
        "card = Card(id='c4w3-iou-drill', deck='t', kind='basic', question='q', answer='a', template='iou', params={})\n"
        "print(templates.instantiate(card, 7).question)"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "12345", "PATH": ""})
    assert other.stdout.strip() == first.question
    questions = {templates.instantiate(card, n).question for n in range(20)}
    assert len(questions) >= 15  # each review has its own numbers
    other_card = card_for("iou", card_id="c4w3-iou-drill-2")
    assert templates.instantiate(other_card, 7).question != first.question


def test_a_golden_draw_pins_the_seeding():
    # sha256("c4w1-output-size-drill#0") seeds random.Random: a change here changes every learner's cards
    card = next(c for c in TEMPLATE_CARDS if c.id == "c4w1-output-size-drill")
    assert templates.instantiate(card, 0).question == (
        "A 34×34 input is convolved with a 5×5 filter, padding p = 0 and stride s = 3. "
        "What is the height (and width) of the output?"
    )


def test_a_card_that_is_not_a_template_is_returned_unchanged():
    card = BUNDLED.cards["c4w1-conv-layer-params"]
    assert templates.instantiate(card, 3) is card


def test_params_narrow_what_is_drawn():
    card = card_for("conv_output_size", {"n": "30..32", "f": (3,), "pad": (1,), "stride": (1,)})
    assert {templates.instantiate(card, n).answer for n in range(40)} == {30, 31, 32}
    steps = templates.Steps("0.80", "0.99")
    assert len(steps) == 20 and steps[0] == 0.8 and steps[-1] == 0.99 and 0.85 in list(steps)


def test_the_nms_card_is_a_choice_with_several_answers():
    card = next(c for c in TEMPLATE_CARDS if c.template == "nms_kept")
    drawn = templates.instantiate(card, 0)
    assert drawn.kind == "choice" and isinstance(drawn.answer, tuple) and len(drawn.answer) >= 2
    numbers = ", ".join(str(drawn.options.index(box) + 1) for box in drawn.answer)
    assert answers.check_card(drawn, numbers) == answers.Verdict(True, "correct")
    assert not answers.check_card(drawn, numbers.split(",")[0]).correct


def test_a_drawn_card_is_checked_like_any_other():
    card = next(c for c in TEMPLATE_CARDS if c.template == "conv_param_count")
    drawn = templates.instantiate(card, 1)
    wrong = drawn.answer + 1
    assert answers.check_card(drawn, f"{wrong:,}") == answers.Verdict(False, f"{wrong:,} is not {drawn.answer:,}")


# --- the bundled decks -------------------------------------------------------------------------


def test_at_least_fifteen_template_cards_in_the_weeks_they_belong_to():
    where = {card.template: card.deck for card in TEMPLATE_CARDS}
    assert len(TEMPLATE_CARDS) >= 15
    assert where == {
        "dense_shapes": "c1w2", "keepdims_shape": "c1w3", "ewa_bias_corrected": "c2w2", "adam_step": "c2w2",
        "lr_decay": "c2w2", "conv_output_size": "c4w1", "conv_param_count": "c4w1", "pool_output_shape": "c4w1",
        "same_padding": "c4w1", "mobilenet_v2_bottleneck_params": "c4w2", "yolo_output_shape": "c4w3",
        "iou": "c4w3", "nms_kept": "c4w3", "conv_transpose_output_size": "c4w3", "gram_entry": "c4w4",
        "triplet_loss": "c4w4", "rnn_param_count": "c5w1", "gru_param_count": "c5w1", "lstm_param_count": "c5w1",
        "attention_weight": "c5w3", "positional_encoding_value": "c5w4",
    }


def test_an_undrawn_template_card_reads_as_its_general_form(bundled, cli):
    card = next(c for c in TEMPLATE_CARDS if c.template == "conv_output_size")
    assert card.kind == "basic"
    assert card.answer == r"$\left\lfloor \frac{n + 2p - f}{s} \right\rfloor + 1$"
    assert card.explain.endswith("(A template card: every review draws new numbers.)")
    result = cli("show", card.id)
    assert result.exit_code == 0, result.stderr
    assert "The output size of a convolution" in result.stdout


def test_check_draws_every_template_card(bundled, cli):
    result = cli("check")
    assert result.exit_code == 0, result.stderr
    report = checks.run(BUNDLED, TEMPLATE_CARDS[:2])
    assert report.templates == 2 and not report.problems


def test_the_deck_cache_keeps_template_params(write_deck, monkeypatch):
    write_deck("t.yaml", deck("""\
  - id: t-drill
    template: conv_output_size
    params: {n: 30..32, f: [3], pad: 1, stride: 1}
    source: s
"""))
    first = load_collection().cards["t-drill"]
    again = load_collection().cards["t-drill"]  # served from $DLQUIZ_HOME/cache this time
    assert first.params == again.params == {"n": "30..32", "f": (3,), "pad": (1,), "stride": (1,)}
    assert templates.instantiate(first, 4) == templates.instantiate(again, 4)


# --- dlquiz check finds broken templates ---------------------------------------------------------


def test_params_that_never_give_a_problem_fail_check(write_deck, cli):
    path = write_deck("t.yaml", deck("""\
  - id: t-drill
    template: conv_output_size
    params: {n: 2, f: 7, pad: 0}
"""))
    result = cli("check")
    assert result.exit_code == 1
    assert result.stderr == (f"{path}:5: card 't-drill': template 'conv_output_size', draw 0: its params give no "
                             "valid conv_output_size problem in 100 tries\n")


def _broken(closed_offset: int = 0, tolerance: float | None = None) -> Template:
    """A template asking for 1/3 whose worked solution or tolerance is wrong."""

    def build(values: dict, rng: random.Random) -> Drawn:
        return Drawn("What is 1/3?", 1 / 3, ("1/3",), f"1/3 + {closed_offset}")

    return Template("broken", "numeric", "1/3", "1/3", "why", (Param("n", (1,), minimum=1, maximum=1),), build, None, tolerance)


@pytest.mark.parametrize("template, details", [
    (_broken(closed_offset=1), "the worked solution gives 1.3333333333333333, but the answer is 0.3333333333333333"),
    (_broken(tolerance=1e-12), "the answer typed as '0.3333' is refused (0.3333 is not 0.33333)"),
])
def test_a_template_that_disagrees_with_itself_fails_check(write_deck, cli, monkeypatch, template, details):
    monkeypatch.setitem(templates.TEMPLATES, "broken", template)
    path = write_deck("t.yaml", deck("""\
  - id: t-broken
    template: broken
"""))
    result = cli("check")
    assert result.exit_code == 1
    assert result.stderr == f"{path}:5: card 't-broken': template 'broken', draw 0: {details}\n"


# --- validation of template keys ---------------------------------------------------------------


@pytest.mark.parametrize("card, errors", [
    ("""\
  - id: t-drill
    template: conv_outptu_size
""", ["{path}:6: unknown template 'conv_outptu_size' (did you mean 'conv_output_size'?)"]),
    ("""\
  - id: t-drill
    template: conv_output_size
    params:
      n: 8..64
      strid: 2
""", ["{path}:9: unknown param 'strid' of template 'conv_output_size' (did you mean 'stride'?) (its params: n, f, pad, stride)"]),
    ("""\
  - id: t-drill
    template: conv_output_size
    params: {n: 64..8, f: 2.5, pad: -1, stride: '1.5..2'}
""", ["{path}:7: param 'n' must be a range from low to high, not '64..8'",
      "{path}:7: param 'f' must be a whole number (or a list, or a range like 8..64), not 2.5",
      "{path}:7: param 'pad' must be at least 0, not -1",
      "{path}:7: param 'stride' must be a range of whole numbers like 8..64, not '1.5..2'"]),
    ("""\
  - id: t-drill
    template: pool_output_shape
    params:
      mode: mean
      f: []
    tolerance: 0.1
""", ["{path}:8: param 'mode' must be one of max, average, not 'mean'",
      "{path}:9: param 'f' must be an empty list",
      "{path}:10: 'tolerance' is only for numeric templates ('pool_output_shape' asks for a shape)"]),
    ("""\
  - id: t-drill
    template: iou
    kind: numeric
    question: What is the IoU?
    answer: 0.5
    explain: Because.
    params: [1, 2]
""", ["{path}:7: 'kind' comes from the template; remove it",
      "{path}:8: 'question' comes from the template; remove it",
      "{path}:9: 'answer' comes from the template; remove it",
      "{path}:10: 'explain' comes from the template; remove it",
      "{path}:11: 'params' must be a mapping like {{n: 8..64, f: [3, 5]}}"]),
    ("""\
  - id: t-drill
    question: q
    answer: a
    params: {n: 8}
""", ["{path}:8: 'params' is only for template cards (with 'template:')"]),
    ("""\
  - id: t-drill
    tempalte: iou
    question: q
    answer: a
""", ["{path}:6: unknown card key 'tempalte' (did you mean 'template'?)"]),
    ("""\
  - id: t-drill
    template: lr_decay
    tolerance: 0
    tags: not a list
""", ["{path}:7: 'tolerance' must be a positive number", "{path}:8: 'tags' must be a list of words without spaces"]),
])
def test_template_keys_are_validated_with_path_and_line(write_deck, cli, card, errors):
    path = write_deck("t.yaml", deck(card))
    result = cli("check")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [e.format(path=path) for e in errors]


def test_a_valid_template_card_with_a_tolerance_loads(write_deck, cli):
    write_deck("t.yaml", deck("""\
  - id: t-drill
    template: lr_decay
    params: {alpha0: 0.10..0.30, epoch: [1, 2, 3]}
    tolerance: 0.01
    note: the notes had something else
    tags: [drill]
"""))
    result = cli("check")
    assert result.exit_code == 0, result.stderr
    card = load_collection().cards["t-drill"]
    drawn = templates.instantiate(card, 0)
    assert drawn.tolerance == 0.01 and drawn.note == "the notes had something else" and drawn.tags == ("drill",)
    assert 0.1 <= float(drawn.question.split("α₀ = ")[1].split(",")[0]) <= 0.3


# --- bounds: every draw small in time and memory ---------------------------------------------------


@pytest.mark.parametrize("name", sorted(templates.registry()))
def test_every_number_parameter_declares_bounds_that_hold_its_defaults(name):
    for param in templates.registry()[name].params:
        if param.kind in (int, float):
            assert param.minimum is not None and param.maximum is not None, param.name
            assert all(param.minimum <= value <= param.maximum for value in param.default), param.name
    with pytest.raises(TypeError, match="must declare its minimum and maximum"):
        Param("x", (1, 2), minimum=1)


def _extremes(template: Template) -> list[dict]:
    """Cards' params at the bounds: each number alone at its minimum and its maximum, then all of
    them at their minimum and all at their maximum."""
    numbers = [p for p in template.params if p.kind in (int, float)]
    single = [{p.name: (end,)} for p in numbers for end in (p.minimum, p.maximum)]
    return [{}, *single, {p.name: (p.minimum,) for p in numbers}, {p.name: (p.maximum,) for p in numbers}]


@pytest.mark.parametrize("name", sorted(templates.registry()))
def test_a_draw_within_the_bounds_is_small_in_time_and_memory(name):
    import time
    import tracemalloc

    for params in _extremes(templates.registry()[name]):
        card = card_for(name, params)
        for number in range(3):
            tracemalloc.start()  # (NumPy reports its arrays to tracemalloc)
            started = time.perf_counter()
            try:
                templates.draw(card, number)
            except templates.TemplateError:  # a corner no problem fits: `dlquiz check` reports it
                pass
            finally:
                elapsed, peak = time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            assert elapsed < 1.0 and peak < 32 * 2**20, (params, elapsed, peak)


@pytest.mark.parametrize("params, message", [
    ("{pos: 1000000000}", "param 'pos' must be at most 1000, not 1000000000"),
    ("{d_model: 2..100000}", "param 'd_model' must be at most 512, not 100000"),
    ("{pos: 1..99999999999999999999}", "param 'pos' must be a whole number (or a list, or a range like 8..64), not '1..99999999999999999999'"),
    ("{pos: [1, 2, 3000]}", "param 'pos' must be at most 1000, not 3000"),
    ("{pos: 5..1}", "param 'pos' must be a range from low to high, not '5..1'"),
])
def test_params_beyond_the_bounds_are_refused_where_they_stand(write_deck, cli, params, message):
    path = write_deck("t.yaml", deck(f"  - id: t-drill\n    template: positional_encoding_value\n    params: {params}\n"))
    result = cli("decks")
    assert (result.exit_code, result.stderr) == (2, f"{path}:7: {message}\n")


def test_a_card_whose_params_never_fit_is_one_line_in_review_not_a_traceback(write_deck, cli):
    path = write_deck("t.yaml", deck("  - id: t-drill\n    template: keepdims_shape\n    params: {rows: 5, cols: 5}\n"))
    result = cli("review", input="q\n")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"{path}:5: card 't-drill' cannot be drawn: its params give no valid keepdims_shape problem "
                             "in 100 tries (see dlquiz check)\n")
