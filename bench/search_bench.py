#!/usr/bin/env python3
"""First search on a built site, in Chromium: what it transfers and how long it takes to answer.

Usage: bench/search_bench.py SITE_DIR [--query Q ...] [--settle SECONDS]

Serves SITE_DIR (a built kbgen site) on 127.0.0.1 and, for each query, opens
a note page in a fresh browser context (empty cache), types the query into
Material's search box as soon as the page has loaded, and prints:

- ``worker``: milliseconds from Material's page code sending the query to the
  search worker to the worker's answer (the search itself, fetches included);
- ``answer``: milliseconds from the last key (End: Material reads the box on
  keyup) to the first result in the list (Material's rendering included);
- ``from load``: milliseconds from the page's load event to that result (what
  a reader who searches at once waits, index loading included);
- ``search bytes``: bytes of every response under ``search/`` from opening
  the page to the answer (as served, uncompressed), and their gzip -6 size.

``--settle N`` waits N seconds after load before typing (an index already
loaded: the steady-state answer time). ``--http10`` serves as the tests do
(python's http.server: HTTP/1.0, one connection per file); by default the
server keeps connections open (HTTP/1.1), as static hosts do.
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

QUERIES = ["기울기", "vanishing gradient", "배치 정규화를", "#activation", "relu 함수"]
# Timestamps of the messages between the page and its search worker (QUERY = 2, RESULT = 3).
WORKER_LOG = """(() => {
  const Real = window.Worker
  window.__kbMessages = []
  window.Worker = function (url, options) {
    const worker = new Real(url, options), post = worker.postMessage.bind(worker)
    worker.postMessage = message => { __kbMessages.push([message.type, performance.now()]); post(message) }
    worker.addEventListener("message", ev => __kbMessages.push([ev.data.type, performance.now()]))
    return worker
  }
})()"""


def first_search(browser, base: str, page_path: str, query: str, settle: float) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from browser_support import block_external_requests

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    block_external_requests(context)
    context.add_init_script(WORKER_LOG)
    page = context.new_page()
    fetched: list[bytes] = []

    def on_response(response) -> None:  # type: ignore[no-untyped-def]
        if "/search/" in response.url:
            try:
                fetched.append(response.body())
            except Exception:  # a worker's response body may be gone once read; count its length
                fetched.append(b"\0" * int(response.headers.get("content-length", "0")))

    context.on("response", on_response)
    page.goto(base + page_path, wait_until="load")
    loaded = time.perf_counter()
    if settle:
        page.wait_for_timeout(settle * 1000)
    page.locator("input.md-search__input").click()
    page.keyboard.insert_text(query)
    started = time.perf_counter()
    page.keyboard.press("End")
    page.locator(".md-search-result__item").first.wait_for(timeout=120_000)
    done = time.perf_counter()
    meta = page.locator(".md-search-result__meta").inner_text()
    messages = page.evaluate("__kbMessages")
    sent = [t for kind, t in messages if kind == 2][-1:]  # the query as typed (Material may send it early)
    answered = [t for kind, t in messages if kind == 3 and sent and t >= sent[0]]
    worker_ms = answered[0] - sent[0] if answered else float("nan")
    raw = sum(len(b) for b in fetched)
    packed = sum(len(gzip.compress(b, 6)) for b in fetched)
    context.close()
    return {"worker_ms": worker_ms, "answer_ms": (done - started) * 1000, "from_load_ms": (done - loaded) * 1000,
            "bytes": raw, "gzip": packed, "files": len(fetched), "meta": meta}


# A static server with HTTP/1.1 keep-alive, in its own process: inside this one it would
# share the interpreter lock with Playwright's driver and time that, not the search.
SERVER = """
import functools, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@contextlib.contextmanager
def serve_keep_alive(path: Path) -> Iterator[str]:
    """Serve ``path`` on 127.0.0.1 (HTTP/1.1 keep-alive, another process); yields the base URL."""
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())  # type: ignore[union-attr]
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    from browser_support import launch_chromium, serve_directory
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--query", action="append")
    parser.add_argument("--settle", type=float, default=0.0)
    parser.add_argument("--http10", action="store_true")
    parser.add_argument("--page", default="", help="page to search from (default: the first note page found)")
    args = parser.parse_args()
    page_path = args.page or next(str(p.parent.relative_to(args.site)) + "/"
                                  for p in sorted(args.site.glob("*/*/*/index.html")))
    serve = serve_directory if args.http10 else serve_keep_alive
    with serve(args.site) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for query in args.query or QUERIES:
            r = first_search(browser, base, page_path, query, args.settle)
            print(f"{query!r:24} worker {r['worker_ms']:5.0f} ms  answer {r['answer_ms']:5.0f} ms  from load {r['from_load_ms']:7.0f} ms  "
                  f"search bytes {r['bytes']:>10,} (gzip {r['gzip']:>9,}) in {r['files']} files  "
                  f"[{' '.join(r['meta'].split())}]")
        browser.close()


if __name__ == "__main__":
    main()
