r"""Rewrites that keep a formula's meaning but let KaTeX typeset what MathJax accepts.

Obsidian renders with MathJax, which is laxer than KaTeX in a few places:

- a command taking no argument used as a bare super- or subscript
  (``q^\bigoplus``, ``x_\sum``, ``x^\sqrt2``): MathJax reads ``q^{\bigoplus}``;
- MathJax-only spellings with a KaTeX equivalent: ``\mbox`` (``\text``),
  ``\DeclareMathOperator`` (a ``\def`` with ``\operatorname``),
  ``\begin{eqnarray}`` (an ``rcl`` array, as eqnarray is laid out),
  ``\require{…}`` and ``\label{…}`` (no output in MathJax either),
  a ``\newcommand`` redefining a macro (MathJax allows it: ``\renewcommand``);
- ``align``/``gather``/``split`` written inside inline math: their inner
  forms ``aligned``/``gathered``.

Only formulas KaTeX rejects are rewritten, so a formula KaTeX accepts is
never touched. Each rewrite is a linear scan.
"""
from __future__ import annotations

import re
from typing import Callable

# Commands whose argument count matters when they are a bare script: ``x^\sqrt2`` → ``x^{\sqrt2}``.
_ONE_ARGUMENT = frozenset({
    "sqrt", "hat", "widehat", "bar", "overline", "underline", "vec", "tilde", "widetilde", "dot", "ddot",
    "mathbf", "mathrm", "mathit", "mathbb", "mathcal", "mathfrak", "mathsf", "mathtt", "boldsymbol", "bm",
    "text", "textbf", "textit", "operatorname", "check", "breve", "acute", "grave", "mathring",
})
_TWO_ARGUMENTS = frozenset({"frac", "dfrac", "tfrac", "binom", "dbinom", "tbinom", "overset", "underset", "stackrel"})
_BARE_SCRIPT = re.compile(r"([\^_])\s*\\([A-Za-z]+)")
_DECLARE_OPERATOR = re.compile(r"\\DeclareMathOperator(\*?)\s*\{?\s*(\\[A-Za-z]+)\s*\}?\s*(?=\{)")
_DROPPED = re.compile(r"\\(?:require|label)\s*\{[^{}]*\}")
_EQNARRAY = re.compile(r"\\(begin|end)\{eqnarray\*?\}")
_INLINE_ENVIRONMENTS = re.compile(r"\\(begin|end)\{(align|align\*|gather|gather\*|split)\}")
_INNER = {"align": "aligned", "align*": "aligned", "gather": "gathered", "gather*": "gathered", "split": "aligned"}
_RENAMED = (("\\mbox", "\\text"), ("\\mathbbm", "\\mathbb"), ("\\mathds", "\\mathbb"))


def rewrite(tex: str, display: bool, error: str = "") -> str:
    """``tex`` with MathJax-only forms turned into KaTeX's (unchanged if there are none);
    ``error`` is KaTeX's complaint about ``tex``."""
    out = _brace_bare_scripts(tex)
    for old, new in _RENAMED:
        out = re.sub(re.escape(old) + r"(?![A-Za-z])", lambda _: new, out)
    out = _declare_operators(out)
    out = _DROPPED.sub("", out)
    out = _EQNARRAY.sub(lambda m: "\\begin{array}{rcl}" if m.group(1) == "begin" else "\\end{array}", out)
    if "attempting to redefine" in error:
        out = re.sub(r"\\newcommand(?![A-Za-z])", lambda _: "\\renewcommand", out)
    if not display:
        out = _INLINE_ENVIRONMENTS.sub(lambda m: f"\\{m.group(1)}{{{_INNER[m.group(2)]}}}", out)
    return out


def _brace_bare_scripts(tex: str) -> str:
    """``q^\\bigoplus`` → ``q^{\\bigoplus}``; a command with arguments takes them inside."""

    def braced(match: re.Match) -> tuple[str, int]:
        name = match.group(2)
        end = _skip_optional(tex, match.end()) if name == "sqrt" else match.end()
        for _ in range(1 if name in _ONE_ARGUMENT else 2 if name in _TWO_ARGUMENTS else 0):
            end = _skip_argument(tex, end)
        return match.group(1) + "{" + tex[match.start(2) - 1: end] + "}", end

    return _substitute(_BARE_SCRIPT, tex, braced)


def _declare_operators(tex: str) -> str:
    """``\\DeclareMathOperator{\\sgn}{sgn}`` → ``\\def\\sgn{\\operatorname{sgn}}`` (KaTeX has \\def)."""

    def defined(match: re.Match) -> tuple[str, int]:
        end = _skip_argument(tex, match.end())
        return f"\\def{match.group(2)}{{\\operatorname{match.group(1)}{tex[match.end(): end]}}}", end

    return _substitute(_DECLARE_OPERATOR, tex, defined)


def _substitute(pattern: re.Pattern, tex: str, replace: Callable[[re.Match], tuple[str, int]]) -> str:
    """Like ``pattern.sub``, but ``replace`` also consumes the arguments after a match: it
    returns the replacement and where the replaced text ends."""
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(tex):
        if match.start() < last:
            continue
        replacement, end = replace(match)
        pieces.append(tex[last: match.start()] + replacement)
        last = end
    pieces.append(tex[last:])
    return "".join(pieces)


def _skip_optional(tex: str, pos: int) -> int:
    """Past a ``[…]`` option at ``pos`` (spaces allowed before it)."""
    at = pos
    while at < len(tex) and tex[at] == " ":
        at += 1
    if at < len(tex) and tex[at] == "[":
        close = tex.find("]", at)
        return close + 1 if close >= 0 else pos
    return pos


def _skip_argument(tex: str, pos: int) -> int:
    """Past one TeX argument at ``pos``: a braced group, a command, or one character."""
    while pos < len(tex) and tex[pos] == " ":
        pos += 1
    if pos >= len(tex):
        return pos
    if tex[pos] == "{":
        depth = 0
        for at in range(pos, len(tex)):
            if tex[at] == "\\":
                continue
            if tex[at] == "{" and (at == 0 or tex[at - 1] != "\\"):
                depth += 1
            elif tex[at] == "}" and tex[at - 1] != "\\":
                depth -= 1
                if depth == 0:
                    return at + 1
        return len(tex)
    if tex[pos] == "\\":
        end = pos + 1
        while end < len(tex) and tex[end].isalpha():
            end += 1
        return max(end, pos + 2)
    return pos + 1
