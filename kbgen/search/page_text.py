"""What of a page the search index should see.

KaTeX's output is a few hundred nested spans per formula, in two copies (HTML
and MathML). Indexed, it puts every formula in the results twice as symbol
soup, and parsing it is most of the time Material's search plugin spends on a
page. The index sees the page without that markup.
"""
from __future__ import annotations

from typing import Any, Mapping


def searchable_html(html: str, data: Mapping[str, Any]) -> str:
    """``html`` with the typeset formulas the renderer recorded in ``data["math"]`` removed."""
    markup: list[str] = (data.get("math") or {}).get("markup") or []
    for piece in markup:  # longest first, so no piece is cut by a shorter one inside it
        html = html.replace(piece, "")
    return html
