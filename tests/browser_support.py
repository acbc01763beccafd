"""Real-browser test support: serve a built site on 127.0.0.1 and drive Debian's Chromium.

Playwright's own browser download does not work here, so tests launch the
system Chromium. Under CI (``CI`` set) a missing browser is a failure, not a
skip: .ci/run installs it.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = os.environ.get("KBGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def serve_directory(path: Path) -> Iterator[str]:
    """Serve ``path`` over HTTP on a free loopback port; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def require_browser() -> None:
    """Skip (locally) or fail (in CI) when Playwright or Chromium is missing."""
    missing = []
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright package")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing.append(CHROMIUM)
    if missing:
        message = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def launch_chromium(playwright):  # type: ignore[no-untyped-def]
    """Launch headless system Chromium with the flags this machine needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def block_external_requests(context) -> None:  # type: ignore[no-untyped-def]
    """Abort every request that does not go to 127.0.0.1: the site must work offline."""

    def route(route):  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)


@contextlib.contextmanager
def chromium() -> Iterator:  # type: ignore[type-arg]
    """Headless system Chromium for a module's tests; skips (or fails in CI) without one."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


def build_site(base: Path, notes: dict[str, str]) -> Path:
    """Write ``notes`` (path → Markdown) under ``base/notes``, `kbgen build` them; the site folder."""
    from kbgen.cli import main

    for path, text in notes.items():
        file = base / "notes" / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    out = base / "site"
    assert main(["build", "--notes", str(base / "notes"), "--site", str(out), "-q"]) == 0
    return out
