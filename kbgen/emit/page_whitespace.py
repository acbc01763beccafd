"""Squeeze the blank lines and indentation Material's templates leave in every page.

Material's navigation partials are written for readability, and Jinja keeps
their indentation: on a note page of a large vault about a third of the bytes
are whitespace between navigation tags. Any run of whitespace that holds a
newline is worth exactly one newline to HTML's layout, except inside elements
that keep whitespace (``pre``, ``textarea``, ``code``) or are not HTML
(``script``, ``style``), which are copied byte for byte.

One forward scan: each protected element is found with ``str.find`` from where
the last one ended, so an unclosed ``<pre`` (an author's raw HTML) protects the
rest of the page instead of costing a rescan per tag.
"""
from __future__ import annotations

import re

_PROTECTED_OPEN = re.compile(r"<(pre|textarea|code|script|style)(?=[\s>/])", re.IGNORECASE)
_NEWLINE_RUN = re.compile(r"[ \t\r\f]*\n[ \t\r\n\f]*")


def squeeze_whitespace(page: str) -> str:
    """``page`` with every whitespace run that contains a newline reduced to one newline."""
    out: list[str] = []
    pos = 0
    lowered = page.lower()
    while True:
        opening = _PROTECTED_OPEN.search(page, pos)
        if opening is None:
            out.append(_NEWLINE_RUN.sub("\n", page[pos:]))
            return "".join(out)
        out.append(_NEWLINE_RUN.sub("\n", page[pos:opening.start()]))
        closing = lowered.find(f"</{opening.group(1).lower()}", opening.end())
        if closing == -1:
            out.append(page[opening.start():])
            return "".join(out)
        out.append(page[opening.start():closing])
        pos = closing
