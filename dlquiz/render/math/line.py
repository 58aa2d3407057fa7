"""One line of Unicode for a math syntax tree (dlquiz.render.math.parse): TeX's spacing between atoms,
fractions as `a/(b + c)` with the parentheses precedence needs, scripts as `x²`, `β₁` or, where
Unicode has no such character, `W^[l]`. dlquiz.render.math.box reuses the spacing and, for scripts, the
one-line form. Public entry points: dlquiz.render.math.text.
"""

from __future__ import annotations

import re
import unicodedata

from dlquiz.render.math import symbols as S
from dlquiz.render.math.marks import MARK_OFF, MARK_ON
from dlquiz.render.math.nodes import Accent, Fenced, Frac, Grid, Mark, Raw, Row, Script, Space, Sqrt, Sym, Text

FENCED = "fenced"  # spacing class of a bracketed group: hugs a function name, `f(x)`
_SAFE_SCRIPT = re.compile(r"[^\W_]+[′″‴]*|.|(?:\[[^\[\]]*\]|\([^()]*\)|⟨[^⟨⟩]*⟩|\{[^{}]*\})+", re.S)
_OPEN_TAIL = re.compile(r"[_^]([^\W_]+[′″‴]*)$")  # ends in an ASCII script like `n_H`

def width(text: str) -> int:
    """Terminal cells taken by `text` (combining marks take none, wide characters two)."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(c) or c in _NO_WIDTH else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


_NO_WIDTH = frozenset((MARK_ON, MARK_OFF))


def unmarked(row: Row) -> Row:
    """The row with each highlight (an unboxed Mark) replaced by what it holds: a highlight adds
    only invisible characters, so precedence is decided by its content."""
    if not any(type(item) is Mark for item in row.items):
        return row
    items = []
    for item in row.items:
        items.extend(item.body.items if type(item) is Mark and not item.boxed else [item])
    return Row(items)


# -- spacing, shared by both layouts -------------------------------------------------------------


def _cls(item) -> str:
    if isinstance(item, Sym):
        return item.cls
    if isinstance(item, Script):
        base = item.base
        if isinstance(base, Sym) and base.cls in (S.OP, S.FN):
            return base.cls
        return FENCED if isinstance(base, Fenced) else S.ORD
    return FENCED if isinstance(item, Fenced) else S.ORD


def _auto_gap(prev: str, cur: str) -> int:
    """TeX's spacing between atoms, in whole cells: relations and binary operators are spaced,
    a comma is followed by a space, a named function or big operator is set off."""
    if S.REL in (prev, cur) or S.BIN in (prev, cur):
        return 1
    if prev == S.PUNCT:
        return 0 if cur in (S.CLOSE, S.PUNCT) else 1
    if cur in (S.OP, S.FN):
        return 0 if prev == S.OPEN else 1
    if prev == S.OP:
        return 0 if cur in (S.CLOSE, S.PUNCT) else 1
    if prev == S.FN:
        return 0 if cur in (FENCED, S.OPEN, S.CLOSE, S.PUNCT) else 1
    return 0


def spaced(items: list, script: bool) -> list[tuple[int, object, str]]:
    """(gap before, item, effective class) for a row; explicit spaces merge with automatic
    ones, leading and trailing space is dropped, a binary operator with no left operand is
    unary (−1), and scripts are set tight."""
    out: list[tuple[int, object, str]] = []
    pending = 0
    prev: str | None = None
    for item in items:
        if isinstance(item, Space):
            pending = max(pending, item.width)
            continue
        cls = _cls(item)
        if cls == S.BIN and prev in (None, S.BIN, S.REL, S.OPEN, S.PUNCT, S.OP):
            cls = S.ORD
        gap = 0 if prev is None else max(0 if script else _auto_gap(prev, cls), pending)
        if gap == 0 and out and not script and _boxed(item, out[-1][1]) and S.OPEN != prev and cls not in (S.CLOSE, S.PUNCT):
            gap = 1  # a cloze's box stands apart from its neighbours: `β [...] vₜ₋₁`
        out.append((gap, item, cls))
        prev, pending = cls, 0
    return out


def _boxed(*items) -> bool:
    return any(type(item) is Mark and item.boxed for item in items)


def needs_separator(prev: str, cur: str) -> bool:
    """`n_H n_W`, not `n_Hn_W`: an ASCII script that ends in letters needs a space before a
    following letter or digit, or the script would seem to go on. (A bracket ends it plainly
    enough: `J_content(C, G)`.)"""
    return bool(cur) and (cur[0].isalnum() or cur[0] in "√∂∇") and bool(_OPEN_TAIL.search(prev))


# -- one line ------------------------------------------------------------------------------------


def one_line(node, script: bool) -> str:
    kind = type(node)
    if kind is Sym:
        return node.text
    if kind is Row:
        return _row_text(node.items, script)
    if kind is Script:
        return _script_text(node, script)
    if kind is Frac:
        return _frac_text(node, script)
    if kind is Sqrt:
        return _sqrt_text(node, script)
    if kind is Fenced:
        return node.left + one_line(node.body, script) + node.right
    if kind is Accent:
        return _accent_text(node, script)
    if kind is Mark:
        inner = one_line(node.body, script)
        return MARK_ON + (f"[{inner}]" if node.boxed else inner) + MARK_OFF
    if kind is Grid:
        join = " " if node.align_left else ", "
        rows = "; ".join(join.join(one_line(c, script) for c in row) for row in node.rows)
        return f"{node.left}{rows}{node.right}"
    if kind is Space:
        return " " * node.width
    return node.text.replace("\n", " ")  # Text, Raw


def _row_text(items: list, script: bool) -> str:
    parts = spaced(items, script)
    out: list[str] = []
    prev = ""
    for k, (gap, item, _cls_) in enumerate(parts):
        piece = one_line(item, script)
        if isinstance(item, Frac) and _frac_needs_group(parts, k):
            piece = f"({piece})"
        if out and gap == 0 and needs_separator(prev, piece):
            gap = 1
        out.append(" " * gap + piece)
        prev = piece
    return "".join(out)


def _frac_needs_group(parts: list, k: int) -> bool:
    """`(λ/m) W`, not `λ/m W` (which reads λ/(m·W)); and `1/(a/b)`, not `1/a/b`."""
    if k + 1 < len(parts) and parts[k + 1][2] not in (S.BIN, S.REL, S.PUNCT, S.CLOSE):
        return True
    return k > 0 and isinstance(parts[k - 1][1], Sym) and parts[k - 1][1].text == "/"


def _frac_text(node: Frac, script: bool) -> str:
    num, den = one_line(node.num, script), one_line(node.den, script)
    if not node.bar:
        return f"{num} choose {den}"
    if _num_needs_parens(node.num):
        num = f"({num})"
    if not _atomic(node.den):
        den = f"({den})"
    return f"{num}/{den}"


def _num_needs_parens(row: Row) -> bool:
    """A numerator may be a plain product (αλ/m reads right); a sum, relation, list, a nested
    fraction or spaced words need parentheses."""
    row = unmarked(row)
    if _atomic(row):
        return False
    for gap, item, cls in spaced(row.items, False):
        if gap or cls in (S.BIN, S.REL, S.PUNCT, S.OP, S.FN) or isinstance(item, Frac):
            return True
        if isinstance(item, Text) and " " in item.text.strip():
            return True
    return False


def _atomic(node) -> bool:
    """One factor: a symbol, number or word, with its scripts; a bracketed group; a root; or a
    function applied to a bracketed group; a differential `∂W`. Anything else is parenthesised
    as a denominator."""
    if isinstance(node, Mark):
        return node.boxed or _atomic(node.body)
    if isinstance(node, Row):
        items = [i for i in unmarked(node).items if not isinstance(i, Space)]
        if len(items) == 1:
            return _atomic(items[0])
        if len(items) == 2 and isinstance(items[0], Sym) and items[0].text in ("∂", "∇"):
            return _atomic(items[1])
        return (len(items) == 2 and isinstance(items[1], Fenced) and _cls(items[0]) in (S.ORD, S.FN)
                and (_atomic(items[0]) or _cls(items[0]) == S.FN))
    if isinstance(node, Sym):
        return node.cls == S.ORD
    if isinstance(node, Script):
        return isinstance(node.base, Fenced) or _atomic(node.base)
    if isinstance(node, Text):
        return " " not in node.text.strip()
    return isinstance(node, (Fenced, Sqrt, Accent, Raw, Grid))


def unicode_script(text: str, table: dict) -> str | None:
    out = []
    for char in text:
        mapped = table.get(char)
        if mapped is None:
            return None
        out.append(mapped)
    return "".join(out)


def _script_text(node: Script, script: bool) -> str:
    base = one_line(node.base, script)
    if isinstance(node.base, (Frac, Sqrt)):
        base = f"({base})"
    sub = one_line(node.sub, True) if node.sub is not None else None
    sup = one_line(node.sup, True) if node.sup is not None else None
    usub = unicode_script(sub, S.SUBSCRIPT) if sub is not None else ""
    usup = unicode_script(sup, S.SUPERSCRIPT) if sup is not None else ""
    if usub is not None and usup is not None:
        return base + usub + usup
    # One script without Unicode characters: both go ASCII, so `v_dW^corrected` does not
    # read as dW to the power `corrected`.
    pieces = [("_", sub), ("^", sup)]
    if node.sup_first:
        pieces.reverse()
    return base + "".join(mark + _wrap_script(text) for mark, text in pieces if text is not None)


def _wrap_script(text: str) -> str:
    """A script that is one word, one character or bracketed groups (`[l]`, `(i)⟨t⟩`) is
    clear after `^`/`_`; anything longer gets parentheses: `^(2i/d_model)`."""
    return text if _SAFE_SCRIPT.fullmatch(text) else f"({text})"


def _sqrt_text(node: Sqrt, script: bool) -> str:
    body = one_line(node.body, script)
    if not _atomic(node.body) or "_" in body or "^" in body:
        body = f"({body})"
    index = one_line(node.index, True) if node.index is not None else ""
    sign = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(index)
    if sign is None:
        sup = unicode_script(index, S.SUPERSCRIPT)
        sign = f"{sup}√" if sup is not None else f"root[{index}]"
    return sign + body


def _accent_text(node: Accent, script: bool) -> str:
    body = one_line(node.body, script)
    mark = S.ACCENTS[node.name]
    letters = sum(1 for c in body if not unicodedata.combining(c))
    if letters == 1:
        return unicodedata.normalize("NFC", body + mark)
    if node.name in S.SPANNING_ACCENTS and letters:
        return "".join(c + mark if not unicodedata.combining(c) else c for c in body)
    return f"{node.name}({body})"
