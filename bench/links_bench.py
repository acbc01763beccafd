#!/usr/bin/env python3
"""What the link pass costs: the kbgen pipeline with and without links, at several vault sizes.

Usage: bench/links_bench.py [N ...] [--keep DIR] [--repeat R]   (default: 1000 2500 5000)

For each N it writes ``../shared/bench/make_vault.py OUT N`` once, then runs
``build_vault`` (load → parse → index → render → emit, no MkDocs) with
``links=True`` and ``links=False``, best of R runs each, and prints the build
time both ways, the number of links, the link pass (index stage) time,
links per second and microseconds per link, so linearity can be read off the
rows. Each run is in a fresh subprocess so caches and the heap start equal.
The link pass is timed a second time with the parsed vault frozen out of
Python's cyclic garbage collector (``gc.freeze()``): in a normal build, full
collections over the large parsed heap land in whatever stage is running and
make the first figure noisy and super-linear; the second is the pass's own cost.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_VAULT = ROOT.parent / "shared" / "bench" / "make_vault.py"

_ONE_RUN = """
import json, sys, time
sys.path.insert(0, {root!r})
from kbgen.build import build_vault
from kbgen.config import KbgenConfig
from kbgen.markdown.linkpass import iter_refs
started = time.perf_counter()
build = build_vault(KbgenConfig(notes_dir={vault!r}, cache_dir={cache!r}, links={links!r}))
total = time.perf_counter() - started
index = build.vault.indexes.get("links")
links = sum(1 for item in index.parsed.values() for _ in iter_refs(item.tokens)) if index else 0
broken = sum(1 for d in build.diagnostics if d.code == "broken-link")
frozen = 0.0
if index is not None:  # the link pass again, with the parsed vault moved out of the collector's way
    import gc
    from kbgen.markdown.linkpass import index_links
    gc.collect()
    gc.freeze()
    for item in index.parsed.values():
        item.env["report"].items.clear()
    started = time.perf_counter()
    index_links(build.vault, index.parsed)
    frozen = time.perf_counter() - started
print(json.dumps({{"total": total, "timings": build.timings, "links": links, "broken": broken, "frozen": frozen}}))
"""


def make_vault(out: Path, n: int) -> Path:
    vault = out / f"vault-{n}"
    if not vault.exists():
        subprocess.run([sys.executable, str(MAKE_VAULT), str(vault), str(n)], check=True)
    return vault


def one_run(vault: Path, cache: Path, links: bool) -> dict:
    code = _ONE_RUN.format(root=str(ROOT), vault=str(vault), cache=str(cache), links=links)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def best(vault: Path, cache: Path, links: bool, repeat: int) -> dict:
    return min((one_run(vault, cache, links) for _ in range(repeat)), key=lambda r: r["total"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 2500, 5000])
    parser.add_argument("--keep", type=Path, help="folder to keep the generated vaults in")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        print(f"{'notes':>6} {'links':>6} {'build off':>10} {'build on':>9} {'extra':>7} "
              f"{'link pass':>10} {'render on/off':>14} {'links/s':>9} {'µs/link':>8} "
              f"{'pass, gc frozen':>16} {'µs/link':>8} {'broken':>7}")
        for n in args.sizes:
            vault = make_vault(out, n)
            cache = out / "cache"
            off = best(vault, cache, False, args.repeat)
            on = best(vault, cache, True, args.repeat)
            index_s = on["timings"].get("index", 0.0)
            links = on["links"]
            print(f"{n:>6} {links:>6} {off['total']:>9.2f}s {on['total']:>8.2f}s "
                  f"{on['total'] - off['total']:>+6.2f}s {index_s:>9.3f}s "
                  f"{on['timings']['render']:>6.2f}/{off['timings']['render']:<6.2f}s "
                  f"{links / index_s if index_s else 0:>9.0f} {1e6 * index_s / max(links, 1):>8.1f} "
                  f"{on['frozen']:>15.3f}s {1e6 * on['frozen'] / max(links, 1):>8.1f} {on['broken']:>7}")


if __name__ == "__main__":
    main()
