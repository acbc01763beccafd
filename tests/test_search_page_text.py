"""The search index sees a page without its typeset formulas: every recorded formula out, the rest kept."""
from __future__ import annotations

from kbgen.search import searchable_html
from render_support import render


def test_typeset_formulas_leave_the_search_text_and_the_rest_stays() -> None:
    formulas = " ".join(f"$x_{{{i}}}$" for i in range(300))  # 300 distinct formulas
    rendered = render(f"# f\n\nbefore {formulas} after\n\n$$\\frac{{a}}{{b}}$$\n\nbad $\\frac{{$ end\n")
    html = rendered.html
    assert html.count('class="arithmatex"') == 301
    text = searchable_html(html, rendered.data)
    assert "katex" not in text and 'class="arithmatex"' not in text
    assert "before" in text and "after" in text and "end" in text
    assert "kb-math-error" in text  # a formula KaTeX rejected shows its source: searchable
    # Exactly what removing each recorded piece leaves, in one pass instead of one per formula.
    expected = html
    for piece in rendered.data["math"]["markup"]:
        expected = expected.replace(piece, "")
    assert text == expected


def test_markup_not_recorded_is_kept() -> None:
    page = '<p>a <span class="arithmatex"><span>x</span></span> b <div class="arithmatex"><span>y</span></div></p>'
    data = {"math": {"markup": ['<div class="arithmatex"><span>y</span></div>']}}
    assert searchable_html(page, data) == '<p>a <span class="arithmatex"><span>x</span></span> b </p>'
    assert searchable_html(page, {}) == page
    unclosed = '<p><span class="arithmatex"><span>x</span></p>'
    assert searchable_html(unclosed, {"math": {"markup": ['<span class="arithmatex"><span>x</span></span>']}}) == unclosed
