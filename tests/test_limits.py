"""Per-note limits: over a limit a note is still published, the excess visible, one warning naming the limit."""
from __future__ import annotations

import re
from pathlib import Path

from link_vaults import build, page

from kbgen.build import build_vault
from kbgen.config import KbgenConfig


def _codes(result, src_path: str) -> dict[str, tuple[int, str]]:
    return {d.code: (d.line, d.message) for d in result.diagnostics if d.path == src_path}


def test_note_over_max_note_size_is_cut_at_a_line_with_a_notice(tmp_path: Path) -> None:
    body = "".join(f"line {i} of text\n" for i in range(1000))
    result = build(tmp_path, {"big.md": "# big\n\n" + body}, max_note_size=5000, math=False, language="en")
    html = page(result, "big.md")
    assert "<p>line 0 of text" in html
    assert "line 999 of text" not in html
    assert html.rstrip().endswith('<p class="kb-limit">This note is too large: only its first part is published.</p>')
    line, message = _codes(result, "big.md")["too-large"]
    assert "max_note_size (5,000)" in message
    text_lines = (tmp_path / "notes" / "big.md").read_text()[:5000].count("\n")
    assert line == text_lines + 1  # the first line left out
    assert not any(d.severity == "error" for d in result.diagnostics)


def test_blocks_nested_past_max_nesting_are_shown_as_text_not_dropped(tmp_path: Path) -> None:
    deep = "# q\n\n" + ">" * 40 + " the deepest words\n\nafter\n"
    items = "# l\n\n" + "".join("  " * i + f"- item{i}\n" for i in range(40))
    result = build(tmp_path, {"q.md": deep, "l.md": items}, math=False, max_nesting=10)
    q = page(result, "q.md")
    assert q.count("<blockquote>") == 10
    assert '<pre class="kb-source">' in q and "the deepest words" in q  # markdown-it alone drops it
    assert "<p>after</p>" in q
    lines = page(result, "l.md")
    assert all(f"item{i}" in lines for i in range(40))
    assert _codes(result, "q.md")["too-deep"][0] == 3
    assert "max_nesting" in _codes(result, "l.md")["too-deep"][1]


def test_links_past_max_links_stay_text(tmp_path: Path) -> None:
    links = " ".join(f"[[a|w{i}]] [m{i}](a.md)" for i in range(10))
    result = build(tmp_path, {"a.md": "# a\n", "many.md": "# many\n\n" + links + "\n"}, math=False, max_links=7)
    html = page(result, "many.md")
    assert html.count('href="../a/"') == 7
    assert "[[a|w4]]" in html and "[[a|w3]]" not in html  # the 8th link (w4) onwards are text
    assert "m9" in html and "(a.md)" not in html
    line, message = _codes(result, "many.md")["too-many-links"]
    assert line == 3 and "max_links" in message
    backlinks = result.vault.indexes["links"].backlinks["a.md"]["many.md"]
    assert backlinks is not None


def test_limits_off_when_zero(tmp_path: Path) -> None:
    body = "x\n" * 3000
    result = build(tmp_path, {"n.md": body}, max_note_size=0, math=False)
    assert page(result, "n.md").count("x") == 3000
    assert "too-large" not in _codes(result, "n.md")


def test_a_single_line_longer_than_max_note_size_is_cut_inside_not_dropped(tmp_path: Path) -> None:
    links = " ".join(f"[[a|w{i}]]" for i in range(2000))
    result = build(tmp_path, {"a.md": "# a\n", "one.md": "# one\n\n" + links + "\n"},
                   max_note_size=5000, math=False, language="en")
    html = page(result, "one.md")
    assert html.count('href="../a/"') > 300  # the line's first part is published, not only the title
    assert "w1999" not in html
    notice = html.index('<p class="kb-limit">This note is too large: only its first part is published.</p>')
    assert notice > html.rindex('href="../a/"')  # after the text kept
    (cut,) = [d for d in result.diagnostics if d.code == "too-large"]
    kept = 5000 - len("# one\n\n")
    assert cut.line == 3 and 1 < cut.col <= kept + 1 and "published up to this column of the line" in cut.message
    assert links[cut.col - 2] == " "  # cut after a space: no link is split


FORMULAS = """---
title: f
---
# f

$a_1$ $a_2$ $a_3$
> $a_4$ text $$a_5$$ and $a<b$

$$
b_6
$$
"""


def test_formulas_past_max_formulas_are_tex_source_with_one_warning(tmp_path: Path) -> None:
    from katex_support import fresh_cache

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "f.md").write_text(FORMULAS, encoding="utf-8")
    result = build_vault(KbgenConfig(notes_dir=notes, cache_dir=fresh_cache(tmp_path), max_formulas=3,
                                     language="en"))
    html = page(result, "f.md")
    assert html.count('class="katex"') == 3  # a_1..a_3, typeset at build time
    assert result.rendered["f.md"].data["math"]["formulas"] == 3  # the rest never reach KaTeX
    untypeset = re.findall(r'<(span|div) class="arithmatex kb-math-untypeset" title="([^"]*)">'
                           r'<code class="kb-math-source">(.*?)</code></\1>', html)
    assert [(tag, tex) for tag, _, tex in untypeset] == [
        ("span", "a_4"), ("span", "a_5"), ("span", "a&lt;b"), ("div", "b_6")]
    assert untypeset[0][1] == "Too many formulas in this note: this one is shown as TeX source."
    warnings = [d for d in result.diagnostics if d.code == "too-many-formulas"]
    assert [(d.path, d.line, d.col, d.severity) for d in warnings] == [("f.md", 7, 3, "warning")]
    assert "more than 3 formulas in this note (max_formulas)" in warnings[0].message


def test_max_formulas_is_configurable_and_counts_display_blocks(tmp_path: Path) -> None:
    from katex_support import fresh_cache

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "g.md").write_text("$x$\n\n> $$\n> y\n> $$\n", encoding="utf-8")
    cache = fresh_cache(tmp_path)
    one = build_vault(KbgenConfig(notes_dir=notes, cache_dir=cache, max_formulas=1))
    assert '<div class="arithmatex kb-math-untypeset"' in page(one, "g.md")
    assert [(d.line, d.col) for d in one.diagnostics if d.code == "too-many-formulas"] == [(3, 3)]
    for limit in (2, 0):  # 0: no limit
        other = build_vault(KbgenConfig(notes_dir=notes, cache_dir=cache, max_formulas=limit))
        assert "kb-math-untypeset" not in page(other, "g.md")
        assert page(other, "g.md").count('class="katex-display"') == 1
        assert not [d for d in other.diagnostics if d.code == "too-many-formulas"]
    assert KbgenConfig.from_mapping({"max_formulas": 7}).max_formulas == 7
