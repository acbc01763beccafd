"""Math delimiters exactly as Obsidian reads them: one row per case, with the HTML expected.

Formulas are shown as ``⟦i:TeX⟧`` (inline), ``⟦d:TeX⟧`` (display inside a
paragraph) and ``⟦B:TeX⟧`` (a display block), so a row reads as the page
would, without KaTeX's markup.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbgen.config import KbgenConfig
from kbgen.markdown.renderer import NoteRenderer
from kbgen.vault.load import note_from_text
from kbgen.vault.vault import Vault

_PLACEHOLDER = re.compile(r"<!--kbgen-math:[0-9a-f]+:(\d+)-->")


def render_marked(renderer: NoteRenderer, text: str) -> tuple[str, list]:
    """The note's HTML with each formula as a readable marker, and its diagnostics."""
    note = note_from_text("n.md", Path("vault") / "n.md", text)
    parsed = renderer.parse(note, Vault(root=Path("vault"), notes={"n.md": note}))
    env = parsed.env
    body = renderer.md.renderer.render(parsed.tokens, renderer.md.options, env)
    formulas = env.pop("_math_formulas", [])

    def marker(match: re.Match) -> str:
        formula = formulas[int(match.group(1))]
        kind = "B" if formula.block else ("d" if formula.display else "i")
        return f"⟦{kind}:{formula.tex}⟧"

    return _PLACEHOLDER.sub(marker, body).strip(), env["report"].items


def _renderer(tmp_path_factory, **options) -> NoteRenderer:
    return NoteRenderer(KbgenConfig(notes_dir=Path("vault"), cache_dir=tmp_path_factory.mktemp("cache"), **options))


@pytest.fixture(scope="module")
def obsidian(tmp_path_factory) -> NoteRenderer:
    return _renderer(tmp_path_factory)


@pytest.fixture(scope="module")
def arithmatex(tmp_path_factory) -> NoteRenderer:
    return _renderer(tmp_path_factory, math_latex_delimiters=True)


# (case, note text, expected HTML) — the default, Obsidian's rules.
OBSIDIAN_CASES = [
    ("inline", "a $x^2$ b", "<p>a ⟦i:x^2⟧ b</p>"),
    ("inline next to Hangul", "값 $x$는 양수", "<p>값 ⟦i:x⟧는 양수</p>"),
    ("space inside dollars is text", "a $ x $ b", "<p>a $ x $ b</p>"),
    ("currency", "$5 and $10", "<p>$5 and $10</p>"),
    ("escaped dollar", "\\$x\\$ costs", "<p>$x$ costs</p>"),
    ("display block", "$$\nx = 1\n$$", "⟦B:x = 1⟧"),
    ("one-line display block", "$$x$$", "⟦B:x⟧"),
    ("display inside a line", "a $$x$$ b", "<p>a ⟦d:x⟧ b</p>"),
    ("block right after a paragraph line", "text\n$$\nx\n$$", "<p>text</p>\n⟦B:x⟧"),
    ("closer with text after it", "$$\n\\nabla^2 u = 0\n$$ is called **Laplace's equation**",
     "⟦B:\\nabla^2 u = 0⟧\n<p>is called <strong>Laplace's equation</strong></p>"),
    ("closer glued to text", "$$\nu=0\n$$Consider a thin plate, $t$ thick.\n\n## Next",
     '⟦B:u=0⟧\n<p>Consider a thin plate, ⟦i:t⟧ thick.</p>\n'
     '<h2 id="next">Next<a class="headerlink" href="#next" title="Permanent link">&para;</a></h2>'),
    ("closer after TeX on its line", "$$\na = b\nc = d $$\n\nafter $y$",
     "⟦B:a = b\nc = d⟧\n<p>after ⟦i:y⟧</p>"),
    ("TeX on the opener line", "$$a = b\n$$", "⟦B:a = b⟧"),
    ("closer after leading tabs", "$$\nx\n\t\t$$\ntext", "⟦B:x⟧\n<p>text</p>"),
    ("two blocks, text between", "$$\na\n$$ then\n$$\nb\n$$", "⟦B:a⟧\n<p>then</p>\n⟦B:b⟧"),
    ("display opened mid-paragraph", "where $$\nx\n$$ is it", "<p>where ⟦d:x⟧ is it</p>"),
    ("blank line inside display", "$$\na\n\nb\n$$", "⟦B:a\n\nb⟧"),
    ("display in a list item", "- item\n  $$\n  x\n  $$\n- next",
     "<ul>\n<li>item⟦B:x⟧\n</li>\n<li>next</li>\n</ul>"),
    ("display in a quote", "> $$\n> x\n> $$", "<blockquote>\n⟦B:x⟧\n</blockquote>"),
    ("unclosed stays text", "a $$ b\n\n## Head", '<p>a $$ b</p>\n'
     '<h2 id="head">Head<a class="headerlink" href="#head" title="Permanent link">&para;</a></h2>'),
    ("unclosed block opener stays text", "$$\nx\n\nlater $y$", "<p>$$\nx</p>\n<p>later ⟦i:y⟧</p>"),
    ("bracket escape is text", "\\[위키 링크\\]", "<p>[위키 링크]</p>"),
    ("bracket escape in code-like text", "Literal\\['all'\\]", "<p>Literal['all']</p>"),
    ("bracket escape as a line", "\\[build-system\\]\nrequires = []", "<p>[build-system]\nrequires = []</p>"),
    ("paren escape is text", "\\(a+b\\)", "<p>(a+b)</p>"),
    ("star and underscore escapes", "\\*not\\* \\_em\\_", "<p>*not* _em_</p>"),
    ("bare environment is text", "\\begin{align}\na\n\\end{align}", "<p>\\begin{align}\na\n\\end{align}</p>"),
    ("code span is never math", "`$x$` and $y$", "<p><code>$x$</code> and ⟦i:y⟧</p>"),
]

# With ``math_latex_delimiters: true`` (notes from MkDocs/arithmatex).
ARITHMATEX_CASES = [
    ("paren inline", "a \\(x\\) b", "<p>a ⟦i:x⟧ b</p>"),
    ("bracket inline display", "a \\[x\\] b", "<p>a ⟦d:x⟧ b</p>"),
    ("bracket block", "\\[\nx\n\\]", "⟦B:x⟧"),
    ("bare align", "\\begin{align}\na\n\\end{align}", "⟦B:\\begin{align}\na\n\\end{align}⟧"),
    ("dollars still work", "$$\nx\n$$ after", "⟦B:x⟧\n<p>after</p>"),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in OBSIDIAN_CASES], ids=[c[0] for c in OBSIDIAN_CASES])
def test_obsidian_delimiters(obsidian, text, expected):
    html, _ = render_marked(obsidian, text)
    assert html == expected


@pytest.mark.parametrize("text, expected", [c[1:] for c in ARITHMATEX_CASES], ids=[c[0] for c in ARITHMATEX_CASES])
def test_latex_delimiters_when_turned_on(arithmatex, text, expected):
    html, _ = render_marked(arithmatex, text)
    assert html == expected


@pytest.mark.parametrize("text, line, col", [
    ("a $$ b", 0, 3),
    ("intro\n\n$$\nx\n\nmore", 2, 1),
    ("> quote\n> text $$ y", 1, 8),
])
def test_unclosed_double_dollar_is_a_warning_at_its_line(obsidian, text, line, col):
    _, diagnostics = render_marked(obsidian, text)
    unclosed = [d for d in diagnostics if d.code == "math-unclosed"]
    assert [(d.line, d.col, d.severity) for d in unclosed] == [(line + 1, col, "warning")]


def test_closed_math_gives_no_warning(obsidian):
    _, diagnostics = render_marked(obsidian, "$$\nx\n$$ text $y$ and $$z$$")
    assert not [d for d in diagnostics if d.code.startswith("math")]
