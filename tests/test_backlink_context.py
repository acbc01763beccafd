"""Backlink context: the linking sentence(s) as inline HTML — code stays code, math stays math, the link highlighted."""
from __future__ import annotations

import re

from katex_support import fresh_cache
from link_vaults import build, write_vault

from kbgen.build import build_vault
from kbgen.config import KbgenConfig


def _contexts(html: str) -> list[str]:
    return re.findall(r'<p class="kb-backlink-context">(.*?)</p>', html, re.S)


def test_code_stays_code_and_other_links_are_plain_text(tmp_path):
    result = build(tmp_path, {
        "a.md": "# A\n",
        "b.md": "# B\n",
        "src.md": "Write `[[a#b]]` to link, as in [[b|the B note]] and [[a]] — and *see* <https://x.org>.\n",
    })
    [context] = _contexts(result.rendered["a.md"].html)
    assert context == ('Write <code>[[a#b]]</code> to link, as in <span class="kb-backlink-link">the B note</span> and '
                       '<mark class="kb-backlink-here">a</mark> — and <em>see</em> '
                       '<span class="kb-backlink-link">https://x.org</span>.')
    assert "<a " not in context


def test_math_in_the_context_is_typeset(tmp_path):
    notes = write_vault(tmp_path / "notes", {"a.md": "# A\n", "src.md": "By [[a]], $x^2 \\geq 0$ always.\n"})
    result = build_vault(KbgenConfig(notes_dir=notes, cache_dir=fresh_cache(tmp_path)))
    [context] = _contexts(result.rendered["a.md"].html)
    # Typeset as MathML only (the browser lays it out): the same formula as the note's, its KaTeX HTML half left out.
    assert context.startswith('By <mark class="kb-backlink-here">a</mark>, <span class="arithmatex kb-math-mathml">'
                              '<math xmlns="http://www.w3.org/1998/Math/MathML">')
    source_math = re.search(r"<math\b.*?</math>", result.rendered["src.md"].html, re.S).group(0)
    assert source_math in context and 'class="katex' not in context
    assert "$x^2" not in context and "kbgen-math" not in context
    assert not [d for d in result.diagnostics if d.code == "math"]


def test_a_long_paragraph_is_cut_at_word_boundaries_around_the_link(tmp_path):
    before = " ".join(f"word{i}" for i in range(80))
    after = " ".join(f"tail{i}" for i in range(80))
    result = build(tmp_path, {"a.md": "# A\n", "src.md": f"{before} **bold [[a]] here** {after}\n"})
    [context] = _contexts(result.rendered["a.md"].html)
    assert context.startswith("… word") and context.endswith(" …")
    assert '<strong>bold <mark class="kb-backlink-here">a</mark> here</strong>' in context
    words = re.sub(r"<[^>]+>", "", context).strip("… ").split()
    assert all(re.fullmatch(r"(word|tail)\d+|bold|a|here", w) for w in words)  # no word cut in half
    assert len(re.sub(r"<[^>]+>", "", context)) <= 250


def test_only_the_linking_sentence_of_a_long_paragraph(tmp_path):
    first = "This first sentence is long enough that it will not bring any other sentence along with it."
    result = build(tmp_path, {"a.md": "# A\n", "src.md": f"{first} Then [[a]] is linked here, in a sentence "
                                                         "that is also long enough to stand on its own. Last one.\n"})
    [context] = _contexts(result.rendered["a.md"].html)
    assert context == ('Then <mark class="kb-backlink-here">a</mark> is linked here, in a sentence that is also '
                       'long enough to stand on its own.')


def test_author_html_in_the_context_is_dropped(tmp_path):
    result = build(tmp_path, {"a.md": "# A\n", "src.md": "Link [[a]] <img src=x onerror=alert(1)> end.\n"})
    [context] = _contexts(result.rendered["a.md"].html)
    assert "<img" not in context and context == 'Link <mark class="kb-backlink-here">a</mark>  end.'
