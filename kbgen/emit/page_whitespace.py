"""Squeeze the blank lines and indentation Material's templates leave in every page.

Material's navigation partials are written for readability, and Jinja keeps
their indentation: on a note page of a large vault about a third of the bytes
are whitespace between navigation tags. Any run of whitespace that holds a
newline is worth exactly one newline to HTML's layout, except inside elements
that keep whitespace (``pre``, ``textarea``, ``code``) or are not HTML
(``script``, ``style``), which are copied byte for byte.

One forward scan: each protected element's end is searched for from where it
opened, so an unclosed ``<pre`` (an author's raw HTML) protects the rest of the
page instead of costing a rescan per tag. Tag names match ASCII-case-blind, as
HTML's do; the page is not lower-cased to find them (a copy of a 40 KB page
each time, and one whose offsets drift from the page's after an ``İ``, which
lower-cases to two characters).
"""
from __future__ import annotations

import re

_PROTECTED = ("pre", "textarea", "code", "script", "style")
_PROTECTED_OPEN = re.compile(rf"<({'|'.join(_PROTECTED)})(?=[\s>/])", re.IGNORECASE | re.ASCII)
_PROTECTED_CLOSE = {name: re.compile(f"</{name}", re.IGNORECASE | re.ASCII) for name in _PROTECTED}
_BLANKS = " \t\r\f"  # whitespace besides the newline


def squeeze_runs(text: str) -> str:
    """``text`` with every run of whitespace holding a newline made one newline (no protected elements).

    The same as ``re.sub(r"[ \\t\\r\\f]*\\n[ \\t\\r\\n\\f]*", "\\n", text)``, line by line: a
    regular expression with no literal to look for tried a match at every character of
    every page (a tenth of templating one).
    """
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    # Inner lines lose their blanks at both ends; a line left empty was all inside one run.
    inner = [kept for kept in (line.strip(_BLANKS) for line in lines[1:-1]) if kept]
    return "\n".join([lines[0].rstrip(_BLANKS), *inner, lines[-1].lstrip(_BLANKS)])


def squeeze_whitespace(page: str) -> str:
    """``page`` with every whitespace run that contains a newline reduced to one newline."""
    out: list[str] = []
    pos = 0
    while True:
        opening = _PROTECTED_OPEN.search(page, pos)
        if opening is None:
            out.append(squeeze_runs(page[pos:]))
            return "".join(out)
        out.append(squeeze_runs(page[pos:opening.start()]))
        closing = _PROTECTED_CLOSE[opening.group(1).lower()].search(page, opening.end())
        if closing is None:
            out.append(page[opening.start():])
            return "".join(out)
        out.append(page[opening.start():closing.start()])
        pos = closing.start()
