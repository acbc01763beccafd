#!/usr/bin/env python3
"""Site shape at scale: page size, search index, tag pages, and what tags and navigation cost.

Usage: bench/site_bench.py [N ...] [--material-tags]

For each N it builds ``/tmp/vault-N`` (made by ``../shared/bench/make_vault.py``
when missing) with ``kbgen build`` into a temporary site and prints:

- median and largest HTML size of the note pages, and of the tag pages;
- the search index: its files' total size (bytes, and gzip -6 bytes), pages.json and the largest term shard;
- the number of tag pages and folder pages;
- the time kbgen's tag stage (index + pages) and navigation stage (folder
  pages + tree) took, measured in-process around those functions;
- the whole build's wall time.

``--material-tags`` also builds with Material's own tags plugin enabled (its
``tags.json`` export and chips), so the two can be compared.
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
MAKE_VAULT = ROOT.parent / "shared" / "bench" / "make_vault.py"
sys.path.insert(0, str(ROOT))


def vault_of(n: int) -> Path:
    vault = Path(f"/tmp/vault-{n}")
    if not vault.exists():
        tmp = Path(tempfile.mkdtemp(prefix=f"vault-{n}-", dir="/tmp"))
        subprocess.run([sys.executable, str(MAKE_VAULT), str(tmp / "v"), str(n)], check=True)
        os.replace(tmp / "v", vault)
    return vault


def timed(module, name: str, bucket: dict[str, float], key: str) -> None:
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            bucket[key] = bucket.get(key, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)


def build_site(vault: Path, work: Path, material_tags: bool) -> tuple[float, dict[str, float]]:
    from kbgen import build as build_module
    from kbgen.cli import main
    from kbgen.nav import folders, tree
    from kbgen.tags import model, pages

    stages: dict[str, float] = {}
    timed(model, "index_tags", stages, "tags")
    timed(pages, "emit", stages, "tags")
    timed(folders, "emit", stages, "navigation")
    timed(tree, "emit", stages, "navigation")
    # build.indexers()/emitters() read the module attributes at call time
    build_module.tag_model, build_module.tag_pages = model, pages
    build_module.folder_pages, build_module.nav_tree = folders, tree
    plugins = "  - search:\n      lang: [ko, en]\n" + ("  - tags\n" if material_tags else "") + \
        f"  - kbgen:\n      cache_dir: {work / 'cache'}\n"
    config = work / "mkdocs.yml"
    config.write_text(f"site_name: bench\ndocs_dir: {vault}\nsite_dir: {work / 'site'}\n"
                      "theme:\n  name: material\n  language: ko\n"
                      f"plugins:\n{plugins}", encoding="utf-8")
    started = time.perf_counter()
    main(["build", "--config", str(config), "-q"])
    return time.perf_counter() - started, stages


def sizes(paths: list[Path]) -> tuple[int, int]:
    values = [p.stat().st_size for p in paths]
    return (int(statistics.median(values)), max(values)) if values else (0, 0)


def report(n: int, material_tags: bool) -> None:
    vault = vault_of(n)
    with tempfile.TemporaryDirectory(prefix="kbgen-site-bench-") as tmp:
        work = Path(tmp)
        seconds, stages = build_site(vault, work, material_tags)
        site = work / "site"
        tag_pages = [p for p in (site / "tags").rglob("index.html")] if (site / "tags").is_dir() else []
        note_pages = [site / p.relative_to(vault).with_suffix("") / "index.html" for p in vault.rglob("*.md")]
        note_pages = [p for p in note_pages if p.is_file()]
        pieces = [p for p in (site / "search").rglob("*.json")]
        total = sum(p.stat().st_size for p in pieces)
        packed = sum(len(gzip.compress(p.read_bytes(), 6)) for p in pieces)
        shards = [p.stat().st_size for p in (site / "search" / "terms").glob("*.json")] or [0]
        pages_json = site / "search" / "pages.json"
        folder_pages = sum(1 for p in site.rglob("index.html") if "kb-folder-count" in p.read_text(encoding="utf-8"))
        print(f"N={n} material_tags={material_tags} build={seconds:.1f}s "
              f"tags_stage={stages.get('tags', 0):.2f}s navigation_stage={stages.get('navigation', 0):.2f}s")
        print(f"  note pages: {len(note_pages)}  median {sizes(note_pages)[0]} B  max {sizes(note_pages)[1]} B")
        print(f"  tag pages: {len(tag_pages)} (incl. /tags/)  median {sizes(tag_pages)[0]} B  max {sizes(tag_pages)[1]} B")
        print(f"  folder pages: {folder_pages}")
        print(f"  search index: {len(pieces)} files {total} B  gzip {packed} B; "
              f"pages.json {pages_json.stat().st_size if pages_json.exists() else 0} B; "
              f"{len(shards)} term shards, largest {max(shards)} B")
        print(f"  tags.json (Material): {(site / 'tags.json').exists()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 5000])
    parser.add_argument("--material-tags", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    for n in args.sizes:
        report(n, False)
        if args.material_tags:
            report(n, True)


if __name__ == "__main__":
    main()
