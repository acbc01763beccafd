"""Reading features in a real browser: Mermaid, the local graph, hover previews, private comments.

A full `kbgen build` site served on 127.0.0.1, driven by headless Chromium with
every request outside 127.0.0.1 blocked. Screenshots at desktop and phone
widths go to a temporary folder (printed with -s) for a person to look at.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from browser_support import block_external_requests, build_site, launch_chromium, require_browser

SECRET = "zq-private-remark-7731"
NOTES = {
    "ml/relu.md": f"""---
tags: [ml]
---
# ReLU

ReLU is an ==activation== function. See [[sigmoid]] and [[calculus#Derivative]].

%%{SECRET} inline%%

%%
{SECRET} block
%%

```mermaid
graph TD
  A[Input] --> B{{ReLU}}
  B --> C[Output]
```
""",
    "ml/sigmoid.md": "# Sigmoid\n\nThe sigmoid squashes values into (0, 1). It links back to [[relu]].\n",
    "math/calculus.md": ("# Calculus\n\nCalculus opening paragraph.\n\n## Derivative\n\n"
                         "The derivative measures change.\n\n## Integral\n\nArea.\n"),
    "math/series.md": "# Series\n\nUses [[calculus]].\n",
    "alone.md": "# Alone\n\nNo links at all. [External](https://example.org/)\n",
    "unfinished.md": f"# Unfinished\n\nVisible start. [[relu]]\n\n%% {SECRET} never closed\n\nstill hidden\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    require_browser()
    return build_site(tmp_path_factory.mktemp("reading-site"), NOTES)


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="kbgen-reading-shots-"))
    print(f"\nscreenshots: {folder}")
    return folder


def _page(browser, width: int = 1280, height: int = 900, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    block_external_requests(context)
    page = context.new_page()
    page.kb_errors = []
    page.on("pageerror", lambda exc: page.kb_errors.append(str(exc)))
    return context, page


def test_no_comment_text_anywhere_in_the_built_site(site):
    files = [p for p in site.rglob("*") if p.is_file()]
    assert len(files) > 20
    leaks = [str(p.relative_to(site)) for p in files if SECRET.encode() in p.read_bytes()]
    assert leaks == []
    assert b"still hidden" not in (site / "unfinished" / "index.html").read_bytes()
    assert b"Visible start." in (site / "unfinished" / "index.html").read_bytes()


def test_mermaid_draws_an_svg_and_follows_the_dark_toggle(browser, base_url, shots):
    context, page = _page(browser)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(base_url + "ml/relu/")
    # Mermaid fills the SVG in steps; the loader marks the block when Mermaid is done.
    svg = page.locator("pre.kb-mermaid[data-kb-drawn] svg")
    svg.wait_for(timeout=30000)
    assert "Output" in svg.text_content()
    light = svg.get_attribute("id")
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    page.wait_for_function("document.querySelector('pre.kb-mermaid[data-kb-drawn] svg') && "
                           f"document.querySelector('pre.kb-mermaid svg').id !== {light!r}", timeout=30000)
    assert "Output" in svg.text_content()
    page.screenshot(path=str(shots / "relu-desktop-dark.png"), full_page=True)
    # The ESM entry and the flowchart's chunks, not the code of every other diagram type.
    assert any(url.endswith("assets/mermaid/mermaid.esm.min.mjs") for url in requests)
    assert any("assets/mermaid/chunks/mermaid.esm.min/flowDiagram-" in url for url in requests)
    assert not any("sequenceDiagram-" in url or "ganttDiagram-" in url for url in requests)
    # A page without a diagram never fetches Mermaid.
    requests.clear()
    page.goto(base_url + "ml/sigmoid/")
    page.wait_for_load_state("networkidle")
    assert not any("mermaid" in url for url in requests)
    assert page.kb_errors == []
    context.close()


def test_local_graph_draws_neighbours_and_a_click_navigates(browser, base_url, shots):
    context, page = _page(browser)
    page.goto(base_url + "math/series/")
    graph = page.locator('[data-kb-graph="local"]')
    graph.scroll_into_view_if_needed()
    page.wait_for_selector('[data-kb-graph="local"][data-settled]', timeout=30000)
    # Series → Calculus (1 hop) → ReLU (2 hops); Sigmoid is 3 hops away, Alone has no link.
    assert graph.get_attribute("data-nodes") == "3"
    names = page.locator(".kb-graph-list li a").all_text_contents()
    assert sorted(names) == ["Calculus", "ReLU"]
    legend = page.locator(".kb-graph-legend li").all_inner_texts()
    assert [t.strip() for t in legend] == ["현재 노트", "math", "ml"]
    page.screenshot(path=str(shots / "series-desktop.png"))
    # Click the Calculus node where force-graph drew it (pointing first: it finds nodes on hover).
    graph.scroll_into_view_if_needed()
    point = page.evaluate("""() => {
        const el = document.querySelector('[data-kb-graph="local"]');
        const node = el.kbGraph.graphData().nodes.find(n => n.t === 'Calculus');
        const at = el.kbGraph.graph2ScreenCoords(node.x, node.y);
        const box = el.querySelector('canvas').getBoundingClientRect();
        el.kbGraph.onNodeHover(n => { window.kbHovered = n ? n.t : null; });
        return {x: box.left + at.x, y: box.top + at.y};
    }""")
    page.mouse.move(point["x"] - 6, point["y"] - 6)
    page.mouse.move(point["x"], point["y"], steps=5)
    page.wait_for_function("window.kbHovered === 'Calculus'", timeout=10000)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(base_url + "math/calculus/", timeout=10000)
    assert page.kb_errors == []
    context.close()


def test_global_graph_page_draws_every_published_note(browser, base_url, shots):
    context, page = _page(browser)
    page.goto(base_url + "graph/")
    page.wait_for_selector('[data-kb-graph="global"][data-first-draw-ms]', timeout=30000)
    assert page.get_attribute('[data-kb-graph="global"]', "data-nodes") == "6"
    page.wait_for_selector('[data-kb-graph="global"][data-settled]', timeout=30000)
    page.screenshot(path=str(shots / "graph-desktop.png"))
    context.close()


def test_hovering_a_link_shows_its_preview_and_the_section(browser, base_url, shots):
    context, page = _page(browser)
    page.goto(base_url + "ml/relu/")
    page.locator("article p a.kb-link", has_text="sigmoid").first.hover()
    preview = page.locator(".kb-preview")
    preview.wait_for(state="visible", timeout=5000)
    assert preview.locator(".kb-preview-title").inner_text() == "Sigmoid"
    assert "squashes values" in preview.inner_text()
    assert page.evaluate("document.activeElement.tagName") == "BODY"  # the popover took no focus
    page.screenshot(path=str(shots / "preview-desktop.png"))
    page.mouse.move(5, 5)
    preview.wait_for(state="hidden", timeout=5000)
    # A heading link previews that section, not the opening paragraph.
    page.locator("article p a.kb-link", has_text="Derivative").first.hover()
    preview.wait_for(state="visible", timeout=5000)
    assert "measures change" in preview.inner_text() and "opening paragraph" not in preview.inner_text()
    page.keyboard.press("Escape")
    preview.wait_for(state="hidden", timeout=5000)
    # No preview for external links.
    page.goto(base_url + "alone/")
    page.locator("article a", has_text="External").hover()
    page.wait_for_timeout(900)
    assert page.locator(".kb-preview:visible").count() == 0
    assert page.kb_errors == []
    context.close()


def test_phone_width_has_no_preview_on_touch_and_keeps_the_graph(browser, base_url, shots):
    context, page = _page(browser, width=390, height=844, has_touch=True, is_mobile=True)
    page.goto(base_url + "ml/relu/")
    page.locator("article p a.kb-link", has_text="sigmoid").first.tap()
    page.wait_for_url(base_url + "ml/sigmoid/", timeout=10000)
    assert page.locator(".kb-preview:visible").count() == 0
    page.goto(base_url + "ml/relu/")
    page.locator('[data-kb-graph="local"]').scroll_into_view_if_needed()
    page.wait_for_selector('[data-kb-graph="local"][data-settled]', timeout=30000)
    page.screenshot(path=str(shots / "relu-phone.png"), full_page=True)
    assert page.kb_errors == []
    context.close()
