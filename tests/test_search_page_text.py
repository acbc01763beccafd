"""The search index sees a page without its typeset formulas: every recorded formula out, the rest kept."""
from __future__ import annotations

from html.parser import HTMLParser

from kbgen.markdown.math import formula_digest
from kbgen.search import searchable_html
from render_support import render


class _FormulaElements(HTMLParser):
    """The outermost ``arithmatex`` elements of a page, found by an HTML parser (not kbgen's scan)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=False)
        self.page, self.lines = page, page.splitlines(keepends=True)
        self.found: list[str] = []
        self._depth, self._start = 0, -1
        self.feed(page)

    def _offset(self) -> int:
        line, col = self.getpos()
        return sum(len(text) for text in self.lines[:line - 1]) + col

    def handle_starttag(self, tag, attrs) -> None:
        if self._depth:
            self._depth += 1
        elif "arithmatex" in (dict(attrs).get("class") or "").split():
            self._depth, self._start = 1, self._offset()

    def handle_endtag(self, tag) -> None:
        if self._depth:
            self._depth -= 1
            if not self._depth:
                end = self.page.index(">", self._offset()) + 1
                self.found.append(self.page[self._start:end])

    def handle_startendtag(self, tag, attrs) -> None:
        pass  # <br/>, <path/>: no depth change


def test_typeset_formulas_leave_the_search_text_and_the_rest_stays() -> None:
    formulas = " ".join(f"$x_{{{i}}}$" for i in range(300))  # 300 distinct formulas
    rendered = render(f"# f\n\nbefore {formulas} after\n\n$$\\frac{{a}}{{b}}$$\n\nbad $\\frac{{$ end\n")
    html = rendered.html
    assert html.count('class="arithmatex"') == 301
    text = searchable_html(html, rendered.data)
    assert "katex" not in text and 'class="arithmatex"' not in text
    assert "before" in text and "after" in text and "end" in text
    assert "kb-math-error" in text  # a formula KaTeX rejected shows its source: searchable
    # Exactly what removing each recorded formula leaves, in one pass instead of one per formula.
    recorded = set(rendered.data["math"]["markup"])
    pieces = [p for p in _FormulaElements(html).found if formula_digest(p) in recorded]
    assert len(pieces) == 301  # every typeset formula was recorded
    expected = html
    for piece in pieces:
        expected = expected.replace(piece, "", 1)
    assert text == expected


def test_markup_not_recorded_is_kept() -> None:
    page = '<p>a <span class="arithmatex"><span>x</span></span> b <div class="arithmatex"><span>y</span></div></p>'
    data = {"math": {"markup": [formula_digest('<div class="arithmatex"><span>y</span></div>')]}}
    assert searchable_html(page, data) == '<p>a <span class="arithmatex"><span>x</span></span> b </p>'
    assert searchable_html(page, {}) == page
    unclosed = '<p><span class="arithmatex"><span>x</span></p>'
    assert searchable_html(unclosed, {"math": {"markup": [formula_digest('<span class="arithmatex"><span>x</span></span>')]}}) == unclosed
