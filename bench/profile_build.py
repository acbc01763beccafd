#!/usr/bin/env python3
"""Where the seconds of one ``kbgen build`` go, stage by stage.

Usage: bench/profile_build.py VAULT [--site DIR] [--cache DIR] [--cprofile FILE] [--jobs J]

Runs ``kbgen build`` in this process with timers wrapped around MkDocs's
build steps (the same functions ``mkdocs build`` calls, unchanged) and prints
kbgen's own pipeline stages (load, parse, index, render, emit) inside
``on_files``. Times are wall-clock; nested rows are part of their parent.
Pass a fresh --cache for a cold build.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import os
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOTALS: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def timed(owner: object, name: str, label: str) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            TOTALS[label] += time.perf_counter() - started
            CALLS[label] += 1

    setattr(owner, name, wrapper)


def instrument() -> None:
    import jinja2
    from mkdocs import utils
    from mkdocs.commands import build as b
    from mkdocs.plugins import PluginCollection
    from mkdocs.structure import files as f

    timed(b, "get_files", "mkdocs: scan docs_dir")
    timed(b, "get_navigation", "mkdocs: navigation")
    timed(b, "_populate_page", "mkdocs: read + render pages (kbgen HTML handed over)")
    timed(b, "_build_theme_template", "mkdocs: sitemap.xml, 404.html")
    timed(b, "_build_page", "mkdocs: page templating + write")
    timed(jinja2.Template, "render", "  jinja2 template.render")
    timed(utils, "write_file", "  write files")
    timed(f.Files, "copy_static_files", "mkdocs: copy static files")
    timed(PluginCollection, "on_files", "plugins on_files (kbgen pipeline)")
    timed(PluginCollection, "on_page_context", "  plugins on_page_context (Material search indexing)")
    timed(PluginCollection, "on_post_page", "  plugins on_post_page")
    timed(PluginCollection, "on_post_build", "plugins on_post_build (search index write + kbgen Korean rewrite)")
    timed(PluginCollection, "on_env", "plugins on_env")
    timed(PluginCollection, "on_nav", "plugins on_nav")
    timed(PluginCollection, "on_config", "plugins on_config")
    from mkdocs.structure.pages import Page
    timed(Page, "validate_anchor_links", "mkdocs: validate anchors")
    import gc

    from kbgen import build, cache, incremental, memory, mkdocs_build, mkdocs_plugin, site_links
    timed(mkdocs_build._PageTemplating, "run", "kbgen: page templating (workers) + writes")
    timed(mkdocs_build, "page_keys", "  kbgen: page keys")
    timed(site_links, "start_linking_previous_site", "kbgen: link the previous site (started)")
    timed(site_links.SiteLinking, "wait", "kbgen: link the previous site (waited for)")
    timed(mkdocs_plugin, "rewrite_search_index", "  kbgen: search index rewrite (Korean, pieces)")
    timed(gc, "collect", "    gc.collect (explicit)")
    timed(memory, "give_back", "    malloc_trim")
    timed(incremental, "record", "    kbgen: cache record")
    timed(cache.NoteCache, "store", "    kbgen: cache store")
    original_emitters = build.emitters

    def emitters():
        out = []
        for emit in original_emitters():
            label = f"      emit {emit.__module__.rsplit('.', 1)[-1]}.{emit.__name__}"
            holder = type("H", (), {"f": staticmethod(emit)})
            timed(holder, "f", label)
            out.append(holder.f)
        return out

    build.emitters = emitters


GC_TIME = [0.0, 0.0, 0.0]
GC_COUNT = [0, 0, 0]
GC_WHERE: dict[str, float] = defaultdict(float)


def watch_gc() -> None:
    """Time every collection of this process by generation (gc.callbacks)."""
    import gc

    began = [0.0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            seconds = time.perf_counter() - began[0]
            GC_TIME[info["generation"]] += seconds
            GC_COUNT[info["generation"]] += 1
            if info["generation"] == 2:  # where: the innermost kbgen function on the stack
                try:
                    frame = sys._getframe(1)
                except ValueError:  # at interpreter exit
                    return
                while frame is not None and "/kbgen/" not in frame.f_code.co_filename:
                    frame = frame.f_back
                where = f"{Path(frame.f_code.co_filename).stem}.{frame.f_code.co_name}" if frame else "?"
                GC_WHERE[where] += seconds

    gc.callbacks.append(callback)


def sample_templating(count: int, dump: Path | None, only: bool) -> None:
    """Before the real templating: ``count`` note pages (every n-th) templated here, timed per page."""
    import gc

    from kbgen import mkdocs_build

    original = mkdocs_build._PageTemplating.run

    def run(self, previous, jobs):
        pages = [f.page for f in self.doc_files if f.src_uri.endswith(".md")]
        step = max(1, len(pages) // count)
        sample = pages[::step][:count]
        gc.freeze()
        profiler = cProfile.Profile() if dump else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        for page in sample:
            self._captured(page)
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(dump))
        seconds = time.perf_counter() - started
        gc.unfreeze()
        print(f"sample: {len(sample)} note pages templated in this process, {1000 * seconds / len(sample):.2f} ms/page",
              flush=True)
        if only:
            os._exit(0)
        return original(self, previous, jobs)

    mkdocs_build._PageTemplating.run = run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("vault", type=Path)
    parser.add_argument("--site", type=Path)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--cprofile", type=Path, help="also write a cProfile dump here (slower)")
    parser.add_argument("--sample-pages", type=int, default=0,
                        help="also template this many note pages in this process first, timed (and cProfiled with --cprofile)")
    parser.add_argument("--sample-only", action="store_true", help="stop after the sample")
    parser.add_argument("--jobs", "-j", type=int, help="passed to kbgen build (1: everything in this process)")
    parser.add_argument("--per-note", action="store_true", help="print ms per note (notes in VAULT) instead of %%")
    args = parser.parse_args()
    args.per_note = sum(1 for _ in args.vault.rglob("*.md")) if args.per_note else 0
    tmp = Path(tempfile.mkdtemp(prefix="kbgen-profile-"))
    site = args.site or tmp / "site"
    cache = args.cache or tmp / "cache"
    if not cache.exists():  # the front-end packages `kbgen setup` fetched, as perf_bench seeds them
        for item in (ROOT / ".kbgen-cache").glob("*"):
            if item.is_dir() and item.name not in ("jinja", "previous-site", "emit"):
                shutil.copytree(item, cache / item.name)
    config = tmp / "mkdocs.yml"
    config.write_text(
        f"site_name: bench\ndocs_dir: {args.vault.resolve()}\nsite_dir: {site}\n"
        "theme:\n  name: material\n  language: ko\n  font: false\n  features: [navigation.prune]\n"
        "plugins:\n  - search:\n      lang: [ko, en]\n  - tags\n"
        f"  - kbgen:\n      cache_dir: {cache}\n", encoding="utf-8")
    instrument()
    watch_gc()
    if args.sample_pages:
        sample_templating(args.sample_pages, args.cprofile, args.sample_only)
        args.cprofile = None
    from kbgen import cli
    from kbgen.mkdocs_plugin import KbgenPlugin

    captured: list = []
    original_on_files = KbgenPlugin.on_files

    def on_files(self, files, config):  # keep the plugin to read its stage timings afterwards
        captured.append(self)
        return original_on_files(self, files, config)

    KbgenPlugin.on_files = on_files  # type: ignore[method-assign]
    profiler = cProfile.Profile() if args.cprofile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    status = cli.main(["build", "--config", str(config), "-q"] + (["--jobs", str(args.jobs)] if args.jobs else []))
    if profiler:
        profiler.disable()
        profiler.dump_stats(str(args.cprofile))
    total = time.perf_counter() - started
    print(f"exit {status}; total {total:.2f} s; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for label, seconds in TOTALS.items():
        if args.per_note:
            print(f"{seconds:8.2f} s {1000 * seconds / args.per_note:7.3f} ms/note  {label}  ({CALLS[label]} calls)")
            continue
        print(f"{seconds:8.2f} s {100 * seconds / total:5.1f}%  {label}  ({CALLS[label]} calls)")
    for gen in range(3):
        print(f"{GC_TIME[gen]:8.2f} s  gc generation {gen} in this process ({GC_COUNT[gen]} collections)")
    for where, seconds in sorted(GC_WHERE.items(), key=lambda kv: -kv[1]):
        print(f"{seconds:8.2f} s    gen-2 collections under {where}")
    if captured and captured[-1].build is not None:
        for stage, seconds in captured[-1].build.timings.items():
            if args.per_note:
                print(f"{seconds:8.2f} s {1000 * seconds / args.per_note:7.3f} ms/note    kbgen {stage}")
            else:
                print(f"{seconds:8.2f} s {100 * seconds / total:5.1f}%    kbgen {stage}")


if __name__ == "__main__":
    main()
