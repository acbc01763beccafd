"""`kbgen serve` in headless Chromium: a page that shows another note reloads when that note is saved.

The open page is not the edited note's: it embeds it, and its backlinks quote
it. The quick path (kbgen.quick_note) writes both, browsers reload once, and no
rebuild follows to reload them a second time.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from browser_support import block_external_requests
from test_serve import ROOT, _free_port, _wait_for


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve-reload")


def test_an_embedding_page_reloads_with_the_embedded_notes_new_text(site: Path, browser):
    notes = site / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\n\n첫 문장 goes to [[b]].\n", encoding="utf-8")
    (notes / "b.md").write_text("# B\n\n![[a]]\n", encoding="utf-8")
    port = _free_port()
    log = site / "serve.log"
    with log.open("w") as err:
        server = subprocess.Popen([sys.executable, "-m", "kbgen", "serve", "--notes", str(notes),
                                   "--dev-addr", f"127.0.0.1:{port}"], cwd=site,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=err)
    context = browser.new_context()
    try:
        url = f"http://127.0.0.1:{port}/b/"
        _wait_for(url, "첫 문장")
        block_external_requests(context)
        page = context.new_page()
        loads: list[str] = []
        page.on("load", lambda: loads.append(page.url))
        page.goto(url)
        page.locator(".kb-embed", has_text="첫 문장").wait_for(timeout=30000)
        assert len(loads) == 1

        (notes / "a.md").write_text("# A\n\n새 문장 goes to [[b]].\n", encoding="utf-8")
        # The page reloads by itself (MkDocs's live-reload script): nothing here navigates.
        page.locator(".kb-embed", has_text="새 문장").wait_for(timeout=60000)
        page.locator(".kb-backlinks", has_text="새 문장").wait_for(timeout=60000)
        assert "첫 문장" not in page.locator("article").inner_text()
        deadline = time.monotonic() + 60
        while "no rebuild needed" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "no rebuild needed" in log.read_text(), log.read_text()[-2000:]
        page.wait_for_timeout(1500)  # a second reload would come as soon as the builder returned
        assert loads == [url, url]
    finally:
        context.close()
        server.terminate()
        server.wait(timeout=30)
