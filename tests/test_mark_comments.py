"""==highlight== and %%comment%%: tables of cases through the real renderer and loader."""
from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.vault.comments import strip_comments
from kbgen.vault.load import note_from_text
from render_support import render, render_html

HIGHLIGHTS = [
    ("==핵심==", "<p><mark>핵심</mark></p>"),
    ("a ==b== c", "<p>a <mark>b</mark> c</p>"),
    ("==핵심==가 중요", "<p><mark>핵심</mark>가 중요</p>"),
    ("==핵심(core)==가", "<p><mark>핵심(core)</mark>가</p>"),
    ("==**bold** in mark==", "<p><mark><strong>bold</strong> in mark</mark></p>"),
    ("**==mark== in bold**", "<p><strong><mark>mark</mark> in bold</strong></p>"),
    ("==*em*==", "<p><mark><em>em</em></mark></p>"),
    ("==[link](https://e.org)==", '<p><mark><a href="https://e.org">link</a></mark></p>'),
    ("[==in link==](https://e.org)", '<p><a href="https://e.org"><mark>in link</mark></a></p>'),
    ("`==code==`", "<p><code>==code==</code></p>"),
    ("\\==not==", "<p>==not==</p>"),
    ("===not===", "<p>===not===</p>"),
    ("a == b == c", "<p>a == b == c</p>"),
    ("==unclosed", "<p>==unclosed</p>"),
    ("= single =", "<p>= single =</p>"),
    ("==a==b==", "<p><mark>a</mark>b==</p>"),
]


@pytest.mark.parametrize("source, expected", HIGHLIGHTS)
def test_highlight(source: str, expected: str) -> None:
    assert render_html(source).strip() == expected


def test_highlight_not_inside_math() -> None:
    html = render_html("$a ==b== c$")
    assert "<mark>" not in html


def test_highlight_not_inside_fenced_code() -> None:
    html = render_html("```\n==x==\n```")
    assert "<mark>" not in html and "==x==" in html


def test_setext_heading_underline_is_not_a_highlight() -> None:
    html = render_html("Title\n==")
    assert "<h1" in html and "<mark>" not in html


# (source, text after stripping)
COMMENTS = [
    ("a %%secret%% b", "a  b"),
    ("%%secret%%", ""),
    ("a %%one%% b %%two%% c", "a  b  c"),
    ("a %%x\ny\nz%% b", "a \n\n b"),
    ("%%\nblock\ncomment\n%%\nafter", "\n\n\n\nafter"),
    ("`%%code%%` %%gone%%", "`%%code%%` "),
    ("``a ` %%x%% ``", "``a ` %%x%% ``"),
    ("```\n%%fenced%%\n```\n%%gone%%", "```\n%%fenced%%\n```\n"),
    ("~~~matlab\n%% cell\n~~~", "~~~matlab\n%% cell\n~~~"),
    ("`unmatched %%x%% y", "`unmatched  y"),
    ("%%x%%text", "text"),
    ("no comment", "no comment"),
    ("50% off, 20% more", "50% off, 20% more"),
    ("a %%open\nrest\nof note", "a \n\n"),
    # Indented code keeps %% (an unclosed one hides nothing); it never interrupts a paragraph.
    ("text\n\n    x = 1 %% y\n\nafter %%c%%", "text\n\n    x = 1 %% y\n\nafter "),
    ("    %% cell\n\n    b\n\nvisible", "    %% cell\n\n    b\n\nvisible"),
    ("\t%%x\n\nok", "\t%%x\n\nok"),
    ("para\n    %%x%% more", "para\n     more"),
    # Inside a list an indented line is the item's text unless indented 4 past the item's content.
    ("1. step\n\n    more %%x%%", "1. step\n\n    more "),
    ("- a\n\n      code %% x\n\n- b %%c%%", "- a\n\n      code %% x\n\n- b "),
    ("- a\n  - b\n\n    b text %%x%%", "- a\n  - b\n\n    b text "),
    ("- a\n\nout\n\n    code %% x", "- a\n\nout\n\n    code %% x"),
    # Fences inside callouts, quotes and list items keep %% (Jupyter %%time, MATLAB cells) up to
    # their closing fence, or up to where their quote or item ends.
    ("> [!example]\n> ```python\n> %%time\n> ```\n%%gone%%", "> [!example]\n> ```python\n> %%time\n> ```\n"),
    ("> ```\n> %%x\n\n%%secret%% after", "> ```\n> %%x\n\n after"),
    ("- item\n\n    ```\n    %% cell\n    ```\n%%gone%%", "- item\n\n    ```\n    %% cell\n    ```\n"),
    ("- a\n  ```\n  %%x\nout %%secret%%", "- a\n  ```\n  %%x\nout "),
    ("1. a\n   ~~~\n   %% y\n   ~~~\n   b %%c%%", "1. a\n   ~~~\n   %% y\n   ~~~\n   b "),
    # Formulas keep %% (TeX); `$` rules as the renderer's: no space inside, no digit after the closer.
    ("$a %% b$ %%gone%%", "$a %% b$ "),
    ("in $$x %% y$$ line", "in $$x %% y$$ line"),
    ("costs $5 and %%c%% $6", "costs $5 and  $6"),
    ("$ a %%c%% b$", "$ a  b$"),
    ("\\$a %%c%% b$", "\\$a  b$"),
    ("$$\na %% b\n$$\n%%gone%%", "$$\na %% b\n$$\n"),
    ("$$\na %% b\n$$ tail %%gone%%", "$$\na %% b\n$$ tail "),
    ("> $$\n> a %% b\n> $$", "> $$\n> a %% b\n> $$"),
    ("$$\n%%x%%", "$$\n"),
    ("$$ %%x%%", "$$ "),
    # The construct that starts first wins: a comment opened before a formula or code hides it.
    ("%% $a %% b$", " b$"),
    ("%% `a %% b`", " b`"),
    ("`a` %%x%% `b`", "`a`  `b`"),
]


@pytest.mark.parametrize("source, expected", COMMENTS)
def test_strip_comments(source: str, expected: str) -> None:
    stripped = strip_comments(source)
    assert stripped.text == expected
    assert stripped.text.count("\n") == source.count("\n")  # line numbers stay right


@pytest.mark.parametrize("source", [
    "Visible %%private remark%% text.",
    "# Title\n\n%%\nprivate remark\n%%\n\nVisible text.",
    "Visible text.\n\n- item %%private remark%%\n\n> quote %%private\nremark%%",
    "Visible text. %%private remark never closed\n\n## Heading\n\nmore",
    "| a | b |\n|---|---|\n| Visible text. | %%private remark%% |",
])
def test_comment_never_reaches_html(source: str) -> None:
    rendered = render(source)
    assert "private" not in rendered.html and "remark" not in rendered.html
    assert "Visible" in rendered.html
    assert "%%" not in rendered.html
    assert all("private" not in entry["name"] for entry in rendered.toc)


def test_comment_in_heading_leaves_toc_and_title() -> None:
    note = note_from_text("n.md", Path("vault/n.md"), "# Real %%secret%% title\n\n## Part %%hidden%%")
    assert note.title == "Real  title"
    assert "secret" not in note.source and "hidden" not in note.source
    rendered = render("# Real %%secret%% title\n\n## Part %%hidden%%")
    assert [entry["name"] for entry in rendered.toc[0]["children"]] == ["Part"]


def test_unclosed_comment_warns_at_its_line() -> None:
    diagnostics: list = []
    text = "---\ntitle: T\n---\nline one\nline two %%starts here\nhidden\n"
    note = note_from_text("n.md", Path("vault/n.md"), text, diagnostics=diagnostics)
    assert [d.format() for d in diagnostics] == [
        "n.md:5:10: warning: unclosed %% comment: the rest of the note is hidden [comment]"]
    assert "hidden" not in note.body and "starts" not in note.body


def test_later_diagnostics_keep_their_line_numbers() -> None:
    # The bad formula is on file line 7 whether or not a multi-line comment precedes it.
    source = "---\ntitle: T\n---\n%%\na\nb\n%%\n\n$\\frac{$"
    plain = "---\ntitle: T\n---\n\na\nb\n\n\n$\\frac{$"
    lines = [[d.line for d in render(text).diagnostics if d.severity == "error"] for text in (source, plain)]
    assert lines[0] == lines[1] and lines[0] == [9]


def test_percent_signs_in_code_and_formulas_reach_the_page() -> None:
    source = ("Intro.\n\n    %% MATLAB cell\n    x = 1\n\n$$\nx %% y\n$$\n\n"
              "Inline $a %% b$ and `%%`.\n\n> [!example]\n> ```python\n> %%timeit\n> ```\n\n"
              "Still here. %%private%%")
    rendered = render(source)
    assert '<span class="o">%%</span><span class="n">timeit</span>' in rendered.html  # inside the callout's code
    assert "<code>%% MATLAB cell\nx = 1\n</code></pre>" in rendered.html
    # The formulas reach KaTeX whole (it reads % as TeX's own comment).
    assert '<annotation encoding="application/x-tex">x %% y</annotation>' in rendered.html
    assert '<annotation encoding="application/x-tex">a %% b</annotation>' in rendered.html
    assert "<code>%%</code>" in rendered.html
    assert "Still here." in rendered.html and "private" not in rendered.html
    assert not [d for d in rendered.diagnostics if d.code == "comment"]
