"""Math syntax with Obsidian's rules: what becomes a formula, and what stays text or code.

These tests parse with kbgen's full MarkdownIt set-up (every syntax plugin on)
and look at the tokens; pages without formulas are rendered too, which needs
no KaTeX.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.config import KbgenConfig
from kbgen.markdown.renderer import NoteRenderer
from kbgen.vault.load import note_from_text
from kbgen.vault.vault import Vault


@pytest.fixture(scope="module")
def renderer(tmp_path_factory) -> NoteRenderer:
    return NoteRenderer(KbgenConfig(notes_dir=Path("vault"), cache_dir=tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="module")
def latex_renderer(tmp_path_factory) -> NoteRenderer:
    """With ``math_latex_delimiters``: \\(…\\), \\[…\\] and bare environments are math too."""
    return NoteRenderer(KbgenConfig(notes_dir=Path("vault"), cache_dir=tmp_path_factory.mktemp("cache"),
                                    math_latex_delimiters=True))


def _parse(renderer: NoteRenderer, text: str):
    note = note_from_text("n.md", Path("vault") / "n.md", text)
    return renderer.parse(note, Vault(root=Path("vault"), notes={"n.md": note}))


def math_tokens(renderer: NoteRenderer, text: str) -> list[tuple]:
    """(type, content, display, map) of every formula, in document order."""
    found = []
    for token in _parse(renderer, text).tokens:
        if token.type == "math_block":
            found.append(("block", token.content, True, token.map))
        for child in token.children or []:
            if child.type == "math_inline":
                found.append(("inline", child.content, child.meta["display"], None))
    return found


def html_without_math(renderer: NoteRenderer, text: str) -> str:
    parsed = _parse(renderer, text)
    assert not any(t.type == "math_block" or any(c.type == "math_inline" for c in t.children or []) for t in parsed.tokens)
    return renderer.render(parsed).html


# -- inline ---------------------------------------------------------------------------------


def test_inline_dollar_next_to_korean_and_punctuation(renderer):
    text = "- **x ≤ 0에서도 작은 기울기(보통 $\\alpha = 0.01$)를 유지**하여 뉴런이 죽는 문제 해결."
    assert math_tokens(renderer, text) == [("inline", "\\alpha = 0.01", False, None)]


def test_formula_followed_by_korean_particle(renderer):
    assert math_tokens(renderer, "값 $x^2$는 양수다") == [("inline", "x^2", False, None)]


def test_currency_is_not_math(renderer):
    html = html_without_math(renderer, "사과는 $5 and $10, 배는 $20.")
    assert "<p>사과는 $5 and $10, 배는 $20.</p>" in html


def test_closing_dollar_before_a_digit_does_not_close(renderer):
    html = html_without_math(renderer, "from $x to y$5")
    assert "from $x to y$5" in html


@pytest.mark.parametrize("text", ["$ x$ here", "here $x $", "a $ b $ c"])
def test_space_just_inside_the_dollars_is_not_math(renderer, text):
    assert text in html_without_math(renderer, text)


def test_escaped_dollar_is_a_literal_dollar(renderer):
    html = html_without_math(renderer, "가격은 \\$5 이고 \\$x\\$ 도 글자다")
    assert "가격은 $5 이고 $x$ 도 글자다" in html


def test_escaped_dollar_inside_a_formula_does_not_close_it(renderer):
    assert math_tokens(renderer, "cost $\\$5 + y$ ok") == [("inline", "\\$5 + y", False, None)]


def test_double_dollar_on_one_line_inside_a_paragraph_is_display(renderer):
    assert math_tokens(renderer, "앞 $$E = mc^2$$ 뒤") == [("inline", "E = mc^2", True, None)]


def test_paren_and_bracket_delimiters(latex_renderer):
    assert math_tokens(latex_renderer, "inline \\(a+b\\) and display \\[c\\] here") == [
        ("inline", "a+b", False, None),
        ("inline", "c", True, None),
    ]


def test_unclosed_double_dollar_stays_text(renderer):
    html = html_without_math(renderer, "연산자 $$ 와 $x 는 닫히지 않음")
    assert "연산자 $$ 와 $x 는 닫히지 않음" in html


def test_math_inside_table_cells(renderer):
    text = "| f | 도함수 |\n|---|---|\n| $\\sigma$ | $\\sigma(1-\\sigma)$ |\n"
    assert [c for _, c, _, _ in math_tokens(renderer, text)] == ["\\sigma", "\\sigma(1-\\sigma)"]


# -- code is never math ---------------------------------------------------------------------


def test_code_span_and_fence_and_indented_code_are_not_math(renderer):
    text = "쉘 변수 `$HOME` 과 `$x$`\n\n```\nprice = $5  # $x$\n$$\ny\n$$\n```\n\n    $$\n    z\n    $$\n"
    html = html_without_math(renderer, text)
    assert "<code>$HOME</code>" in html and "<code>$x$</code>" in html
    assert "price = $5  # $x$\n$$\ny\n$$" in html and "$$\nz\n$$" in html


def test_dollar_in_a_code_span_does_not_close_a_formula(renderer):
    html = html_without_math(renderer, "Price $5 and `$HOME` var")
    assert "Price $5 and <code>$HOME</code> var" in html


# -- display blocks -------------------------------------------------------------------------


def test_display_block_right_after_a_paragraph_line(renderer):
    text = "역전파를 수식으로 보면:\n$$\n\\frac{\\partial L}{\\partial W}\n$$\n다음 문단"
    parsed = _parse(renderer, text)
    types = [t.type for t in parsed.tokens]
    assert types[:3] == ["paragraph_open", "inline", "paragraph_close"]
    block = next(t for t in parsed.tokens if t.type == "math_block")
    assert block.content.strip() == "\\frac{\\partial L}{\\partial W}"
    assert block.map == [1, 4]
    assert parsed.tokens[-2].content == "다음 문단"


@pytest.mark.parametrize("indent", ["  ", "    ", "\t"])
def test_display_block_in_a_list_item(renderer, indent):
    text = f"- 도함수:\n{indent}$$\n{indent}f'(x) =\n{indent}\\begin{{cases}} 1 \\\\ 0 \\end{{cases}}\n{indent}$$\n- 다음 항목\n"
    parsed = _parse(renderer, text)
    types = [t.type for t in parsed.tokens]
    block = types.index("math_block")
    assert types.index("list_item_open") < block < types.index("list_item_close")
    assert parsed.tokens[block].content.split() == ["f'(x)", "=", "\\begin{cases}", "1", "\\\\", "0", "\\end{cases}"]
    assert types.count("list_item_open") == 2


def test_display_block_in_blockquote_and_callout(renderer):
    assert math_tokens(renderer, "> 인용\n> $$\n> x^2\n> $$\n") == [("block", "\nx^2\n", True, [1, 4])]
    parsed = _parse(renderer, "> [!note] 정리\n> 본문\n> $$\n> x^2\n> $$\n")
    html_types = [t.type for t in parsed.tokens]
    assert "math_block" in html_types and parsed.tokens[html_types.index("math_block")].map == [2, 5]


def test_single_line_display_block(renderer):
    assert math_tokens(renderer, "$$a^2 + b^2 = c^2$$") == [("block", "a^2 + b^2 = c^2", True, [0, 1])]


def test_bracket_display_block(latex_renderer):
    assert math_tokens(latex_renderer, "문단\n\\[\nx = 1\n\\]\n") == [("block", "\nx = 1\n", True, [1, 4])]


def test_bare_align_environment(latex_renderer):
    text = "정의:\n\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}\n끝"
    assert math_tokens(latex_renderer, text) == [
        ("block", "\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}", True, [1, 5])
    ]


def test_other_environments_are_not_math(latex_renderer):
    assert "\\begin{itemize}" in html_without_math(latex_renderer, "\\begin{itemize}\n\\item a\n\\end{itemize}")


def test_blank_lines_inside_a_display_block(renderer):
    assert math_tokens(renderer, "$$\na\n\nb\n$$") == [("block", "\na\n\nb\n", True, [0, 5])]


def test_a_stray_double_dollar_does_not_swallow_the_note(renderer):
    html = html_without_math(renderer, "- 항목\n  $$\n  x\n\n다른 문단")
    assert "다른 문단" in html


def test_math_off_leaves_dollars_as_text(tmp_path):
    renderer = NoteRenderer(KbgenConfig(notes_dir=Path("vault"), cache_dir=tmp_path, math=False))
    html = html_without_math(renderer, "$x$ and\n$$\ny\n$$")
    assert "$x$ and\n$$\ny\n$$" in html
