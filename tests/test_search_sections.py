"""kbgen.search.sections gives the sections Material's search Parser gives, or declines the page.

Held to Material's own parser (html.parser) on generated markup with every construct its
handlers treat specially, on odd inputs, on the pages of real builds (the sample notes, a
vault with quizzes, embeds, formulas and diagnostics, the shared bench vault), and through
whole builds: the site with the shortcut equals the site without it, search index included.
"""
from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from material.plugins.search import plugin as material_search

from kbgen import mkdocs_search
from kbgen.search.sections import page_sections

from parallel_vault import write_parallel_vault
from test_search_parser import MATERIAL_SECTION
from test_site_build import assert_same_site, config_file, kbgen_build

ROOT = Path(__file__).resolve().parent.parent
MAKE_VAULT = ROOT.parent / "shared" / "bench" / "make_vault.py"


def materials(html: str) -> list[tuple] | type[Exception]:
    """Material's sections of ``html`` with Material's own classes, or the exception its parser raised."""
    original = material_search.Section
    material_search.Section = MATERIAL_SECTION
    try:
        parser = material_search.Parser()
        parser.feed(html)
        parser.close()
    except Exception as exc:  # noqa: BLE001 - compared with what page_sections does with it
        return type(exc)
    finally:
        material_search.Section = original
    return [(s.el.tag, s.is_excluded(), s.id, list(s.title), list(s.text)) for s in parser.data]


def fast(html: str) -> list[tuple] | None:
    sections = page_sections(html)
    if sections is None:
        return None
    return [(s.tag, s.is_excluded(), s.id, list(s.title), list(s.text)) for s in sections]


def assert_same(html: str) -> bool:
    """page_sections equals Material's parser on ``html``, or declines it; True when it answered."""
    want, got = materials(html), fast(html)
    if isinstance(want, type):
        assert got is None, f"Material's parser raised {want.__name__}, page_sections answered: {html!r}"
        return False
    if got is not None:
        assert got == want, html
    return got is not None


# -- generated markup ------------------------------------------------------------------------

_TEXTS = ["기울기 소실", "a &amp; b", "x &lt; y &gt; z", "&#39;q&#x27;", "&nbsp;", "&bogus; & alone", "\n",
          "  ", " \n \t", "\u3000", "\xa0", "tab\there", "line\nbreak", "", "ReLU(x)", "&amp", "\r\n"]
_KEPT = ["p", "code", "pre", "li", "ol", "ul", "sub", "sup"]
_OTHER = ["div", "span", "strong", "em", "a", "section", "details", "summary", "table", "td", "mark", "kb-quiz-key",
          "math", "mi", "blockquote", "nav"]
_VOID = ["br", "img", "input", "hr", "wbr"]


def _attrs(rng: random.Random, tag: str) -> str:
    out = []
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        out.append(rng.choice([
            ' class="kn"', " data-search-exclude", ' data-search-exclude=""', ' class="linenodiv"',
            ' class="headerlink"', " class='headerlink'", ' CLASS="headerlink"', ' class="header&#108;ink"',
            f' id="i{rng.randint(0, 9)}"', ' ID="up"', ' id="a&amp;b"', ' id=""', ' title="x > y"',
            ' href="#s"', ' data-x="1"\n', ' class="kb-link x"', " hidden", ' class="linenodiv" class="x"']))
    return "".join(out)


def _random_markup(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 8 if depth < 3 else 2)):
        kind = rng.random()
        if kind < 0.3:
            parts.append(rng.choice(_TEXTS))
        elif kind < 0.7 and depth < 5:
            tag = rng.choice(_KEPT + _OTHER + [f"h{rng.randint(1, 6)}"])
            shown = tag.upper() if rng.random() < 0.1 else tag
            inner = _random_markup(rng, depth + 1)
            close = rng.random()
            if close < 0.85:
                parts.append(f"<{shown}{_attrs(rng, tag)}>{inner}</{tag}>")
            elif close < 0.92:
                parts.append(f"<{shown}{_attrs(rng, tag)}>{inner}")  # never closed
            else:
                parts.append(f"<{shown}{_attrs(rng, tag)}/>{inner}")  # self-closed, not void
        elif kind < 0.8:
            tag = rng.choice(_VOID)
            parts.append(rng.choice([f"<{tag}>", f"<{tag}/>", f"<{tag} />", f"<{tag}{_attrs(rng, tag)}>"]))
        elif kind < 0.9:
            parts.append(f"</{rng.choice(_KEPT + _OTHER + ['h2'])}>")  # a stray closing tag
        elif kind < 0.95:
            parts.append(rng.choice(["<!--kb-quiz:1a2b-->", "<!--/kb-quiz:x-->", "<!---->"]))
        else:
            level = rng.randint(1, 6)
            permalink = '<a class="headerlink" href="#h" title="Permanent link">&para;</a>'
            parts.append(f'<h{level} id="h{rng.randint(0, 99)}">{rng.choice(_TEXTS)} <code>c</code>{permalink}</h{level}>')
    return "".join(parts)


@pytest.mark.parametrize("seed", range(300))
def test_generated_markup_gives_materials_sections(seed: int) -> None:
    assert_same(_random_markup(random.Random(seed)))


def test_generated_markup_is_mostly_answered_without_materials_parser() -> None:
    answered = sum(assert_same(_random_markup(random.Random(seed))) for seed in range(1000, 1300))
    assert answered >= 250  # declined only where Material's parser itself raises


@pytest.mark.parametrize("html", [
    "", "plain text only", "<p>a</p>", "<h1 id='t'>T</h1><p>x</p><h2 id='s'>S</h2><p>y</p>",
    "<h2 id='first'>not h1 first</h2><p>x</p>",
    "<div><h2 id='in'>In a div</h2><p>inside</p></div><p>after the div</p>",
    "<section><div><h3 id='d'>deep</h3><p>a</p></div><p>b</p></section><p>c</p>",
    "<div data-search-exclude><div>inner</div>still excluded?</div><p>after</p>",
    "<div data-search-exclude><p>gone</p></div><p>kept</p>",
    "<h2 id='x' data-search-exclude>hidden heading</h2><p>its text</p>",
    "<pre><code>a\n\n  b\n</code></pre><p>\n\n</p><p> </p>",
    "<pre><span>  </span>\n<span> </span></pre>",
    "<td class=\"linenodiv\"><pre>1\n2</pre></td><td><pre>code</pre></td>",
    "<p>a<br>b<br/>c<br />d<img src='x.png' alt='y'></p>",
    "<ul><li>one</li><li> </li><li></li></ul><ol><li><p>p</p></li></ol>",
    "<p><code></code> <code>x</code></p>", "<P>upper</P><H2 ID=\"U\">Upper</H2>",
    "</p></li>text", "<p>unclosed <strong>bold", "<kb-quiz-key data-search-exclude><p>answer</p></kb-quiz-key>",
    "<p>x<sub>2</sub> y<sup> </sup></p>", "<div/>after<p/>p",
    "<h2 id='a'>A<a class=\"headerlink\" href=\"#a\">&para;</a></h2>",
    "<h2 id='b'><a class=\"headerlink\" href=\"#b\"><code>c</code>¶</a>B</h2>",
    "text &amp;&lt;&gt;&quot; &#169; &copy &unknown; &#x1F600; &", "<p>&amp;amp;</p>",
    "<!--comment--><p>after a comment</p>", "<p>a<!--c-->b</p>", "<h1-x>custom</h1-x>",
])
def test_odd_markup_gives_materials_sections(html: str) -> None:
    assert_same(html)


@pytest.mark.parametrize("html", [
    "<p>a < b</p>", "<p>a <3 b</p>", "x <", "<p class=bare>unquoted</p>", "<p class = \"spaced\">",
    "<!DOCTYPE html><p>x</p>", "<?pi x?><p>y</p>", "<![CDATA[x]]>", "<!-- a -- b -->", "<!--x--!>",
    "<script>var a = '<p>';</script><p>x</p>", "<style>p{}</style>", "<textarea><p></textarea>",
    "<title>t</title>", "<noscript><p>x</p></noscript>", "<p\xa0class=\"x\">nbsp in a tag</p>",
    "<p a=\"1\"b=\"2\">no space between</p>", "</ p>", "</p x>", "<p/ >", "<h1.x>", "<p\x0bclass=\"v\">",
])
def test_markup_outside_the_subset_goes_to_materials_parser(html: str) -> None:
    assert page_sections(html) is None
    materials(html)  # Material's parser takes it as it always did


def test_a_closing_tag_material_cannot_match_is_declined_like_its_error() -> None:
    # The <p> opens while excluded (not written); the inner </div> ends the exclusion of every div
    # (Material's skip set compares elements by tag), so </p> is looked for and list.index raises.
    html = "<div data-search-exclude><p><div></div></p></div>"
    assert assert_same(html) is False


# -- pages of real builds ---------------------------------------------------------------------

def _pages_seen_by_search(tmp: Path, notes: Path, monkeypatch) -> list[str]:
    seen: list[str] = []
    original = material_search.SearchIndex.add_entry_from_context

    def record(self, page):
        seen.append(page.content)
        return original(self, page)

    with monkeypatch.context() as m:
        m.setattr(material_search.SearchIndex, "add_entry_from_context", record)
        m.setattr(mkdocs_search, "use_sections_index", lambda index: None)
        kbgen_build(config_file(tmp, notes, tmp / "site", tmp / "cache"), jobs=1)
    return seen


def _assert_pages_answered(pages: list[str]) -> None:
    assert pages
    answered = sum(assert_same(html) for html in pages)
    # Only pages with raw-text elements (the Quizzes page's data, noscript notices) are declined.
    declined = [html[:80] for html in pages if page_sections(html) is None]
    assert all(any(f"<{t}" in html for t in ("script", "noscript")) for html in pages
               if page_sections(html) is None), declined
    assert answered >= len(pages) - 3


def test_sample_notes_pages_give_materials_sections(tmp_path, monkeypatch):
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", notes)
    _assert_pages_answered(_pages_seen_by_search(tmp_path, notes, monkeypatch))


def test_cross_note_vault_pages_give_materials_sections(tmp_path, monkeypatch):
    notes = write_parallel_vault(tmp_path / "notes", 80)
    _assert_pages_answered(_pages_seen_by_search(tmp_path, notes, monkeypatch))


def test_bench_vault_pages_give_materials_sections(tmp_path, monkeypatch):
    if not MAKE_VAULT.is_file():
        pytest.skip(f"{MAKE_VAULT} not available")
    subprocess.run([sys.executable, str(MAKE_VAULT), str(tmp_path / "notes"), "150"], check=True,
                   stdout=subprocess.DEVNULL)
    _assert_pages_answered(_pages_seen_by_search(tmp_path, tmp_path / "notes", monkeypatch))


# -- whole builds ------------------------------------------------------------------------------

_ODD_NOTE = """# 이상한 노트

<div data-search-exclude><p>숨김</p><div>안쪽</div>드러남?</div>

<p>a < b 그리고 <span class=bare>따옴표 없음</span></p>

<script>var x = "<p>";</script>

## 절 <code>c</code>

<pre><code>  공백
</code></pre>
"""


def test_site_with_the_shortcut_equals_the_site_with_materials_parser(tmp_path, monkeypatch):
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", notes)
    (notes / "odd.md").write_text(_ODD_NOTE, encoding="utf-8")
    write_parallel_vault(notes / "vault", 40)
    kbgen_build(config_file(tmp_path, notes, tmp_path / "site", tmp_path / "cache"), jobs=1)
    with monkeypatch.context() as m:
        m.setattr(mkdocs_search, "use_sections_index", lambda index: None)
        kbgen_build(config_file(tmp_path, notes, tmp_path / "site-material", tmp_path / "cache-material"), jobs=1)
    docs = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site" / "search" / "docs").glob("*.json"))
    assert "숨김" not in docs and "드러남" in docs and "공백" in docs  # Material's exclusion quirk, code kept
    assert_same_site(tmp_path / "site", tmp_path / "site-material")
