"""Formulas typeset by KaTeX at build time: markup, errors at their line, cache, macros, fallback."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbgen.build import build_vault
from kbgen.cli import main
from kbgen.config import KbgenConfig
from kbgen.katex import engine as katex_engine
from kbgen.katex.fetch import KATEX_INTEGRITY, KatexFetchError, verify_integrity

from katex_support import fresh_cache

SEED = "What is Vanishing Gradient.md"

BROKEN = """---
title: 깨진 수식
---
# 제목

앞 문단 $x^2$ 정상.

깨진 수식: $\\frac{1}{$ 끝.

- 항목
  $$
  \\frac}{1}
  $$

뒤 문단도 그대로.
"""
# KaTeX's error, then MathJax's: neither accepts these.
INLINE_ERROR = ("KaTeX parse error: Unexpected end of input in a macro argument, expected '}' at end of input: "
                "\\frac{1}{ (MathJax: Missing close brace)")
BLOCK_ERROR = "KaTeX parse error: Extra } at position 6: \\frac}{1} (MathJax: Extra close brace or missing open brace)"


def _vault(tmp_path: Path, notes: dict[str, str]) -> Path:
    root = tmp_path / "notes"
    for name, text in notes.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _build(notes_dir: Path, cache: Path, **options):
    return build_vault(KbgenConfig(notes_dir=notes_dir, cache_dir=cache, **options))


def _text(page_html: str) -> str:
    """What a reader sees as text: tags dropped, KaTeX's TeX annotations too."""
    page_html = re.sub(r"<annotation[^>]*>.*?</annotation>", "", page_html, flags=re.S)
    return re.sub(r"<[^>]+>", "", page_html)


def _math_diagnostics(build) -> list[str]:
    return [d.format() for d in build.diagnostics if d.code in ("math", "math-engine")]


# -- seed 002 -------------------------------------------------------------------------------


def test_seed_002_every_formula_is_typeset(tmp_path, sample_vault):
    build = _build(sample_vault, fresh_cache(tmp_path))
    page = build.rendered[SEED].html
    # 8 display blocks (one in a list item) + inline $\alpha = 0.01$
    assert build.rendered[SEED].data["math"] == {**build.rendered[SEED].data["math"], "formulas": 9, "errors": 0, "browser": 0}
    assert page.count('<span class="katex">') == 9
    assert page.count('<span class="katex-display">') == 8
    assert page.count("<math xmlns=\"http://www.w3.org/1998/Math/MathML\"") == 9
    assert page.count('<div class="arithmatex">') == 8
    assert "katex-error" not in page
    text = _text(page)
    assert "$" not in text, re.findall(r".{30}\$.{30}", text)
    # the `cases` block written inside a list item stays in that item
    item = re.search(r"<li>도함수:(.*?)</li>", page, re.S)
    assert item and "katex-display" in item.group(1) and "{cases}" in item.group(1)
    # \alpha inline, inside the bold run, before the Korean particle
    assert re.search(r'보통 <span class="arithmatex"><span class="katex">.*?α.*?</span></span>\)를 유지', page)
    assert _math_diagnostics(build) == []


def test_pages_without_math_carry_no_math_data(tmp_path, sample_vault):
    build = _build(sample_vault, fresh_cache(tmp_path))
    assert [p for p, r in build.rendered.items() if r.data.get("math")] == [SEED]


# -- errors ---------------------------------------------------------------------------------


def test_broken_formulas_are_reported_at_their_line_and_column(tmp_path):
    build = _build(_vault(tmp_path, {"broken.md": BROKEN}), fresh_cache(tmp_path))
    assert _math_diagnostics(build) == [
        f"broken.md:8:18: error: {INLINE_ERROR} [math]",
        f"broken.md:12:8: error: {BLOCK_ERROR} [math]",
    ]


def test_broken_formula_shows_its_source_in_a_box_with_the_error_and_the_page_renders(tmp_path):
    page = _build(_vault(tmp_path, {"broken.md": BROKEN}), fresh_cache(tmp_path)).rendered["broken.md"].html
    error = ("KaTeX parse error: Unexpected end of input in a macro argument, expected &#x27;}&#x27; at end of "
             "input: \\frac{1}{")
    assert (f'<span class="arithmatex kb-math-error" title="{error}'
            f' (MathJax: Missing close brace)"><code class="kb-math-source">\\frac{{1}}{{</code>') in page
    assert '<div class="arithmatex kb-math-error"' in page and '<code class="kb-math-source">\\frac}{1}</code>' in page
    assert page.count('<span class="katex">') == 1  # $x^2$ is still typeset
    assert "<h1" in page and "앞 문단" in page and "뒤 문단도 그대로." in page


def test_note_text_never_becomes_markup(tmp_path):
    note = "$\\text{<img src=x onerror=alert(1)>}$ 와 $\\frac{<script>alert(1)</script>$\n"
    page = _build(_vault(tmp_path, {"x.md": note}), fresh_cache(tmp_path)).rendered["x.md"].html
    assert "<img" not in page and "<script" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_check_command_reports_a_broken_formula(tmp_path, capsys):
    vault = _vault(tmp_path, {"broken.md": BROKEN})
    cache = fresh_cache(tmp_path)
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: t\ndocs_dir: notes\nplugins:\n  - kbgen:\n      cache_dir: {cache.name}\n", encoding="utf-8")
    status = main(["check", "--config", str(config), "--notes", str(vault)])
    out = capsys.readouterr().out
    assert status == 1
    assert f"broken.md:8:18: error: {INLINE_ERROR} [math]" in out.splitlines()


# -- cache ----------------------------------------------------------------------------------


def test_unchanged_vault_is_typeset_once(tmp_path, sample_vault):
    (sample_vault / "broken.md").write_text(BROKEN, encoding="utf-8")
    (sample_vault / "same formula.md").write_text("$x^2$ 그리고\n$$\n\\text{ReLU}(x) = \\max(0, x)\n$$\n", encoding="utf-8")
    cache = fresh_cache(tmp_path)
    cold = _build(sample_vault, cache)
    engine = katex_engine.get_engine(cache)
    assert engine is not None
    calls, formulas = engine.calls, engine.formulas

    warm = _build(sample_vault, cache)
    assert (engine.calls, engine.formulas) == (calls, formulas)  # not one formula typeset again
    assert {p: r.html for p, r in warm.rendered.items()} == {p: r.html for p, r in cold.rendered.items()}
    # errors come from the cache too: the warm build still reports them
    assert _math_diagnostics(warm) == _math_diagnostics(cold) != []


def test_a_vault_goes_to_the_engine_in_one_call_and_repeats_are_typeset_once(tmp_path):
    notes = {
        "a.md": "$x^2$, $y^2$, $x^2$\n\n$$\nz = 1\n$$\n",
        "b.md": "$x^2$ 다시, 그리고 $w$\n",
    }
    vault = _vault(tmp_path, notes)
    cache = fresh_cache(tmp_path)
    engine = katex_engine.get_engine(cache)
    calls, formulas = engine.calls, engine.formulas
    _build(vault, cache)
    # every note is parsed before any is rendered: x^2, y^2, z = 1 and w go in one call
    assert (engine.calls - calls, engine.formulas - formulas) == (1, 4)


# -- macros ---------------------------------------------------------------------------------


def test_macros_from_the_configuration(tmp_path):
    vault = _vault(tmp_path, {"m.md": "$x \\in \\R$ 이고 $\\argmax_x f(x)$\n"})
    macros = {"\\R": "\\mathbb{R}", "argmax": "\\operatorname*{arg\\,max}"}  # YAML may drop the backslash
    build = _build(vault, fresh_cache(tmp_path), math_macros=macros)
    page = build.rendered["m.md"].html
    assert _math_diagnostics(build) == []
    assert '<span class="mord mathbb">R</span>' in page
    assert "arg" in _text(page) and "max" in _text(page)


def test_changed_macros_are_not_served_from_the_cache(tmp_path):
    vault = _vault(tmp_path, {"m.md": "$\\R$\n"})
    cache = fresh_cache(tmp_path)
    first = _build(vault, cache, math_macros={"\\R": "\\mathbb{R}"}).rendered["m.md"].html
    second = _build(vault, cache, math_macros={"\\R": "\\mathcal{R}"}).rendered["m.md"].html
    assert "mathbb" in first and "mathcal" in second


# -- site assets ----------------------------------------------------------------------------


def test_site_serves_katex_css_and_woff2_fonts_itself(tmp_path, sample_vault):
    build = _build(sample_vault, fresh_cache(tmp_path))
    files = {f.dest: f for f in build.files if f.dest.startswith("assets/katex/")}
    css = files["assets/katex/katex.min.css"].read_bytes().decode("utf-8")
    fonts = set(re.findall(r"url\((fonts/[^)]+)\)", css))
    assert len(fonts) == 20 and all(f.endswith(".woff2") for f in fonts)
    assert {f"assets/katex/{f}" for f in fonts} <= set(files)
    assert all(files[f"assets/katex/{f}"].read_bytes()[:4] == b"wOF2" for f in fonts)
    assert "assets/katex/katex.min.css" in build.extra_css
    assert "assets/katex/katex.min.js" not in files and not any("katex" in js for js in build.extra_javascript)
    assert "//" not in re.sub(r"/\*.*?\*/", "", css).replace("url(fonts/", "")  # no CDN or absolute URL


def test_vault_without_math_ships_no_katex(tmp_path):
    build = _build(_vault(tmp_path, {"a.md": "그냥 글, $5 and $10.\n"}), fresh_cache(tmp_path))
    assert not any(f.dest.startswith("assets/katex/") for f in build.files)


# -- without an engine ----------------------------------------------------------------------


def test_without_an_engine_the_browser_typesets_and_the_build_says_so_once(tmp_path, monkeypatch):
    from kbgen.emit import katex_assets
    from kbgen.katex import typeset

    monkeypatch.setattr(typeset, "get_engine", lambda cache_dir: None)
    monkeypatch.setattr(katex_assets, "unavailable_reason", lambda cache_dir: "the mini-racer package is not installed")
    vault = _vault(tmp_path, {"a.md": "$x<1$ 와\n$$\ny\n$$\n", "b.md": "$z$\n"})
    build = _build(vault, fresh_cache(tmp_path), math_macros={"\\R": "\\mathbb{R}"})
    assert _math_diagnostics(build) == [
        "a.md:1:1: warning: math: 3 formula(s) will be typeset in the browser, and broken ones go unreported: "
        "the mini-racer package is not installed [math-engine]"
    ]
    page = build.rendered["a.md"].html
    assert '<span class="arithmatex" data-kb-math="inline">x&lt;1</span>' in page
    assert '<div class="arithmatex" data-kb-math="display">y</div>' in page
    files = {f.dest: f.read_bytes().decode("utf-8") for f in build.files if f.dest.endswith(".js")}
    assert files["assets/katex/katex-fallback.js"].startswith('window.kbgenKatexMacros = {"\\\\R": "\\\\mathbb{R}"};')
    assert "katex.render(" in files["assets/katex/katex-fallback.js"]
    assert build.extra_javascript[-2:] == ["assets/katex/katex.min.js", "assets/katex/katex-fallback.js"]


def test_without_katex_at_all_the_build_succeeds_and_shows_tex(tmp_path, monkeypatch):
    from kbgen.emit import katex_assets
    from kbgen.katex import typeset

    monkeypatch.setattr(typeset, "get_engine", lambda cache_dir: None)
    monkeypatch.setattr(katex_assets, "ensure_katex", lambda cache_dir: None)
    monkeypatch.setattr(katex_assets, "last_error", lambda: "npm is not installed, so KaTeX cannot be fetched")
    build = _build(_vault(tmp_path, {"a.md": "$x$\n", "b.md": "$y$\n"}), tmp_path / "empty-cache")
    assert _math_diagnostics(build) == [
        "a.md:1:1: warning: math: KaTeX could not be fetched (npm is not installed, so KaTeX cannot be fetched); "
        "formulas are shown as TeX source [math-engine]"
    ]
    assert '<span class="arithmatex" data-kb-math="inline">x</span>' in build.rendered["a.md"].html
    assert not any(f.dest.startswith("assets/katex/") for f in build.files)


# -- fetching -------------------------------------------------------------------------------


def test_a_tarball_that_fails_its_integrity_check_is_refused():
    with pytest.raises(KatexFetchError, match="failed its integrity check"):
        verify_integrity(b"not katex", KATEX_INTEGRITY)


def test_embedded_formulas_are_typeset_and_their_errors_reported_once_at_their_own_note(tmp_path):
    notes = {"source.md": "# 원본\n\n정상 $x^2$ 와 깨진 $\\frac{1}{$\n", "page.md": "# 페이지\n\n![[source]]\n"}
    build = _build(_vault(tmp_path, notes), fresh_cache(tmp_path))
    page = build.rendered["page.md"].html
    assert page.count('<span class="katex">') == 1 and page.count('kb-math-error') == 1
    assert "kbgen-math" not in page  # no placeholder left behind
    assert _math_diagnostics(build) == [f"source.md:3:25: error: {INLINE_ERROR} [math]"]


def test_a_result_sqlite_cannot_hold_is_not_cached_and_breaks_nothing(tmp_path):
    """An engine's message may cut a formula between the halves of a surrogate pair (found by
    tests/test_fuzz.py: '$[[\\x1f𐀀0[[[[[---000𐀀$'); the formula cache skips it, keeps the others."""
    from kbgen.katex.cache import FormulaCache
    from kbgen.katex.engine import RenderResult

    cache = FormulaCache(tmp_path / "math.sqlite3")
    cache.put_many({b"bad": RenderResult(None, "cannot parse 000\ud800…", 2),
                    b"good": RenderResult("<span>x</span>")})
    got = cache.get_many([b"bad", b"good"])
    assert list(got) == [b"good"] and got[b"good"].html == "<span>x</span>"
