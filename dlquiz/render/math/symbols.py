"""Tables for LaTeX math -> Unicode: symbols with their spacing class, Unicode sub/superscripts,
math alphabets and accents. Data, and pylatexenc's own symbol table for the rest; dlquiz.render.math.parse uses it.

The spacing classes follow TeX's atom types: ORD (letters, numbers), BIN (binary operators:
spaced, unless unary), REL (relations: spaced), PUNCT (a space after), OPEN/CLOSE (delimiters),
OP (big operators that take limits: ∑, ∏) and FN (named functions: log, max).
"""

from __future__ import annotations

from functools import lru_cache

ORD, BIN, REL, PUNCT, OPEN, CLOSE, OP, FN = "ord", "bin", "rel", "punct", "open", "close", "op", "fn"

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}

_BY_CLASS = {
    ORD: {
        "infty": "∞", "partial": "∂", "nabla": "∇", "ell": "ℓ", "hbar": "ħ", "forall": "∀",
        "exists": "∃", "emptyset": "∅", "varnothing": "∅", "angle": "∠", "top": "⊤",
        "bot": "⊥", "prime": "′", "dots": "…", "ldots": "…", "cdots": "⋯", "vdots": "⋮",
        "ddots": "⋱", "neg": "¬", "lnot": "¬", "surd": "√", "dagger": "†", "Re": "ℜ",
        "Im": "ℑ", "aleph": "ℵ", "therefore": "∴", "because": "∵", "imath": "ı", "jmath": "ȷ",
        "vert": "|", "Vert": "‖", "|": "‖", "_": "_", "%": "%", "$": "$", "&": "&", "#": "#",
        "backslash": "\\", "degree": "°", "square": "□", "Box": "□", "triangle": "△",
    },
    BIN: {
        "times": "×", "cdot": "·", "ast": "∗", "pm": "±", "mp": "∓", "div": "÷", "circ": "∘",
        "odot": "⊙", "otimes": "⊗", "oplus": "⊕", "cup": "∪", "cap": "∩", "setminus": "∖",
        "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨", "star": "⋆", "bullet": "∙",
        "cdotp": "·",
    },
    REL: {
        "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈",
        "equiv": "≡", "propto": "∝", "sim": "∼", "simeq": "≃", "cong": "≅", "ll": "≪",
        "gg": "≫", "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆",
        "supset": "⊃", "supseteq": "⊇", "to": "→", "rightarrow": "→", "leftarrow": "←",
        "gets": "←", "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔",
        "leftrightarrow": "↔", "implies": "⟹", "iff": "⟺", "mapsto": "↦", "mid": "|",
        "parallel": "∥", "perp": "⊥", "coloneqq": "≔", "models": "⊨", "vdash": "⊢",
        "longrightarrow": "⟶", "longleftarrow": "⟵", "Longrightarrow": "⟹", "uparrow": "↑",
        "downarrow": "↓", "leqslant": "⩽", "geqslant": "⩾", "doteq": "≐", "asymp": "≍",
    },
    OPEN: {"lfloor": "⌊", "lceil": "⌈", "langle": "⟨", "lvert": "|", "lVert": "‖", "{": "{",
           "lbrace": "{", "lbrack": "["},
    CLOSE: {"rfloor": "⌋", "rceil": "⌉", "rangle": "⟩", "rvert": "|", "rVert": "‖", "}": "}",
            "rbrace": "}", "rbrack": "]"},
    OP: {"sum": "∑", "prod": "∏", "coprod": "∐", "bigcup": "⋃", "bigcap": "⋂", "int": "∫",
         "iint": "∬", "oint": "∮", "bigoplus": "⨁", "bigotimes": "⨂", "bigodot": "⨀",
         "bigvee": "⋁", "bigwedge": "⋀"},
}
# Named functions, upright; the second set takes limits below in display math (max over x).
FUNCTIONS = frozenset(
    "log ln lg exp sin cos tan sec csc cot sinh cosh tanh coth arcsin arccos arctan arg deg "
    "dim hom ker".split()
)
LIMIT_FUNCTIONS = frozenset("max min sup inf lim limsup liminf det gcd Pr argmax argmin".split())

SYMBOLS: dict[str, tuple[str, str]] = {name: (text, ORD) for name, text in GREEK.items()}
for _cls, _table in _BY_CLASS.items():
    SYMBOLS.update((name, (text, _cls)) for name, text in _table.items())

CHAR_CLASS = {
    # `:` as in `Z: (n, m)`; TeX spaces it like a relation, which reads oddly in a terminal
    "+": BIN, "-": BIN, "*": BIN, "=": REL, "<": REL, ">": REL, ":": PUNCT, ",": PUNCT, ";": PUNCT,
    "(": OPEN, "[": OPEN, ")": CLOSE, "]": CLOSE,
}
CHAR_TEXT = {"-": "−"}  # a real minus sign, not a hyphen
# Delimiters that pair up into a fenced group, which grows with its content in display math.
PAIRS = {"(": ")", "[": "]", "{": "}", "⌊": "⌋", "⌈": "⌉", "⟨": "⟩", "|": "|", "‖": "‖"}

SPACES = {",": 1, ":": 1, ">": 1, ";": 1, " ": 1, "enspace": 1, "thinspace": 1, "medspace": 1,
          "thickspace": 1, "quad": 2, "qquad": 4, "!": 0, "negthinspace": 0, "hspace": 1,
          "\\": 2, "newline": 2}
# Commands that only change size or style in print; a terminal has one size.
IGNORED = frozenset(
    "limits nolimits displaystyle textstyle scriptstyle scriptscriptstyle big Big bigg Bigg "
    "bigl bigr Bigl Bigr biggl biggr Biggl Biggr bigm Bigm nonumber notag mathstrut strut "
    "middle".split()
)
FRACTIONS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
TEXT_COMMANDS = frozenset({"text", "textrm", "textit", "textbf", "textsf", "texttt", "mbox",
                           "textnormal", "hbox", "emph"})

# Combining marks for accents; a wider body than one letter gets `hat(xy)` instead.
ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "widetilde": "\u0303",
    "bar": "\u0304", "overline": "\u0305", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308",
    "check": "\u030c", "breve": "\u0306", "acute": "\u0301", "grave": "\u0300",
    "underline": "\u0332", "mathring": "\u030a",
}
# These marks join up across letters, so they apply to every letter of a longer body.
SPANNING_ACCENTS = frozenset({"overline", "underline"})

SUPERSCRIPT = dict(zip(
    "0123456789+−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUWαβγδεθφχ′″",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁᵂᵅᵝᵞᵟᵋᶿᵠᵡ′″",
))
SUBSCRIPT = dict(zip("0123456789+−=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"))


def _alphabet(upper: int, lower: int | None, digits: int | None = None, exceptions: str = "") -> dict:
    """A translation table to one of Unicode's mathematical alphabets (starting code points);
    `exceptions` pairs letters with the older Letterlike Symbols they live at instead."""
    table = {ord("A") + i: chr(upper + i) for i in range(26)}
    if lower is not None:
        table.update({ord("a") + i: chr(lower + i) for i in range(26)})
    if digits is not None:
        table.update({ord("0") + i: chr(digits + i) for i in range(10)})
    table.update({ord(a): b for a, b in zip(exceptions[::2], exceptions[1::2])})
    return table


ALPHABETS = {
    "mathbf": _alphabet(0x1D400, 0x1D41A, 0x1D7CE),
    "mathcal": _alphabet(0x1D49C, 0x1D4B6, None, "BℬEℰFℱHℋIℐLℒMℳRℛeℯgℊoℴ"),
    "mathbb": _alphabet(0x1D538, None, 0x1D7D8, "CℂHℍNℕPℙQℚRℝZℤ"),
    "mathfrak": _alphabet(0x1D504, 0x1D51E, None, "CℭHℌIℑRℜZℨ"),
}
for _alias, _name in (("boldsymbol", "mathbf"), ("bm", "mathbf"), ("pmb", "mathbf"),
                      ("mathscr", "mathcal"), ("Bbb", "mathbb")):
    ALPHABETS[_alias] = ALPHABETS[_name]
# Upright or italic alphabets: a terminal has one face, so the letters stay as they are.
PLAIN_FONTS = frozenset({"mathrm", "mathit", "mathsf", "mathtt", "mathnormal"})


def latex2text_symbol(name: str) -> str | None:
    """A symbol command that the tables above lack, from pylatexenc's latex2text table (built on
    first use only: it takes a noticeable fraction of a second)."""
    return _latex2text_symbols().get(name)


@lru_cache(maxsize=1)
def _latex2text_symbols() -> dict[str, str]:
    from pylatexenc import latex2text

    out: dict[str, str] = {}
    for spec in latex2text.get_default_latex_context_db().iter_macro_specs():
        repl = getattr(spec, "simplify_repl", None)
        if isinstance(repl, str) and repl.strip() and "%" not in repl:
            out[spec.macroname] = repl
    return out
