#!/usr/bin/env python3
"""What the review page costs a learner, and what an Anki export weighs, on the shared bench vault.

Usage: bench/review_bench.py [--notes 5000] [--anki-notes 1000] [--runs 3] [--vaults /tmp] [--site DIR]

1. builds the N-note bench vault with `kbgen build` (MkDocs + Material, navigation.prune),
2. loads /review/ in headless Chromium (served on 127.0.0.1) from a cold browser cache,
   RUNS times: transfer size (every response, raw and gzip -6 as a compressing server
   would send it) and the time until the first card is on screen,
3. exports the M-note bench vault to an Anki package and prints its size.

Vaults are reused from --vaults/vault-N when present (make_vault.py is deterministic);
with --site DIR the built site is kept there and reused by the next run.
Run it under `flock /tmp/kbgen-bench.lock` on a shared machine; it prints `uptime` too.
"""
from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
MAKE_VAULT = ROOT.parent / "shared" / "bench" / "make_vault.py"


def vault_of(size: int, folder: Path) -> Path:
    vault = folder / f"vault-{size}"
    if not vault.exists():
        staging = Path(tempfile.mkdtemp(prefix=f"vault-{size}-", dir=folder))
        subprocess.run([sys.executable, str(MAKE_VAULT), str(staging / "v"), str(size)], check=True)
        try:
            os.replace(staging / "v", vault)
        except OSError:
            pass  # another run made it first; it is the same vault
    return vault


def build_site(vault: Path, work: Path, site: Path) -> tuple[Path, float]:
    cache = work / "cache"
    config = work / "mkdocs.yml"
    config.write_text(
        f"site_name: bench\ndocs_dir: {vault}\nsite_dir: {site}\n"
        "theme:\n  name: material\n  language: ko\n  font: false\n  features: [navigation.prune]\n"
        "plugins:\n  - search:\n      lang: [ko, en]\n  - tags\n"
        f"  - kbgen:\n      cache_dir: {cache}\n", encoding="utf-8")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kbgen", "build", "--config", str(config), "-q"],
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True)
    return site, time.perf_counter() - started


def load_review(site: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    from browser_support import block_external_requests, launch_chromium, serve_directory

    loads: list[float] = []
    raw = gz = requests = cards = 0
    largest: list[tuple[int, str]] = []
    with serve_directory(site) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for run in range(runs):
            context = browser.new_context()  # a fresh context: cold cache, empty localStorage
            block_external_requests(context)
            page = context.new_page()
            bodies: list[tuple[str, bytes]] = []
            page.on("requestfinished", lambda request: bodies.append((request.url, request.response().body())))
            page.goto(base + "review/")
            page.wait_for_function("document.querySelector('.kb-review__summary').textContent !== ''",
                                   timeout=120_000)
            # Navigation start → the first card on screen, by the page's own clock.
            loads.append(page.evaluate("performance.now()") / 1000)
            page.wait_for_load_state("networkidle")
            if run == 0:
                requests = len(bodies)
                raw = sum(len(b) for _, b in bodies)
                gz = sum(len(gzip.compress(b, 6)) for _, b in bodies)
                largest = sorted(((len(b), url.split("/", 3)[-1]) for url, b in bodies), reverse=True)[:6]
                cards = page.evaluate("JSON.parse(document.querySelector('.kb-review__data').textContent).cards.length")
            context.close()
        browser.close()
    html = (site / "review" / "index.html").read_bytes()
    return {"loads": loads, "raw": raw, "gzip": gz, "requests": requests, "cards": cards, "largest": largest,
            "html": len(html), "html_gzip": len(gzip.compress(html, 6))}


def anki_export(vault: Path, work: Path) -> tuple[int, int, float]:
    from kbgen.config import KbgenConfig
    from kbgen.study.anki import export_anki

    started = time.perf_counter()
    result = export_anki(KbgenConfig(notes_dir=vault, cache_dir=work / "cache"), work / "bench.apkg")
    return result.out.stat().st_size, result.notes, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=5000)
    parser.add_argument("--anki-notes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vaults", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--site", type=Path, help="keep the built site here (reused when it has a review page)")
    args = parser.parse_args()
    print("load before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    with tempfile.TemporaryDirectory(prefix="kbgen-review-bench-") as tmp:
        work = Path(tmp)
        site = args.site.resolve() if args.site else work / "site"
        if (site / "review" / "index.html").is_file():
            print(f"site reused from {site}")
        else:
            site, seconds = build_site(vault_of(args.notes, args.vaults), work, site)
            print(f"kbgen build, {args.notes} notes: {seconds:.1f} s")
        figures = load_review(site, args.runs)
        print(f"review page: {figures['cards']} cards; HTML {figures['html'] / 1024:.0f} KB "
              f"({figures['html_gzip'] / 1024:.0f} KB gzipped)")
        print(f"transfer on first load: {figures['requests']} requests, {figures['raw'] / 1024:.0f} KB "
              f"({figures['gzip'] / 1024:.0f} KB if the server gzips); largest: "
              + ", ".join(f"{path} {size / 1024:.0f} KB" for size, path in figures["largest"]))
        loads = ", ".join(f"{s:.2f}" for s in figures["loads"])
        print(f"navigation start → first card shown (cold cache, 127.0.0.1): median "
              f"{statistics.median(figures['loads']):.2f} s ({loads})")
        size, notes, export_s = anki_export(vault_of(args.anki_notes, args.vaults), work)
        print(f"Anki export, {args.anki_notes}-note vault: {notes} Anki notes, {size / 1024:.0f} KB, {export_s:.1f} s")
    print("load after:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
