"""What KaTeX rejects but Obsidian's MathJax shows: rewritten for KaTeX, else MathJax's SVG, else a reported box."""
from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.build import build_vault
from kbgen.config import KbgenConfig
from kbgen.katex.rewrite import rewrite

from katex_support import fresh_cache


@pytest.mark.parametrize("tex, display, expected", [
    ("q^\\bigoplus", False, "q^{\\bigoplus}"),
    ("x_\\sum + y^\\sqrt2 + z^\\sqrt[3]{x}", False, "x_{\\sum} + y^{\\sqrt2} + z^{\\sqrt[3]{x}}"),
    ("a^\\frac12", False, "a^{\\frac12}"),
    ("\\mbox{if } \\mathbbm{1}", False, "\\text{if } \\mathbb{1}"),
    ("\\DeclareMathOperator*{\\argmax}{arg\\,max} \\argmax_x", True,
     "\\def\\argmax{\\operatorname*{arg\\,max}} \\argmax_x"),
    ("\\begin{eqnarray} a &=& b \\end{eqnarray}", True, "\\begin{array}{rcl} a &=& b \\end{array}"),
    ("\\require{cancel}\\cancel{x}\\label{eq:1}", True, "\\cancel{x}"),
    ("\\begin{align} a &= b \\end{align}", False, "\\begin{aligned} a &= b \\end{aligned}"),
    ("\\begin{align} a &= b \\end{align}", True, "\\begin{align} a &= b \\end{align}"),
    ("x^2 + \\alpha", False, "x^2 + \\alpha"),
])
def test_rewrites_keep_the_meaning(tex, display, expected):
    assert rewrite(tex, display) == expected


def test_a_redefining_newcommand_becomes_renewcommand_only_when_katex_says_so():
    tex = "\\newcommand{\\R}{x}\\R"
    assert rewrite(tex, True) == tex
    assert rewrite(tex, True, "\\newcommand{\\R} attempting to redefine \\R") == "\\renewcommand{\\R}{x}\\R"


NOTE = """# 호환

직합 $q^\\bigoplus$ 와 합 $x_\\sum$.

MathJax 전용 $\\bbox[yellow]{x}$ 와 $\\enclose{circle}{x}$.

$$
\\begin{multline} a + b \\\\ + c \\end{multline}
$$

둘 다 거부 $\\frac{1}{$ 와 $\\style{background:red}{x}$.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compat")
    (tmp / "notes").mkdir()
    (tmp / "notes" / "c.md").write_text(NOTE, encoding="utf-8")
    return build_vault(KbgenConfig(notes_dir=tmp / "notes", cache_dir=fresh_cache(tmp)))


def test_each_formula_takes_the_expected_path(built):
    stats = built.rendered["c.md"].data["math"]
    assert {k: stats[k] for k in ("formulas", "katex", "rewritten", "mathjax", "failed", "errors")} == {
        "formulas": 7, "katex": 0, "rewritten": 2, "mathjax": 3, "failed": 2, "errors": 2}


def test_rewritten_formulas_are_katex_and_mathjax_ones_are_svg(built):
    page = built.rendered["c.md"].html
    assert page.count('<span class="katex">') == 2
    assert page.count('class="arithmatex kb-mathjax"') == 3 and page.count("<svg") >= 3
    assert '<div class="arithmatex kb-mathjax"><mjx-container class="MathJax" jax="SVG" display="true">' in page


def test_only_formulas_neither_accepts_are_reported_and_boxed(built):
    page = built.rendered["c.md"].html
    problems = [(d.line, d.col, d.code, d.message) for d in built.diagnostics if d.code.startswith("math")]
    assert [(line, col, code) for line, col, code, _ in problems] == [(11, 18, "math"), (11, 23, "math")]
    assert "(MathJax: Undefined control sequence \\style)" in problems[1][3]
    assert page.count('class="arithmatex kb-math-error"') == 2
    # \style is MathJax's html package, switched off: note text never becomes a style.
    assert 'style="background' not in page and "<code class=\"kb-math-source\">\\style{background:red}{x}</code>" in page
