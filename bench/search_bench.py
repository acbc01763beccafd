#!/usr/bin/env python3
"""First search on a built site, in Chromium: what it transfers and how long it takes to answer.

Usage: bench/search_bench.py SITE_DIR [--query Q ...] [--settle SECONDS] [--repeat N]

Serves SITE_DIR (a built kbgen site) on 127.0.0.1 and, for each query, opens
a note page in a fresh browser context (empty cache), types the query into
Material's search box (the whole query at once, as a paste: the worst case, no
earlier keystroke has loaded anything) and prints, timed by the page's own
clock (no Playwright round trip inside the figures):

- ``shown``: milliseconds from the End key (Material reads the box on keyup)
  to the frame after the first result entered the list — what the reader waits;
- ``worker``: from Material's page code sending the query to its search worker
  to the worker's first answer (the search itself, fetches included);
- ``from load``: from the page's load event to that frame (what a reader who
  searches at once waits, the worker's start included);
- ``search bytes``: bytes of every response under ``search/`` from opening the
  page to the worker's complete answer (its second one, with the text of result
  pages 7 to 50, is awaited), as served (uncompressed), in how many requests
  (and how many of them started before the result showed), and the gzip -6
  size of those files.

``--settle N`` waits N seconds after load before typing (the worker has
started and loaded its page table: the answer a reader who looks at the page
first gets). ``--repeat N`` runs every query N times and prints the medians.
No request is intercepted (interception adds a round trip through Playwright to
each request); a request to anything but 127.0.0.1 is reported. ``--http10``
serves as the tests do (python's http.server: HTTP/1.0, one connection per
file); by default the server keeps connections open (HTTP/1.1), as static hosts
do.
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

QUERIES = ["기울기", "vanishing gradient", "배치 정규화를", "#activation", "relu 함수"]
# In the page: the messages between Material's code and its search worker (QUERY = 2,
# RESULT = 3), the End key, and the frame after the first result entered the list.
PAGE_CLOCK = """(() => {
  const Real = window.Worker
  const kb = window.__kb = {messages: []}
  window.Worker = function (url, options) {
    const worker = new Real(url, options), post = worker.postMessage.bind(worker)
    worker.postMessage = message => { kb.messages.push([message.type, performance.now()]); post(message) }
    worker.addEventListener("message", ev => kb.messages.push([ev.data.type, performance.now()]))
    return worker
  }
  addEventListener("keydown", ev => { if (ev.key === "End") kb.key = performance.now() }, true)
  new MutationObserver(() => {
    if (kb.key && !kb.inserted && document.querySelector(".md-search-result__item")) {
      kb.inserted = performance.now()
      requestAnimationFrame(() => setTimeout(() => kb.shown = performance.now()))
    }
  }).observe(document, {subtree: true, childList: true})
})()"""
# [url, bytes, start] of the responses under search/, start on the page's clock
SEARCH_RESPONSES = """shift => performance.getEntriesByType("resource")
  .filter(e => e.name.includes("/search/")).map(e => [e.name, e.encodedBodySize, e.startTime + shift])"""
# After the first result shows, the worker's second answer (the text of result pages 7 to 50)
# may still be on its way; its bytes count as the first search's too.
SECOND_ANSWER_MS = 1500


def first_search(browser, base: str, page_path: str, query: str, settle: float, site: Path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(PAGE_CLOCK)
    external: list[str] = []
    context.on("request", lambda request: None if request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
               else external.append(request.url))
    page = context.new_page()
    workers: list[Any] = []
    page.on("worker", lambda worker: workers.append(worker))
    page.goto(base + page_path, wait_until="load")
    if settle:
        page.wait_for_timeout(settle * 1000)
    page.locator("input.md-search__input").click()
    page.keyboard.insert_text(query)
    page.keyboard.press("End")
    page.wait_for_function("window.__kb.shown", timeout=120_000)
    kb = page.evaluate("window.__kb")
    loaded = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    meta = page.locator(".md-search-result__meta").inner_text()
    page.wait_for_timeout(SECOND_ANSWER_MS)
    origin = page.evaluate("performance.timeOrigin")
    responses = page.evaluate(SEARCH_RESPONSES, 0) + sum(
        (w.evaluate(SEARCH_RESPONSES, w.evaluate("performance.timeOrigin") - origin) for w in workers), [])
    context.close()
    sent = [t for kind, t in kb["messages"] if kind == 2 and t <= kb["shown"]][-1:]  # the query as typed
    answered = [t for kind, t in kb["messages"] if kind == 3 and sent and t >= sent[0]]
    packed = 0
    for url, _, _ in responses:
        path = site / unquote(urlsplit(url).path).removeprefix(urlsplit(base).path)
        packed += len(gzip.compress(path.read_bytes(), 6)) if path.is_file() else 0
    return {"shown_ms": kb["shown"] - kb["key"], "worker_ms": answered[0] - sent[0] if answered else float("nan"),
            "from_load_ms": kb["shown"] - loaded, "bytes": sum(size for _, size, _ in responses), "gzip": packed,
            "files": len(responses), "before": sum(start <= kb["shown"] for _, _, start in responses),
            "meta": meta, "external": external}


# A static server with HTTP/1.1 keep-alive, in its own process: inside this one it would
# share the interpreter lock with Playwright's driver and time that, not the search.
# TCP_NODELAY as static servers set it (nginx's tcp_nodelay): http.server sends a
# response's headers and body in two writes, and on a kept-alive connection Nagle's
# algorithm holds the body until the browser's delayed ACK, 40 ms per small file.
SERVER = """
import functools, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def log_message(self, *args): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@contextlib.contextmanager
def serve_keep_alive(path: Path) -> Iterator[str]:
    """Serve ``path`` on 127.0.0.1 (HTTP/1.1 keep-alive, another process); yields the base URL."""
    # stderr dropped: a closed browser context cuts requests still in flight (BrokenPipe tracebacks)
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(path)], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
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
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--http10", action="store_true")
    parser.add_argument("--page", default="", help="page to search from (default: the first note page found)")
    args = parser.parse_args()
    page_path = args.page or next(str(p.parent.relative_to(args.site)) + "/"
                                  for p in sorted(args.site.glob("*/*/*/index.html")))
    serve = serve_directory if args.http10 else serve_keep_alive
    shown: list[float] = []
    with serve(args.site) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for query in args.query or QUERIES:
            runs = [first_search(browser, base, page_path, query, args.settle, args.site) for _ in range(args.repeat)]
            shown += [r["shown_ms"] for r in runs]
            med = {key: statistics.median(r[key] for r in runs) for key in ("shown_ms", "worker_ms", "from_load_ms")}
            r = runs[-1]
            spread = f" ({min(x['shown_ms'] for x in runs):.0f}–{max(x['shown_ms'] for x in runs):.0f})" if len(runs) > 1 else ""
            print(f"{query!r:24} shown {med['shown_ms']:5.0f} ms{spread}  worker {med['worker_ms']:5.0f} ms  "
                  f"from load {med['from_load_ms']:6.0f} ms  search bytes {r['bytes']:>9,} (gzip {r['gzip']:>8,}) "
                  f"in {r['files']} requests ({r['before']} before shown)  [{' '.join(r['meta'].split())}]")
            for url in sorted({u for x in runs for u in x["external"]}):
                print(f"  EXTERNAL REQUEST: {url}")
        browser.close()
    print(f"median shown over {len(shown)} searches: {statistics.median(shown):.0f} ms")


if __name__ == "__main__":
    main()
