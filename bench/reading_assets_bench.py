#!/usr/bin/env python3
"""What the reading features' assets add to a note page's transfer, measured in Chromium.

Usage: bench/reading_assets_bench.py [N]   (default 1000)

A copy of the shared synthetic vault (/tmp/vault-N) gets two notes of its own:
one plain note that links to others, and one with a Mermaid diagram. The copy
is built with `kbgen build`, served on 127.0.0.1 (no compression, like a bare
file server) and each of the two pages is opened in headless Chromium twice
over: first as loaded (no scrolling), then after scrolling the local graph into
view (the graph library and data load only then). Every response's bytes come
from Chromium's own accounting (body + headers). Printed per page and phase:
the total, and the part due to the reading assets — kbgen-web.js/.css (previews,
graph and Mermaid loaders), mermaid.min.js, force-graph.min.js, graph.json —
with each asset's gzip -6 size, what a compressing server would send.
Run it under `flock /tmp/kbgen-bench.lock` on a shared machine.
"""
from __future__ import annotations

import gzip
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from graph_bench import vault  # noqa: E402 - the shared vault, made once under /tmp

READING = ("assets/kbgen-web/", "assets/mermaid/", "assets/force-graph/")
# Long enough that the local graph starts below the fold, as under a typical study note.
FILLER = "".join(f"Paragraph {i}: the chain rule multiplies local derivatives layer by layer.\n\n" for i in range(40))
PLAIN = "# Bench plain\n\nA note without a diagram. See [[{a}]] and [[{b}]].\n\n" + FILLER
DIAGRAM = ("# Bench diagram\n\nA note with a diagram. See [[{a}]].\n\n```mermaid\ngraph TD\n"
           "  A[Input] --> B{ReLU}\n  B --> C[Output]\n```\n\n" + FILLER)


def build(n: int, work: Path) -> Path:
    from kbgen.cli import main

    notes = work / "notes"
    shutil.copytree(vault(n), notes)
    names = sorted(p.stem for p in notes.rglob("*.md"))[:2]
    (notes / "bench-plain.md").write_text(PLAIN.replace("{a}", names[0]).replace("{b}", names[1]), encoding="utf-8")
    (notes / "bench-diagram.md").write_text(DIAGRAM.replace("{a}", names[0]), encoding="utf-8")
    site = work / "site"
    assert main(["build", "--notes", str(notes), "--site", str(site), "-q"]) in (0, 1)
    return site


def transfers(browser, url: str, scroll: bool) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Bytes (body + headers) of every response the page loads, by URL."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto(url)
    if not scroll and page.locator("pre.kb-mermaid").count():
        # Checked every frame: the time from navigation start until the diagram is drawn in full
        # (Mermaid fills its SVG in steps: the labels and both edges are the last to arrive).
        drawn = page.wait_for_function(
            "Array.from(document.querySelectorAll('pre.kb-mermaid svg')).some(svg =>"
            " svg.textContent.includes('Output') && svg.querySelectorAll('path.flowchart-link').length === 2)"
            " && performance.now()", polling="raf", timeout=60000)
        print(f"  time to SVG: {drawn.json_value():.0f} ms after navigation start")
    page.wait_for_load_state("networkidle")
    if scroll:
        page.locator('[data-kb-graph="local"]').scroll_into_view_if_needed()
        page.wait_for_selector('[data-kb-graph="local"][data-settled]', timeout=60000)
        if page.locator("pre.kb-mermaid").count():
            page.wait_for_selector("pre.kb-mermaid svg", timeout=60000)
        page.wait_for_load_state("networkidle")
    sizes = {}
    for request in responses:
        size = request.sizes()
        sizes[request.url] = size["responseBodySize"] + size["responseHeadersSize"]
    context.close()
    return sizes


def report(site: Path, base: str, label: str, sizes: dict[str, int]) -> None:
    total = sum(sizes.values())
    reading = {url: b for url, b in sizes.items() if any(part in url for part in READING)}
    lines, packed_total = [], 0
    for url, size in sorted(reading.items()):
        local = site / url[len(base):]
        packed = len(gzip.compress(local.read_bytes(), 6)) if local.is_file() else 0
        packed_total += packed
        lines.append(f"    {url[len(base):]}: {size / 1024:.1f} KB (gzip {packed / 1024:.1f} KB)")
    print(f"  {label}: {len(sizes)} requests, {total / 1024:.1f} KB total; reading assets "
          f"{sum(reading.values()) / 1024:.1f} KB ({100 * sum(reading.values()) / max(total, 1):.0f}%), "
          f"gzip {packed_total / 1024:.1f} KB")
    print("\n".join(lines))
    others = sorted(((b, url) for url, b in sizes.items() if url not in reading), reverse=True)[:3]
    print("    largest others: " + ", ".join(f"{url[len(base):] or '/'} {b / 1024:.1f} KB" for b, url in others))


def main(n: int) -> None:
    from playwright.sync_api import sync_playwright

    from browser_support import launch_chromium, serve_directory

    print(f"load before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    work = Path(tempfile.mkdtemp(prefix="kbgen-reading-assets-"))
    try:
        site = build(n, work)
        with serve_directory(site) as base, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for name in ("bench-plain", "bench-diagram"):
                url = f"{base}{name}/"
                html = (site / name / "index.html").stat().st_size
                print(f"{name} (N={n}; page HTML {html / 1024:.1f} KB):")
                report(site, base, "as loaded", transfers(browser, url, scroll=False))
                report(site, base, "graph scrolled into view", transfers(browser, url, scroll=True))
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
