"""What of a page the search index should see.

KaTeX's output is a few hundred nested spans per formula, in two copies (HTML
and MathML). Indexed, it puts every formula in the results twice as symbol
soup, and parsing it is most of the time Material's search plugin spends on a
page. The index sees the page without that markup.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from ..markdown.math import formula_digest

# How math.formula_html opens a typeset formula (kbgen.markdown.math).
_FORMULA_OPEN = re.compile(r'<(span|div) class="arithmatex[^"]*">')


def searchable_html(html: str, data: Mapping[str, Any]) -> str:
    """``html`` with the typeset formulas the renderer recorded (as digests) in ``data["math"]`` removed.

    One pass over the page: each formula's element is found by its opening tag and
    its end by counting tags, and left out when it is markup the renderer recorded.
    (Replacing each recorded piece in turn cost one pass over the page per distinct
    formula: minutes for a long page with thousands of them.)
    """
    markup = set((data.get("math") or {}).get("markup") or ())
    if not markup:
        return html
    kept: list[str] = []
    last = 0
    for match in _FORMULA_OPEN.finditer(html):
        start = match.start()
        if start < last:
            continue  # inside a formula already left out
        end = _element_end(html, match.end(), match.group(1))
        if end is not None and formula_digest(html[start:end]) in markup:
            kept.append(html[last:start])
            last = end
    kept.append(html[last:])
    return "".join(kept)


def _element_end(html: str, pos: int, tag: str) -> int | None:
    """Where the ``tag`` element opened just before ``pos`` ends (after its close tag), or None."""
    opening, closing = f"<{tag}", f"</{tag}>"
    depth = 1
    next_open = html.find(opening, pos)
    while True:
        close = html.find(closing, pos)
        if close < 0:
            return None
        while 0 <= next_open < close:  # each opening tag is found once: linear in the element
            depth += 1
            next_open = html.find(opening, next_open + len(opening))
        depth -= 1
        pos = close + len(closing)
        if depth == 0:
            return pos
