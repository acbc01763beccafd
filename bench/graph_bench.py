#!/usr/bin/env python3
"""Graph view at scale: graph data size and the global graph's time to first draw in Chromium.

Usage: bench/graph_bench.py [N ...]   (default: 1000 5000)

For each N: the shared synthetic vault (/tmp/vault-N, written by
/work/shared/bench/make_vault.py if missing) goes through kbgen's load, parse
and link-index stages (the graph needs nothing from rendering); the graph data
(as the emit stage writes it), kbgen-web.js and force-graph are written to a temporary folder with a page holding only the
global graph slot (the graph page without Material's chrome, which does not
change the graph's work), served on 127.0.0.1 and opened in headless Chromium.
Printed per N: nodes, links, graph.json bytes (raw and gzip), time from
navigation start to the first frame force-graph paints with the nodes, and the
time from the graph script's start to that frame, median of RUNS page loads.
Run it under `flock /tmp/kbgen-bench.lock` on a shared machine.
"""
from __future__ import annotations

import gzip
import os
import shutil
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from kbgen.config import KbgenConfig  # noqa: E402
from kbgen.emit.graph import DATA_PATH, FORCE_GRAPH, global_graph_html, graph_data  # noqa: E402
from kbgen.emit.web_assets import SCRIPT, STYLESHEET, safe_json, script  # noqa: E402
from kbgen.markdown.linkpass import index_links  # noqa: E402
from kbgen.markdown.renderer import NoteRenderer  # noqa: E402
from kbgen.messages import table  # noqa: E402
from kbgen.npm_assets import ensure_package  # noqa: E402
from kbgen.vault.load import load_vault  # noqa: E402
from kbgen.vault_build import VaultBuild  # noqa: E402
from site_bench import vault_of  # noqa: E402

RUNS = 3


def vault(n: int) -> Path:
    return vault_of(n)


def graph_site(n: int, out: Path) -> tuple[int, int, float]:
    config = KbgenConfig(notes_dir=vault(n), cache_dir=ROOT / ".kbgen-cache", language="en")
    started = time.perf_counter()
    loaded = load_vault(config)
    renderer = NoteRenderer(config)
    parsed = {note.src_path: renderer.parse(note, loaded) for note in loaded.published()}
    index_links(loaded, parsed)
    build = VaultBuild(config, loaded)
    build.rendered = dict.fromkeys(parsed)  # type: ignore[arg-type] - graph_data reads the keys only
    data = graph_data(build, config.graph_groups)
    seconds = time.perf_counter() - started
    files = {DATA_PATH: safe_json(data, ascii_only=False).encode("utf-8"), SCRIPT: script("en").encode("utf-8"),
             STYLESHEET: resources.files("kbgen.web").joinpath("web.css").read_bytes()}
    library = ensure_package(config.cache_dir, FORCE_GRAPH)
    assert library is not None, "force-graph could not be fetched"
    files["assets/force-graph/force-graph.min.js"] = (library / "force-graph.min.js").read_bytes()
    for dest, content in files.items():
        (out / dest).parent.mkdir(parents=True, exist_ok=True)
        (out / dest).write_bytes(content)
    (out / "graph").mkdir(parents=True, exist_ok=True)
    (out / "graph" / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<link rel='stylesheet' href='../{STYLESHEET}'></head><body><article class='md-content__inner'>"
        f"{global_graph_html(table('en'))}</article><script src='../{SCRIPT}'></script></body></html>",
        encoding="utf-8")
    data = (out / DATA_PATH).read_bytes()
    return len(data), len(gzip.compress(data)), seconds


def first_draw(base: str, browser) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "graph/")
    page.wait_for_selector('[data-kb-graph="global"][data-first-draw-at]', timeout=120000)
    at = float(page.get_attribute('[data-kb-graph="global"]', "data-first-draw-at"))
    since_script = float(page.get_attribute('[data-kb-graph="global"]', "data-first-draw-ms"))
    nodes = page.get_attribute('[data-kb-graph="global"]', "data-nodes")
    page.close()
    return at, since_script, nodes


def main(sizes: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    from browser_support import launch_chromium, serve_directory

    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    for n in sizes:
        out = Path(tempfile.mkdtemp(prefix=f"kbgen-graph-{n}-"))
        try:
            raw, packed, seconds = graph_site(n, out)
            with serve_directory(out) as base, sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                runs = [first_draw(base, browser) for _ in range(RUNS)]
                browser.close()
            nodes = runs[0][2]
            import json
            links = len(json.loads((out / DATA_PATH).read_bytes())["links"])
            print(f"N={n}: nodes={nodes} links={links} graph.json={raw / 1024:.0f} KB "
                  f"(gzip {packed / 1024:.0f} KB); first draw {statistics.median(r[0] for r in runs):.0f} ms "
                  f"after navigation start, {statistics.median(r[1] for r in runs):.0f} ms after data+library "
                  f"arrived (median of {RUNS}); load+parse+index+graph data {seconds:.1f} s")
        finally:
            shutil.rmtree(out, ignore_errors=True)
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 5000])
