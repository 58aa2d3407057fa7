"""`dlquiz stats` as pictures: Rich renderables for a `dlquiz.stats.Stats`, 80 columns wide.

Every chart is drawn with characters that read without colour (shades ░▒▓█ for the calendar and
the card states, eighth blocks for bars), so the screen means the same under NO_COLOR, in a pipe
or in a test snapshot; colour only adds emphasis. `view(stats)` is the whole screen;
`session_footer(store, day, config)` is the compact version for the end of a review session.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from dlquiz.config import Config
from dlquiz.render.words import plural
from dlquiz.review.store import Store
from dlquiz.stats.day import DaySummary, day_summary
from dlquiz.stats.memory import DIFFICULTY_LABELS, RETRIEVABILITY_LABELS
from dlquiz.stats.numbers import (
    CALENDAR_DAYS,
    EF_BUCKETS,
    FORECAST_DAYS,
    INTERVAL_BUCKETS,
    MATURE_DAYS,
    PASS_GRADE,
    RETENTION_DAYS,
    TIME_DAYS,
    Retention,
    Stats,
    Tally,
)

if TYPE_CHECKING:  # the comparison imports fsrs: not at the end of every SM-2 session
    from dlquiz.stats.schedulers import Comparison

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SHADES = "·░▒▓█"  # no answers, then four levels up to the busiest day of the year
HEAT = ("grey35", "#0e4429", "#006d32", "#26a641", "#39d353")
EIGHTHS = " ▁▂▃▄▅▆▇█"  # vertical bars, from the bottom
PARTIAL = " ▏▎▍▌▋▊▉"  # horizontal bars, from the left
TITLE = "bold cyan"
LABEL_WIDTH = 32  # retention: the course-week label, then three columns of 16
STATES = (("new", "░", "grey62"), ("learning", "▒", "red"), ("young", "▓", "green"), ("mature", "█", "green4"))
INTERVAL_LABELS = ("1d", "2-3d", "4-6d", "1-2w", "2-3w", "3-4w", "1-2mo", "2-3mo", "3-6mo", "6-12mo", "1-2y", "2y+")
assert len(INTERVAL_LABELS) == len(INTERVAL_BUCKETS)


# ---------------------------------------------------------------------------------------------
# small formatters


def _n(count: int) -> str:
    return f"{count:,}"


def _pct(tally: Tally) -> str:
    return "—" if tally.rate is None else f"{100 * tally.rate:.1f}%"


def duration(ms: int) -> str:
    """A time span for people: 45s, 12m 05s, 3h 07m."""
    seconds = round(ms / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def _average(value: float) -> str:
    return f"{value:.1f}" if value < 10 else _n(round(value))


def _short_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def _title(text: str, detail: str = "") -> Text:
    title = Text(text, style=TITLE)
    if detail:
        title.append(f" · {detail}", style="dim")
    return title


# ---------------------------------------------------------------------------------------------
# charts


def _hbar(value: int, peak: int, width: int) -> str:
    """A horizontal bar of `value` out of `peak` in `width` cells, to an eighth of a cell."""
    eighths = round(8 * width * value / peak) if peak else 0
    eighths = max(eighths, 1) if value else 0  # a non-zero count always shows
    full, part = divmod(eighths, 8)
    return ("█" * full + (PARTIAL[part] if part else "")).ljust(width)


def _columns(values: list[float], labels: dict[int, str], top: str, height: int = 6, style: str = "cyan") -> Text:
    """Vertical bars, one per value (a bar and a gap each), `top` labelling the tallest, and
    `labels` (by index) under the x axis."""
    peak = max(values, default=0)
    units = [0 if not v else max(1, round(8 * height * v / peak)) for v in values]
    text = Text()
    for row in range(height, 0, -1):
        axis = top if row == height else ""
        text.append(f"{axis:>6} │", style="dim")
        for unit in units:
            level = min(8, max(0, unit - 8 * (row - 1)))
            text.append(EIGHTHS[level], style=style)
            text.append(" ")
        text.rstrip()
        text.append("\n")
    text.append(f"{'0':>6} └" + "─" * (2 * len(values)) + "\n", style="dim")
    line = [" "] * (8 + 2 * len(values) + 8)
    for index, label in labels.items():
        start = 8 + 2 * index
        line[start:start + len(label)] = label
    text.append("".join(line).rstrip(), style="dim")
    return text


def calendar(stats: Stats) -> Text:
    """The last 365 days, one cell a day (weeks as columns, Monday on top), shaded by answers,
    with the streak and totals on the right."""
    start, today = stats.calendar_start, stats.today
    first = start - timedelta(days=start.weekday())
    weeks = (today - first).days // 7 + 1
    counts = {d.day: d.answers for d in stats.days}
    peak = max(counts.values(), default=0)
    months = [" "] * weeks
    starts = []  # (week, month) of each first of a month in the window
    for week in range(weeks):
        monday = first + timedelta(days=7 * week)
        starts += [(week, d.month) for d in (monday + timedelta(days=i) for i in range(7)) if d.day == 1 and start <= d <= today]
    if not starts or starts[0][0] >= 4:  # name the first month too, where it has room
        starts.insert(0, (0, start.month))
    free = 0
    for week, month in starts:
        if week >= free and week + 3 <= weeks:
            months[week:week + 3] = MONTHS[month - 1]
            free = week + 4
    studied = len(stats.days)
    answers = sum(counts.values())
    side = [
        "",
        f"streak {_n(stats.streak)} day{'s' if stats.streak != 1 else ''}",
        f"days studied {studied}",
        f"{_n(answers)} answers",
        f"{_average(answers / studied)}/studied day" if studied else "",
        f"busiest {_n(peak)}" if peak else "",
    ]
    text = Text("    " + "".join(months).rstrip() + "\n", style="dim")
    for weekday, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        text.append(f"{name:<4}", style="dim")
        for week in range(weeks):
            day = first + timedelta(days=7 * week + weekday)
            if day < start or day > today:
                text.append(" ")
                continue
            n = counts.get(day, 0)
            level = (4 * n + peak - 1) // peak if n else 0
            text.append(SHADES[level], style=HEAT[level])
        note = side[weekday] if weekday < len(side) else ""
        if note:
            text.append(" " * (2 + 53 - weeks) + note, style="bold" if weekday == 1 else "")
        text.append("\n")
    text.append("    less " + " ".join(SHADES) + " more", style="dim")
    if peak:
        low = peak * 3 // 4 + 1  # the darkest shade: more than three quarters of the busiest day
        text.append(f"   (█: {_n(low) + '-' if low < peak else ''}{_n(peak)} answers)", style="dim")
    return text


def forecast(stats: Stats) -> RenderableType:
    days = stats.forecast
    labels = {i: _short_date(stats.today + timedelta(days=i + 1)) for i in range(0, FORECAST_DAYS, 7)}
    chart = _columns(days, labels, _n(max(days, default=0)), style="cyan")
    total = sum(days)
    summary = Text(
        f"due today {_n(stats.due_today)}" + (f" ({_n(stats.overdue)} overdue)" if stats.overdue else "")
        + f" · tomorrow {_n(days[0])} · next 7 days {_n(sum(days[:7]))}"
        + f" · next {FORECAST_DAYS} days {_n(total)}, {_average(total / FORECAST_DAYS)} a day"
    )
    return Group(_title("Due", f"next {FORECAST_DAYS} days"), chart, summary)


def time_spent(stats: Stats) -> RenderableType:
    recent = stats.recent(TIME_DAYS)
    minutes = [d.ms / 60_000 for d in recent]
    labels = {i: _short_date(recent[i].day) for i in range(TIME_DAYS - 1, -1, -7)}
    peak = max((d.ms for d in recent), default=0)
    chart = _columns(minutes, labels, duration(peak).split(" ")[0] if peak else "0", style="magenta")
    total = sum(d.ms for d in recent)
    studied = sum(1 for d in recent if d.answers)
    summary = Text(f"today {duration(recent[-1].ms)} · last {TIME_DAYS} days {duration(total)} on {plural(studied, 'day')}")
    if studied:
        summary.append(f" · {duration(total // studied)} a studied day")
    return Group(_title("Time", f"per day, last {TIME_DAYS} days"), chart, summary)


def card_states(stats: Stats) -> RenderableType:
    cards = stats.cards
    total = cards["total"]
    width = 60
    # Largest remainders, so the parts fill the bar exactly.
    exact = [width * cards[name] / total if total else 0 for name, _, _ in STATES]
    cells = [int(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: exact[i] - cells[i], reverse=True)[: width - sum(cells) if total else 0]:
        cells[i] += 1
    bar = Text("  ")
    for (name, shade, style), n in zip(STATES, cells):
        bar.append(shade * n, style=style)
    table = Table.grid(padding=(0, 2))
    for justify in ("left", "right", "right", "left", "right"):
        table.add_column(justify=justify)
    extra = [("leech", cards["leech"]), ("buried", cards["buried"]), ("suspended", cards["suspended"])]
    for i, (name, shade, style) in enumerate(STATES):
        share = f"{100 * cards[name] / total:.1f}%" if total else ""
        label, count = extra[i] if i < len(extra) else ("", None)
        table.add_row(Text(f"  {shade} {name}", style=style), _n(cards[name]), share, label,
                      "" if count is None else _n(count))
    return Group(_title("Cards", _n(total)), bar, table)


def _retention_line(label: str, retention: Retention, style: str = "") -> Text:
    cells = [f"{_pct(t)} of {_n(t.reviews)}" if t.reviews else "—" for t in (retention.young, retention.mature, retention.all)]
    if len(label) > LABEL_WIDTH:
        label = label[: LABEL_WIDTH - 1] + "…"
    return Text(f"{label:<{LABEL_WIDTH}}" + "".join(f"{cell:>16}" for cell in cells) + "\n", style=style)


def retention(stats: Stats) -> RenderableType:
    # Plain fixed-width lines rather than a Rich Table: a hundred decks render in a millisecond.
    title = _title("Retention", f"last {RETENTION_DAYS} days, scheduled reviews graded {PASS_GRADE}+")
    if not stats.retention.all.reviews:
        return Group(title, Text(f"  No scheduled reviews in the last {RETENTION_DAYS} days.", style="dim"))
    text = Text(f"{'':<{LABEL_WIDTH}}{'young (<' + str(MATURE_DAYS) + 'd)':>16}{'mature':>16}{'all':>16}\n", style="bold")
    text.append_text(_retention_line("all cards", stats.retention, "bold"))
    course = object()
    for group in stats.by_week:
        if group.course is None:
            text.append_text(_retention_line(f" {group.title}", group.retention))
            continue
        if group.course != course:
            course = group.course
            weeks = [g.retention for g in stats.by_week if g.course == course]
            text.append_text(_retention_line(f" course {course}", sum(weeks, Retention()), "bold"))
        text.append_text(_retention_line(f"   C{group.course}W{group.week} {group.title}", group.retention))
    text.rstrip()
    return Group(title, text)


def _histogram(title: str, labels: list[str], counts: list[int], width: int = 22) -> Text:
    """Horizontal bars; empty buckets at either end are left out."""
    text = Text(title + "\n", style=TITLE)
    used = [i for i, n in enumerate(counts) if n]
    if not used:
        return text.append("  no reviewed cards", style="dim")
    peak = max(counts)
    for i in range(used[0], used[-1] + 1):
        text.append(f"{labels[i]:>6} ", style="dim")
        text.append(_hbar(counts[i], peak, width), style="green")
        text.append(f" {_n(counts[i]):>6}")
        if i != used[-1]:
            text.append("\n")
    return text


def distributions(stats: Stats) -> RenderableType:
    """E-Factors and intervals; under FSRS, its stability, interval, difficulty and retrievability."""
    grid = Table.grid(padding=(0, 3))
    grid.add_column()
    grid.add_column()
    intervals = _histogram("Interval", list(INTERVAL_LABELS), stats.intervals)
    fsrs = stats.memory
    if fsrs is None:
        grid.add_row(_histogram("E-Factor", EF_BUCKETS, stats.ease), intervals)
        return grid
    grid.add_row(_histogram("Stability (FSRS)", list(INTERVAL_LABELS), fsrs.stability), intervals)
    grid.add_row(Text(""), Text(""))
    grid.add_row(_histogram("Difficulty (FSRS)", DIFFICULTY_LABELS, fsrs.difficulty),
                 _histogram("Retrievability today", RETRIEVABILITY_LABELS, fsrs.retrievability))
    return grid


def view(stats: Stats) -> RenderableType:
    """The whole `dlquiz stats` screen (or a short one when there is no history yet)."""
    cards = stats.cards
    header = Text(f"dlquiz stats · {_n(cards['total'])} cards in {stats.decks} decks · today {stats.today.isoformat()}",
                  style="bold")
    if not stats.has_history:
        hint = Text("No reviews yet: `dlquiz review` starts your first session.")
        return Group(header, Text(""), hint, Text(""), card_states(stats))
    parts: list[RenderableType] = [header, Text(""), _title("Answers", f"last {CALENDAR_DAYS} days"), calendar(stats)]
    for section in (forecast, time_spent, card_states, retention, distributions):
        parts += [Text(""), section(stats)]
    return Group(*parts)


# ---------------------------------------------------------------------------------------------
# `dlquiz stats --schedulers`


def comparison(result: Comparison) -> RenderableType:
    """SM-2 and FSRS on the learner's log: log loss, RMSE (bins), reviews each would have scheduled."""
    if not result.reviews:
        return Text("No scheduled reviews yet (a card's second review, on a later day): nothing to compare.")
    title = _title("Schedulers on your log", f"{_n(result.reviews)} scheduled reviews of {_n(result.cards)} cards "
                                             f"since {result.start.isoformat()}")
    table = Table.grid(padding=(0, 2))
    table.add_column()
    for _ in range(3):
        table.add_column(justify="right")
    table.add_row(*(Text(h, style="bold") for h in ("", "log loss", "RMSE (bins)", "reviews")))
    ranked = [s for s in result.scores if s.log_loss is not None]
    best = min(ranked, key=lambda s: s.log_loss) if ranked else None
    for score in result.scores:
        if score.log_loss is None:
            table.add_row(Text(score.label, style="dim"), Text(score.note, style="dim"))
            continue
        style = "bold green" if score is best else ""
        table.add_row(Text(score.label + (" ◀ best" if score is best else ""), style=style), f"{score.log_loss:.4f}",
                      f"{100 * score.rmse_bins:.1f}%", _n(score.scheduled))
    text = Text()
    how = ("the last 5/6 of your log in time order, FSRS fitted on the reviews before each sixth"
           if result.split else "all of them (too few to split by time)")
    text.append(f"Judged on {_n(result.judged)} reviews: {how}. Lower is better (◀: lowest log loss). "
                f"Reviews: what each would have scheduled from {result.start.isoformat()} to {result.today.isoformat()}, FSRS at "
                f"{100 * result.desired_retention:g}% retention. See docs/schedulers.md.", style="dim")
    return Group(title, table, text)


# ---------------------------------------------------------------------------------------------
# the end of a review session


def footer(summary: DaySummary, reviews_per_day: int) -> Text:
    """Today's answers and tomorrow's load, then retention today and over RETENTION_DAYS days."""
    text = Text()
    if summary.answers:
        text.append(f"Today {_n(summary.answers)} answer{'s' if summary.answers != 1 else ''} on {_n(summary.cards)} "
                    f"card{'s' if summary.cards != 1 else ''} in {duration(summary.ms)}", style="bold")
    else:
        text.append("No answers today", style="bold")
    text.append(f" · tomorrow {_n(summary.tomorrow)} due")
    if summary.tomorrow > reviews_per_day:
        text.append(f" ({_n(reviews_per_day)} a day at most)")
    today, recent = summary.retention.all, summary.recent.all
    parts = [f"{_pct(tally)} of {_n(tally.reviews)} {when}" for tally, when in
             ((today, "scheduled today"), (recent, f"in {RETENTION_DAYS} days")) if tally.reviews]
    if parts:
        text.append("\nRetention " + " · ".join(parts), style="dim")
    return text


def session_footer(store: Store, day: date, config: Config) -> RenderableType:
    """The compact statistics printed when a review session ends."""
    return footer(day_summary(store, day), config.reviews_per_day)
