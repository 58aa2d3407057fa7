"""An empty queue says why: today's new-card or review limit (and the flag that gives more), cards
buried or suspended, a tag that no card of the chosen decks carries, or when the next card is due.
Through the real CLI (CliRunner), with the clock fixed."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from dlquiz.review.store import Store

DAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)


def deck(deck_id: str, n: int, tag: str | None = None) -> str:
    cards = "".join(f"  - id: {deck_id}-{i}\n    question: Q{i}?\n    answer: A{i}.\n" + (f"    tags: [{tag}]\n" if tag else "")
                    for i in range(n))
    return f"course: {deck_id[1]}\nweek: {deck_id[3]}\ntitle: Deck {deck_id}\ncards:\n{cards}"


@pytest.fixture
def c4(write_deck):
    for deck_id, n in (("c4w1", 5), ("c4w2", 3), ("c4w3", 2), ("c4w4", 1)):
        write_deck(f"{deck_id}.yaml", deck(deck_id, n))
    write_deck("c1w1.yaml", deck("c1w1", 2, tag="basics"))


def config(isolated, text: str) -> None:
    (isolated["home"] / "config.toml").write_text(text, encoding="utf-8")


def store(isolated) -> Store:
    return Store(isolated["home"] / "dlquiz.db")


def lines(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_the_new_card_limit_says_how_many_wait_where_and_how_to_get_more(c4, isolated, cli):
    config(isolated, "new_per_day = 2\n")
    assert "Reviewed 2 cards" in cli("review", "c4w1", input="\n5\n\n5\n").stdout
    assert lines(cli("review", "c4w1")) == [
        "Today's limit of 2 new cards is reached; 3 new cards wait in c4w1. dlquiz review c4w1 --new 3 for 3 more."]
    assert lines(cli("review", "c4*")) == [
        "Today's limit of 2 new cards is reached; 9 new cards wait in c4w1 (3), c4w2 (3), c4w3 (2) and 1 other deck. "
        "dlquiz review 'c4*' --new 9 for 9 more."]
    assert lines(cli("review")) == [  # more than 10 wait: 10 more is offered (as the brief's example)
        "Today's limit of 2 new cards is reached; 11 new cards wait in c1w1 (2), c4w1 (3), c4w2 (3) and 2 other decks. "
        "dlquiz review --new 10 for 10 more."]
    more = cli("review", "c4w1", "--new", "3", input="\n5\n" * 3)
    assert "Reviewed 3 cards (3 answers)" in more.stdout  # the suggestion works


def test_the_review_limit_says_how_many_are_due(c4, isolated, cli):
    config(isolated, "reviews_per_day = 1\nnew_per_day = 0\n")
    with store(isolated) as s:
        for i in range(5):
            s.record(f"c4w1-{i}", 5, "review", DAY - timedelta(days=1), NOW)
    assert "Reviewed 1 card (1 answer)" in cli("review", input="\n5\n").stdout
    assert lines(cli("review", "c4w1")) == [
        "Today's limit of 1 review is reached; 4 reviews are due in c4w1. dlquiz review c4w1 --reviews 4 for 4 more."]
    assert lines(cli("review", "c1w1", "c4w1", "--tag", "basics")) == [
        "Today's limit of 0 new cards is reached; 2 new cards wait in c1w1. dlquiz review c1w1 c4w1 --tag basics "
        "--new 2 for 2 more."]
    assert lines(cli("review", "c1w1", "c4w1")) == [
        "Today's limit of 1 review is reached; 4 reviews are due in c4w1. dlquiz review c1w1 c4w1 --reviews 4 for 4 more.",
        "Today's limit of 0 new cards is reached; 2 new cards wait in c1w1. dlquiz review c1w1 c4w1 --new 2 for 2 more."]
    assert "Reviewed 2 cards" in cli("review", "c4w1", "--reviews", "2", input="\n5\n" * 2).stdout


def test_buried_and_suspended_cards_are_named_and_nothing_waiting_keeps_next_due(c4, isolated, cli):
    with store(isolated) as s:
        s.record("c4w2-0", 5, "review", DAY - timedelta(days=3), NOW)  # due 3 days after: two days ago
        s.record("c4w2-1", 5, "review", DAY, NOW)  # due tomorrow
        s.bury("c4w2-0", DAY + timedelta(days=1))
        s.set_suspended("c4w2-2", True, DAY, NOW)
    assert lines(cli("review", "c4w2")) == [
        "Nothing to review today (2026-11-26). Next due: 2026-11-27.",
        "1 card in c4w2 is buried until tomorrow.",
        "1 card in c4w2 is suspended (c4w2-2); dlquiz unsuspend ID brings one back."]
    with store(isolated) as s:
        for card_id in ("c4w3-0", "c4w3-1", "c4w4-0"):
            s.set_suspended(card_id, True, DAY, NOW)
    assert lines(cli("review", "c4w3", "c4w4")) == [
        "Nothing to review today (2026-11-26).",
        "3 cards in c4w3 (2), c4w4 (1) are suspended (c4w3-0, c4w3-1, c4w4-0); dlquiz unsuspend ID brings one back."]


def test_a_tag_on_no_card_of_the_chosen_decks_says_where_it_is(c4, isolated, cli):
    assert lines(cli("review", "c4*", "--tag", "basics")) == [
        "No card of c4* has the tag 'basics'; 2 cards in c1w1 have it."]
    assert lines(cli("review", "c4w1", "--tag", "basics", "--cram")) == [
        "No card of c4w1 has the tag 'basics'; 2 cards in c1w1 have it."]
