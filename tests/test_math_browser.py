"""In headless Chromium, with the network off: formulas are laid out in KaTeX's own fonts.

The site is built by `kbgen build` (MkDocs + Material + kbgen) and served on
127.0.0.1; every other request is aborted. Scripts are switched off in the
page, to show that reading a formula needs no KaTeX JavaScript.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from browser_support import block_external_requests, launch_chromium, require_browser, serve_directory
from katex_support import fresh_cache

from kbgen.cli import main

SEED_URL = quote("What-is-Vanishing-Gradient/")

_LAYOUT = """async () => {
  await document.fonts.ready;
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  // a formula's own extent: its .katex-base runs, not the block that holds it
  const ink = (el) => [...el.querySelectorAll('.katex-html > .katex-base')].map(box)
    .reduce(([w, h], [bw, bh]) => [w + bw, Math.max(h, bh)], [0, 0]);
  const inline = document.querySelector('span.arithmatex > .katex');
  return {
    loaded: [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replace(/"/g, '')),
    mainReady: document.fonts.check('1em KaTeX_Main'),
    mathReady: document.fonts.check('italic 1em KaTeX_Math'),
    displays: [...document.querySelectorAll('div.arithmatex .katex-display')].map(ink),
    inline: inline ? ink(inline) : null,
    mathml: [...document.querySelectorAll('.katex-mathml')].map(box),
    variableFont: getComputedStyle(document.querySelector('.katex .mathnormal')).fontFamily,
    katexScripts: document.querySelectorAll('script[src*="katex"]').length,
    errors: document.querySelectorAll('.katex-error').length,
  };
}"""


def _build_site(tmp_path: Path, notes: Path) -> Path:
    cache = fresh_cache(tmp_path)
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: 수식 테스트\ndocs_dir: notes\nuse_directory_urls: true\n"
        "theme:\n  name: material\n  language: ko\n  font: false\n"
        f"plugins:\n  - kbgen:\n      cache_dir: {cache}\n",
        encoding="utf-8",
    )
    site = tmp_path / "site"
    assert main(["build", "--config", str(config), "--notes", str(notes), "--site", str(site), "-q"]) == 0
    return site


def test_formulas_render_offline_in_katex_fonts_without_javascript(tmp_path, sample_vault):
    require_browser()
    from playwright.sync_api import sync_playwright

    site = _build_site(tmp_path, sample_vault)
    assert (site / "assets/katex/fonts/KaTeX_Main-Regular.woff2").is_file()
    with serve_directory(site) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(java_script_enabled=False)
            block_external_requests(context)
            page = context.new_page()
            failed_local: list[str] = []
            page.on("requestfailed", lambda r: failed_local.append(r.url) if r.url.startswith(base) else None)
            page.goto(base + SEED_URL, wait_until="networkidle")
            layout = page.evaluate(_LAYOUT)
        finally:
            browser.close()

    assert failed_local == []
    assert layout["errors"] == 0 and layout["katexScripts"] == 0
    assert {"KaTeX_Main", "KaTeX_Math"} <= set(layout["loaded"]), layout["loaded"]
    assert layout["mainReady"] and layout["mathReady"]
    assert layout["variableFont"].startswith("KaTeX_Math")
    # 8 display formulas, each really laid out: wider than a few characters, taller than a line of text
    assert len(layout["displays"]) == 8
    assert all(width > 60 and height > 15 for width, height in layout["displays"]), layout["displays"]
    assert layout["inline"] is not None and layout["inline"][0] > 30 and layout["inline"][1] > 8
    # the MathML copy is for screen readers only: clipped to nothing on screen
    assert all(width <= 1 and height <= 1 for width, height in layout["mathml"])
