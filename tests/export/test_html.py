"""Markdown -> HTML for Anki: math as MathJax, the allow-list, and the fast path agreeing with
markdown-it + nh3 wherever it answers."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dlquiz.decks.collection import load_collection
from dlquiz.export import html as anki_html
from dlquiz.paths import bundled_cards_dir


@pytest.mark.parametrize("text, html", [
    ("$x$ is 5", "<p>\\(x\\) is 5</p>\n"),  # dollarmath alone leaves this as text (it reads src[-1])
    ("costs $5 or $6", "<p>costs $5 or $6</p>\n"),
    ("a $ b $ c", "<p>a $ b $ c</p>\n"),
    ("$a < b$ & $c > d$", "<p>\\(a &lt; b\\) &amp; \\(c &gt; d\\)</p>\n"),
    ("$$\\sum_i x_i$$", "<p>\\[\\sum_i x_i\\]</p>\n"),
    ("see $$a^2$$ here", "<p>see \\[a^2\\] here</p>\n"),
    ("price \\$5 and $y$", "<p>price $5 and \\(y\\)</p>\n"),
    ("`$x$` is code", "<p><code>$x$</code> is code</p>\n"),
    ("**bold** and *em*", "<p><strong>bold</strong> and <em>em</em></p>\n"),
    ("- one\n- $two$", "<ul>\n<li>one</li>\n<li>\\(two\\)</li>\n</ul>\n"),
    ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    ("[x](https://example.org)", '<p><a href="https://example.org" rel="noopener noreferrer">x</a></p>\n'),
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
    ("```\na < b\n```", "<pre><code>a &lt; b\n</code></pre>\n"),
    ("| a | b |\n| --: | --- |\n| $x$ | 2 |",
     '<table>\n<thead>\n<tr>\n<th style="text-align:right">a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n'
     '<tr>\n<td style="text-align:right">\\(x\\)</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n'),
])
def test_to_html(text, html):
    assert anki_html.to_html(text) == html


def test_sanitize_keeps_the_allow_list_only():
    dirty = ('<p onclick="x()">a<script>alert(1)</script><img src="x" onerror="alert(2)">'
             '<a href="javascript:alert(3)">l</a><iframe src="https://e.org"></iframe><td style="color:red">c</td></p>')
    assert anki_html.sanitize(dirty) == '<p>a<a rel="noopener noreferrer">l</a>c</p>'  # (no image: nothing fetched)


def _fields():
    collection = load_collection(dirs=[bundled_cards_dir()])
    for card in collection.cards.values():
        yield card.question
        yield from (t for t in (card.explain, card.note, card.source) if t)
        yield from card.options or ()
        if card.kind in ("basic", "formula"):
            yield str(card.answer)


def test_fast_path_agrees_on_every_bundled_field_and_takes_most():
    fields = list(_fields())
    fast = [text for text in fields if anki_html.fast_html(text) is not None]
    for text in fast:
        assert anki_html.fast_html(text) == anki_html.markdown_html(text), text
    assert len(fast) > 0.8 * len(fields)


PIECES = ["a", "b", "1", "é", " ", "\n", "\n\n", "$", "$$", "*", "**", "`", "_", "- ", "-", "&", "<", ">", '"',
          "\\", "[", "]", "|", "#", "²", "\u00a0", "\t", "1.", ".", ")", "&amp;", "\\frac", "{", "}", "^", "~", "!",
          ":", "+", "=", "x_1", " $x$ ", "**A.** ", "* "]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14).map("".join))
@example("**a** b **c**")
@example("*a.*")
@example("a\n- b")
@example("- a\n\n- b")
@example("$x$\n---")
@example("2$x$")
@example("$x$2")
def test_fast_path_is_markdown_it_when_it_answers(text):
    fast = anki_html.fast_html(text)
    if fast is not None:
        assert fast == anki_html.markdown_html(text)
