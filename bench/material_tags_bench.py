#!/usr/bin/env python3
"""Material's own tags plugin on the bench vault: what it costs in a plain MkDocs build, and what it makes.

Usage: bench/material_tags_bench.py N [N ...]

For each N, copies ``/tmp/vault-N`` (``../shared/bench/make_vault.py``) into a
temporary folder, adds a ``tags.md`` holding Material's ``<!-- material/tags -->``
listing marker, and runs plain ``mkdocs build`` (Material, no kbgen) twice:
without and with ``plugins: [search, tags]`` (``tags_hierarchy: true``, as the
vault's tags are paths). Prints both wall times, the difference (the tags
plugin's cost), and the listing page's size — to set beside kbgen's tag pages
(bench/site_bench.py prints their number, sizes and stage time).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from site_bench import vault_of  # noqa: E402


def build(work: Path, docs: Path, tags: bool) -> tuple[float, Path]:
    site = work / ("site-tags" if tags else "site-plain")
    plugins = "plugins:\n  - search\n" + ("  - tags:\n      tags_hierarchy: true\n" if tags else "")
    config = work / ("tags.yml" if tags else "plain.yml")
    config.write_text(f"site_name: bench\ndocs_dir: {docs}\nsite_dir: {site}\n"
                      "theme:\n  name: material\n  language: ko\n  font: false\n"
                      "  features: [navigation.prune]\n" + plugins, encoding="utf-8")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, site


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="+", type=int)
    args = parser.parse_args()
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="kbgen-material-tags-") as tmp:
            work = Path(tmp)
            docs = work / "docs"
            shutil.copytree(vault_of(n), docs)
            (docs / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n", encoding="utf-8")
            plain, _ = build(work, docs, tags=False)
            tagged, site = build(work, docs, tags=True)
            listing = site / "tags" / "index.html"
            size = listing.stat().st_size if listing.is_file() else 0
            pages = sum(1 for _ in site.rglob("*.html"))
            print(f"N={n} plain mkdocs build {plain:.1f}s, with Material's tags plugin {tagged:.1f}s "
                  f"(tags cost {tagged - plain:+.1f}s, {pages} HTML files); its one listing page tags/ {size} B")


if __name__ == "__main__":
    main()
