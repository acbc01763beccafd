"""Hover previews on a page reached through Material's instant navigation, in headless Chromium.

With ``navigation.instant`` Material swaps the page's content in place of a
full load, so code that binds to the first page's links would miss the new
page's. The site is built by `kbgen build` from a config that turns it on; a
marker set on the first page's window proves the second page came without a
reload (Material only does this for the site_url it was built for, so the
site is built after its server has a port). Also: keyboard focus shows a preview without moving focus into it (Tab
goes on to the next link), and unresolved and external links show none. Mermaid
diagrams (a flowchart and a sequence diagram on one page) draw after instant navigation too.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import block_external_requests, require_browser, serve_directory

NOTES = {
    "start.md": "# Start\n\nGo on to [[middle]]. Diagrams: [[diagrams]].\n",
    "middle.md": ("# Middle\n\nRead [[target]] first, then [[nowhere]] and "
                  "[Outside](https://example.org/) and [[start|back]].\n"),
    "target.md": "# Target\n\nThe target's opening paragraph says hello.\n\n## Later\n\nMore.\n",
    "diagrams.md": ("# Diagrams\n\n```mermaid\nflowchart LR\n  In[Flow in] --> Out[Flow out]\n```\n\n"
                    "```mermaid\nsequenceDiagram\n  Alice->>Bob: Seq hello\n  Bob-->>Alice: Seq reply\n```\n"),
}
CONFIG = """site_name: Instant
site_url: {site_url}
theme:
  name: material
  language: en
  font: false
  features: [navigation.instant, navigation.prune]
plugins: [search, kbgen]
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The folder the site is built into (by ``base_url``, once the server's port is known)."""
    require_browser()
    return tmp_path_factory.mktemp("instant-site")


@pytest.fixture(scope="module")
def base_url(site: Path):
    """Serve first, then build: Material 9.8 intercepts only links in sitemap.xml, whose URLs
    keep site_url's port and path (it swaps only scheme and host), so site_url must be this server."""
    from kbgen.cli import main

    out = site / "site"
    out.mkdir()
    with serve_directory(out) as base:
        for rel, text in NOTES.items():
            (site / "notes").mkdir(exist_ok=True)
            (site / "notes" / rel).write_text(text, encoding="utf-8")
        (site / "mkdocs.yml").write_text(CONFIG.format(site_url=base), encoding="utf-8")
        assert main(["build", "--config", str(site / "mkdocs.yml"), "--notes", str(site / "notes"),
                     "--site", str(out), "-q"]) == 0
        yield base


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    block_external_requests(context)
    page = context.new_page()
    page.kb_errors = []
    page.on("pageerror", lambda exc: page.kb_errors.append(str(exc)))
    yield page
    context.close()


def _arrive_instantly(page, base_url: str, name: str = "middle") -> None:
    """Open Start, then follow its link to ``name`` through instant navigation (no reload)."""
    page.goto(base_url + "start/")
    page.wait_for_function("window.document$ !== undefined")
    page.evaluate("window.kbSameDocument = true")
    page.locator("article p a.kb-link", has_text=name).click()
    page.wait_for_url(base_url + name + "/", timeout=15000)
    page.locator("article h1", has_text=name.capitalize()).wait_for(timeout=15000)
    assert page.evaluate("window.kbSameDocument === true"), "the page was reloaded: instant navigation is off"


def test_flowchart_and_sequence_diagram_draw_after_instant_navigation(page, base_url):
    modules: list[str] = []
    page.on("request", lambda r: modules.append(r.url) if "assets/mermaid/" in r.url else None)
    _arrive_instantly(page, base_url, "diagrams")
    page.wait_for_function("document.querySelectorAll('pre.kb-mermaid[data-kb-drawn] svg').length === 2",
                           timeout=30000)
    flow, sequence = page.locator("pre.kb-mermaid").all()
    assert "Flow out" in flow.locator("svg").text_content()
    assert "Seq hello" in sequence.locator("svg").text_content()
    assert "Seq reply" in sequence.locator("svg").text_content()
    assert not modules[0].endswith(".min.js") and modules[0].endswith("mermaid.esm.min.mjs")
    # Only these two diagram types' chunks came, not those of the other twenty-odd.
    assert any("/flowDiagram-" in url for url in modules) and any("/sequenceDiagram-" in url for url in modules)
    assert not any("/ganttDiagram-" in url or "/mindmap" in url for url in modules)
    assert page.kb_errors == []


def test_hover_preview_works_after_instant_navigation(page, base_url):
    _arrive_instantly(page, base_url)
    page.locator("article p a.kb-link", has_text="target").hover()
    preview = page.locator(".kb-preview")
    preview.wait_for(state="visible", timeout=15000)
    assert preview.locator(".kb-preview-title").inner_text() == "Target"
    assert "says hello" in preview.inner_text()
    page.mouse.move(5, 5)
    preview.wait_for(state="hidden", timeout=15000)
    assert page.kb_errors == []


def test_unresolved_and_external_links_show_no_preview(page, base_url):
    _arrive_instantly(page, base_url)
    for link in (page.locator("article .kb-unresolved", has_text="nowhere"),
                 page.locator("article a", has_text="Outside")):
        link.hover()
        page.wait_for_timeout(900)  # past the preview delay
        assert page.locator(".kb-preview:visible").count() == 0
    # The same page's resolved link still previews: the silence above is not a broken script.
    page.locator("article p a.kb-link", has_text="target").hover()
    page.locator(".kb-preview").wait_for(state="visible", timeout=15000)


def test_keyboard_focus_previews_without_trapping_focus(page, base_url):
    _arrive_instantly(page, base_url)
    page.mouse.move(5, 5)
    target = page.locator("article p a.kb-link", has_text="target")
    for _ in range(60):  # Tab from the top of the page until the link has focus, as a keyboard user would
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the link")
    preview = page.locator(".kb-preview")
    preview.wait_for(state="visible", timeout=15000)
    assert "says hello" in preview.inner_text()
    # Nothing inside the popover can take focus, and the next Tab leaves the link for the page's next one.
    assert preview.evaluate("el => [...el.querySelectorAll('a, button, input, [tabindex]')]"
                            ".filter(n => n.tabIndex >= 0).length") == 0
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "back" or page.evaluate("document.activeElement.closest('article') !== null")
    assert not page.evaluate("document.querySelector('.kb-preview').contains(document.activeElement)")
    preview.wait_for(state="hidden", timeout=15000)
    assert page.kb_errors == []
