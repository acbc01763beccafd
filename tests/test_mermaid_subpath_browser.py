"""Mermaid's ES modules under a site_url subpath with use_directory_urls: false, in headless Chromium.

The loader imports ``assets/mermaid/mermaid.esm.min.mjs`` from the site root it
derives from its own script's URL, and the entry imports its chunks relative to
itself; here the site lives at ``/docs/kb/`` and the page at ``deep/a.html``.
Python's http.server (what the tests serve with) must send ``.mjs`` as
JavaScript, or Chromium refuses the module.
"""
from __future__ import annotations

from pathlib import Path

from browser_support import block_external_requests, launch_chromium, require_browser, serve_directory

CONFIG = """site_name: Subpath
site_url: http://example.org/docs/kb/
use_directory_urls: false
theme:
  name: material
  language: en
  font: false
plugins: [search, kbgen]
"""


def test_sequence_diagram_draws_under_a_subpath_without_directory_urls(tmp_path: Path):
    require_browser()
    from playwright.sync_api import sync_playwright

    from kbgen.cli import main

    notes = tmp_path / "notes" / "deep"
    notes.mkdir(parents=True)
    (notes / "a.md").write_text("# A\n\n```mermaid\nsequenceDiagram\n  Alice->>Bob: Seq hello\n```\n",
                                encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    out = tmp_path / "root" / "docs" / "kb"
    assert main(["build", "--config", str(tmp_path / "mkdocs.yml"), "--notes", str(tmp_path / "notes"),
                 "--site", str(out), "-q"]) == 0
    with serve_directory(tmp_path / "root") as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context()
        block_external_requests(context)
        page = context.new_page()
        modules: dict[str, str] = {}
        page.on("response", lambda r: modules.__setitem__(r.url, r.headers.get("content-type", ""))
                if "/assets/mermaid/" in r.url else None)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "docs/kb/deep/a.html")
        page.wait_for_selector("pre.kb-mermaid[data-kb-drawn] svg", timeout=30000)
        assert "Seq hello" in page.text_content("pre.kb-mermaid svg")
        browser.close()
    entry = base + "docs/kb/assets/mermaid/mermaid.esm.min.mjs"
    assert entry in modules
    assert all(url.startswith(base + "docs/kb/assets/mermaid/") for url in modules)
    assert all("javascript" in kind for kind in modules.values()), modules
    assert errors == []
