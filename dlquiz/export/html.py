"""Card Markdown -> safe HTML for Anki fields, with math as MathJax `\\( \\)` and `\\[ \\]`.

The renderer is markdown-it-py (CommonMark plus tables, raw HTML off) with mdit-py-plugins'
dollarmath for `$...$` / `$$...$$`, and its output goes through an nh3 allow-list, so a card
holding `<script>` or `onerror=` exports with neither. Math is written for Anki's MathJax with
`<`, `>` and `&` escaped; `$` opens math only before a non-space and closes it only after a
non-space and not before a digit (pandoc's rule, as in the terminal), so "$5 or $6" stays text.

A shared deck must not phone home or play anything: an image becomes its alt text (no remote
resource is fetched at review; dlquiz exports no media), MathJax's link-making and loading
macros (`\\href`, `\\url`, `\\require`, `\\class`, ...) are dropped from math, keeping the text
they wrap, and `safe_field` writes `[sound:...]` and `[anki:tts ...]` so Anki shows them as text
and strips control characters (Anki's own field separator, \\x1f, would break the package).
`plain` makes deck names and tags plain text.

markdown-it-py costs about 0.2 ms per short paragraph, more than genanki takes to write a whole
note, and most card fields are plain sentences with some math and bold. `to_html` therefore
renders the plain subset of Markdown itself (paragraphs, tight "- " lists, `**strong**`,
`*em*`, code spans, math) and hands everything else to markdown-it. The fast path says no
whenever in doubt, and tests check it gives exactly what markdown-it + nh3 give.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# What survives sanitising: the tags markdown-it emits for CommonMark and tables, and their
# harmless attributes. Script and style elements are removed with their content.
TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a",
})
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_ALIGN = {"style": {f"text-align:{side}" for side in ("left", "center", "right")}}

_cleaner: Any = None
_parser: Any = None


def escape(text: str) -> str:
    """Text as HTML: `&`, `<` and `>` escaped (quotes need no escaping outside attributes)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline_math(latex: str) -> str:
    return "\\(" + escape(safe_latex(latex.strip())) + "\\)"


def display_math(latex: str) -> str:
    return "\\[" + escape(safe_latex(latex.strip())) + "\\]"


# MathJax macros that make links, load code or add HTML attributes: how many brace groups each
# takes, and which of them (if any) is the content to keep.
_MACROS = {"href": (2, 1), "url": (1, 0), "require": (1, None), "class": (2, 1), "cssId": (2, 1), "style": (2, 1),
           "data": (2, 1), "attr": (2, 1), "texttip": (2, 0), "mathtip": (2, 0), "statusline": (2, 0)}
_MACRO = re.compile(r"\\(" + "|".join(_MACROS) + r")(?![A-Za-z])\s*")


def _group(latex: str, at: int) -> int | None:
    """The index after the brace group opening at latex[at], or None."""
    if at >= len(latex) or latex[at] != "{":
        return None
    depth, i = 0, at
    while i < len(latex):
        char = latex[i]
        if char == "\\":
            i += 2
            continue
        depth += (char == "{") - (char == "}")
        i += 1
        if depth == 0:
            return i
    return None


def safe_latex(latex: str) -> str:
    """LaTeX with MathJax's link-making and loading macros dropped (the text they wrap kept)."""
    while (found := _MACRO.search(latex)) is not None:
        count, keep = _MACROS[found.group(1)]
        groups, at = [], found.end()
        for _ in range(count):
            end = _group(latex, at)
            if end is None:
                break
            groups.append(latex[at + 1:end - 1])
            at = end
            while at < len(latex) and latex[at].isspace() and len(groups) < count:
                at += 1
        kept = groups[keep] if keep is not None and len(groups) == count else ""
        if found.group(1) == "url" and kept:
            kept = "\\text{" + kept + "}"
        latex = latex[:found.start()] + kept + latex[at if len(groups) == count else found.end():]
    return latex


# Every control character but tab and newline: Anki separates a note's fields with \x1f.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# `[sound:x]` plays x in Anki and `[anki:tts ...]` speaks: their bracket as an entity shows them.
_PLAYS = re.compile(r"\[(?=\s*/?\s*(?:sound|anki)\s*:)", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BREAKS = re.compile("[\t\n]")
_NOT_IN_TAG = re.compile(r"[^\w:.+\-/#]")


def safe_field(html: str) -> str:
    """A field's HTML as Anki must get it: no control characters, sound and TTS tags as text."""
    return _PLAYS.sub("&#91;", _CONTROL.sub("", html))


def plain(text: str) -> str:
    """A deck name as plain text: no markup, no control characters (nor tabs or line breaks)."""
    return _TAG.sub("", _BREAKS.sub(" ", _CONTROL.sub(" ", text))).replace("<", "").replace(">", "").strip()


@lru_cache(maxsize=4096)  # (a collection's tags are few and repeat on every card)
def plain_tag(tag: str) -> str:
    """A tag as plain text: letters, digits and _ : . + - / # only (`{{c1::x}}` is `c1::x`)."""
    return _NOT_IN_TAG.sub("", plain(tag)).strip(":")


def _whitespace(ch: str) -> bool:
    """markdown-it's isWhiteSpace: Unicode Zs, tab, form feed, vertical tab, CR, LF."""
    return ch in " \t\n\x0b\x0c\r\xa0\u1680\u202f\u205f\u3000" or "\u2000" <= ch <= "\u200a"


def _escaped(src: str, pos: int) -> bool:
    """True when an odd number of backslashes stands right before src[pos]."""
    count = 0
    while pos - count - 1 >= 0 and src[pos - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def find_math(src: str, pos: int) -> tuple[int, str, bool] | None:
    """Inline dollar math opening at `src[pos] == "$"`: (index after it, LaTeX, display?) or None.

    dollarmath's inline rule with allow_space=False, allow_digits=False, double_inline=True,
    minus its two start-of-text slips (it reads src[-1], the *last* character, as the one
    before position 0, so "$x$ is 5" was not math)."""
    n = len(src)
    if pos + 1 >= n or _whitespace(src[pos + 1]):
        return None
    if pos > 0 and (src[pos - 1].isdigit() or (src[pos - 1] == "\\" and _escaped(src, pos))):
        return None
    double = src[pos + 1] == "$"
    search = pos + 2 if double else pos + 1
    while True:
        end = src.find("$", search)
        if end < 0:
            return None
        if src[end - 1] == "\\" and _escaped(src, end):
            search = end + 1
            continue
        if double:
            if end + 1 >= n:
                return None
            if src[end + 1] != "$":
                search = end + 1
                continue
            end += 1
        break
    if _whitespace(src[end - 1]):
        return None
    if end + 1 < n and src[end + 1].isdigit():
        return None
    latex = src[pos + 2 : end - 1] if double else src[pos + 1 : end]
    if not latex:
        return None
    return end + 1, latex, double


def _math_rule(state, silent: bool) -> bool:
    if state.src[state.pos] != "$":
        return False
    found = find_math(state.src[: state.posMax], state.pos)
    if found is None:
        return False
    end, latex, double = found
    if not silent:
        token = state.push("math_inline_double" if double else "math_inline", "math", 0)
        token.content = latex
        token.markup = "$$" if double else "$"
    state.pos = end
    return True


def _build_parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True, allow_labels=False)
    md.inline.ruler.at("math_inline", _math_rule)  # the plugin's rule, with its slips fixed
    md.add_render_rule("math_inline", lambda self, tokens, idx, options, env: inline_math(tokens[idx].content))
    md.add_render_rule("math_inline_double", lambda self, tokens, idx, options, env: display_math(tokens[idx].content))
    md.add_render_rule("math_block", lambda self, tokens, idx, options, env: f"<p>{display_math(tokens[idx].content)}</p>\n")
    md.add_render_rule("image", lambda self, tokens, idx, options, env: escape(tokens[idx].content))  # no remote fetch
    return md


def _build_cleaner():
    import nh3

    return nh3.Cleaner(
        tags=set(TAGS), clean_content_tags={"script", "style"}, attributes=_ATTRIBUTES,
        tag_attribute_values={"th": _ALIGN, "td": _ALIGN}, url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer", strip_comments=True,
    )


def sanitize(html: str) -> str:
    """HTML cleaned with the allow-list: unknown tags dropped, scripts removed with their
    content, event handlers and `javascript:` links stripped."""
    global _cleaner
    if _cleaner is None:
        _cleaner = _build_cleaner()
    return _cleaner.clean(html)


def markdown_html(text: str) -> str:
    """Card Markdown as sanitised HTML through markdown-it-py (the reference path)."""
    global _parser
    if _parser is None:
        _parser = _build_parser()
    return sanitize(_parser.render(text))


@lru_cache(maxsize=16384)  # options, sources and the like repeat across cards
def to_html(text: str) -> str:
    """Card Markdown (with `$...$` / `$$...$$` math) as safe HTML for an Anki field."""
    fast = fast_html(text)
    return fast if fast is not None else markdown_html(text)


# -- the fast path ---------------------------------------------------------------------------
# A line is plain when no block syntax can start it: not a heading, quote, list item, fence,
# table, setext underline, indented code or display-math block.
_PLAIN_LINE = re.compile(r"(?![#>=_~`<|+\-\s]|\$\$|\d{1,9}[.)]|\*(?:\s|$|\*\*))\S(?:.*\S)?\Z")
_ITEM = re.compile(r"- (\S.*)\Z")
_DISPLAY_BLOCK = re.compile(r"\$\$([^$\n]+)\$\$\Z")
# Anywhere, even inside math: control characters and non-breaking spaces go to markdown-it.
_REFUSE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\xa0]")
# Outside math and code: what needs a look. Escapes, links, images, HTML, underscores,
# strikethrough tildes and entities are markdown-it's business.
_SPECIAL = re.compile(r"[$`*&>\\<\[_~]")
_ENTITY_START = re.compile(r"[#0-9A-Za-z]")
_EMPHASIS_TEXT = re.compile(r"[^*_`$\\<\[&\n~\s](?:[^*_`$\\<\[&\n~]*[^*_`$\\<\[&\n~\s])?")
_AFTER_CLOSER = frozenset(" \n.,;:!?)")
_BACKTICKS = re.compile(r"`+")


def _emphasis(src: str, pos: int) -> tuple[int, str] | None:
    """`**strong**` or `*em*` at src[pos] in the simplest form CommonMark reads unambiguously:
    opened at the start or after a space, before a letter or digit, plain text inside,
    closed after a letter, digit or full stop and before a space, punctuation or the end."""
    marks = 2 if src.startswith("**", pos) else 1
    start = pos + marks
    if start < len(src) and src[start] == "*":
        return None
    if pos > 0 and src[pos - 1] not in " \n":
        return None
    if start >= len(src) or not src[start].isalnum():
        return None
    close = src.find("*" * marks, start)
    if close < 0:
        return None
    after = close + marks
    if after < len(src) and src[after] not in _AFTER_CLOSER:
        return None
    body = src[start:close]
    if not _EMPHASIS_TEXT.fullmatch(body) or not (body[-1].isalnum() or body[-1] == "."):
        return None
    tag = "strong" if marks == 2 else "em"
    return after, f"<{tag}>{escape(body)}</{tag}>"


def _code_span(src: str, pos: int) -> tuple[int, str] | None:
    opener = _BACKTICKS.match(src, pos).end() - pos
    for run in _BACKTICKS.finditer(src, pos + opener):
        if run.end() - run.start() == opener:
            content = src[pos + opener : run.start()].replace("\n", " ")
            if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
                content = content[1:-1]
            return run.end(), f"<code>{escape(content)}</code>"
    return None  # an unmatched run is literal text to markdown-it; rare, so not handled here


def _inline(src: str) -> str | None:
    out: list[str] = []
    pos = 0
    while True:
        match = _SPECIAL.search(src, pos)
        if match is None:
            out.append(src[pos:])
            return "".join(out)
        at = match.start()
        out.append(src[pos:at])
        ch = src[at]
        if ch == "$":
            found = find_math(src, at)
            if found is None:
                out.append("$")
                pos = at + 1
                continue
            pos, latex, double = found
            out.append(display_math(latex) if double else inline_math(latex))
            continue
        if ch == ">":
            out.append("&gt;")
            pos = at + 1
            continue
        if ch == "&":
            if _ENTITY_START.match(src, at + 1):
                return None
            out.append("&amp;")
            pos = at + 1
            continue
        if ch == "`":
            span = _code_span(src, at)
        elif ch == "*":
            span = _emphasis(src, at)
        else:
            return None
        if span is None:
            return None
        pos, html = span
        out.append(html)


def fast_html(text: str) -> str | None:
    """What `markdown_html` gives for plain Markdown, computed directly; None for anything else
    (then markdown-it renders it)."""
    if _REFUSE.search(text):
        return None
    if "\n" not in text:  # most fields: one line, one paragraph
        if _PLAIN_LINE.match(text) and not text.startswith("- "):
            html = _inline(text)
            return None if html is None else f"<p>{html}</p>\n"
    blocks: list[str] = []
    previous_was_list = False
    for block in re.split(r"\n{2,}", text.strip("\n")):
        lines = block.split("\n")
        display = _DISPLAY_BLOCK.match(block)
        if display is not None:
            blocks.append(f"<p>{display_math(display.group(1))}</p>\n")
            previous_was_list = False
            continue
        items = [_ITEM.match(line) for line in lines]
        if all(items):
            if previous_was_list:
                return None  # two lists apart are one loose list to CommonMark
            rendered = []
            for item in items:
                content = item.group(1)
                html = _inline(content) if _PLAIN_LINE.match(content) else None
                if html is None:
                    return None
                rendered.append(f"<li>{html}</li>\n")
            blocks.append("<ul>\n" + "".join(rendered) + "</ul>\n")
            previous_was_list = True
            continue
        if not all(_PLAIN_LINE.match(line) for line in lines) or (len(lines) > 1 and "|" in block):
            return None
        html = _inline(block)
        if html is None:
            return None
        blocks.append(f"<p>{html}</p>\n")
        previous_was_list = False
    return "".join(blocks)
