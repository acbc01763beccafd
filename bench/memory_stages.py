#!/usr/bin/env python3
"""Where the memory of one ``kbgen build`` goes, stage by stage.

Usage: bench/memory_stages.py VAULT [--jobs N] [--tracemalloc STAGE] [--top N]

Runs ``kbgen build`` (cold: fresh site and cache) in this process, like
bench/profile_build.py, and prints after each stage the process's resident
memory (VmRSS) and the highest it reached during that stage (VmHWM, reset
through /proc/self/clear_refs at every stage boundary where the kernel allows
it), plus the peak the kernel reports for the whole run (ru_maxrss, what
bench/perf_bench.py reads with wait4). With ``--tracemalloc STAGE`` it also
prints the top allocation sites alive at the end of that stage (slow: use a
small vault).
"""
from __future__ import annotations

import argparse
import functools
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS: list[tuple[str, float, int, int]] = []  # stage, seconds since start, RSS kB, stage peak kB
STARTED = time.perf_counter()
SNAPSHOT_AT: str | None = None
TOP = 25


def _status() -> tuple[int, int]:
    rss = hwm = 0
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm


def _reset_peak() -> None:
    # "5" resets the peak RSS (VmHWM) to the current RSS (Linux ≥ 4.0).
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
    except OSError:
        pass


def mark(stage: str) -> None:
    rss, hwm = _status()
    ROWS.append((stage, time.perf_counter() - STARTED, rss, hwm))
    if SNAPSHOT_AT == stage:
        _print_top(stage)
    _reset_peak()


def _print_top(stage: str) -> None:
    import tracemalloc

    snapshot = tracemalloc.take_snapshot()
    stats = snapshot.statistics("traceback")
    total = sum(s.size for s in stats)
    print(f"-- tracemalloc after {stage}: top {TOP} lines:")
    for s in snapshot.statistics("lineno")[:TOP]:
        print(f"{s.size / 2**20:8.1f} MB {s.count:9d} blocks  {s.traceback.format()[-1].strip()}")
    print(f"-- tracemalloc after {stage}: {total / 2**20:.1f} MB traced; top {TOP} sites (5 frames):")
    for s in stats[:TOP]:
        print(f"{s.size / 2**20:8.1f} MB {s.count:9d} blocks")
        for frame in s.traceback.format()[-10:]:
            print("      " + frame.strip())


def after(owner: object, name: str, stage: str) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        try:
            return original(*args, **kwargs)
        finally:
            mark(stage)

    setattr(owner, name, wrapper)


def instrument() -> None:
    from mkdocs.plugins import PluginCollection

    from kbgen import build, mkdocs_build, mkdocs_plugin

    lap = build._Clock.lap

    def timed_lap(self, vault_build, stage):
        lap(self, vault_build, stage)
        mark(f"kbgen {stage}")

    build._Clock.lap = timed_lap  # type: ignore[method-assign]
    after(mkdocs_plugin, "release_tokens", "kbgen release_tokens")
    after(PluginCollection, "on_files", "on_files done (MkDocs Files from kbgen's pages)")
    after(PluginCollection, "on_nav", "navigation")
    after(PluginCollection, "on_env", "MkDocs populate (every page read/rendered)")
    after(mkdocs_build._PageTemplating, "run", "page templating + writes")
    after(PluginCollection, "on_post_build", "on_post_build (search index, diagnostics)")


def main() -> None:
    global SNAPSHOT_AT, TOP
    parser = argparse.ArgumentParser()
    parser.add_argument("vault", type=Path)
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--tracemalloc", metavar="STAGE", help="e.g. 'kbgen emit'")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    SNAPSHOT_AT, TOP = args.tracemalloc, args.top
    if SNAPSHOT_AT:
        import tracemalloc

        tracemalloc.start(10)
    tmp = Path(tempfile.mkdtemp(prefix="kbgen-memory-"))
    config = tmp / "mkdocs.yml"
    config.write_text(
        f"site_name: bench\ndocs_dir: {args.vault.resolve()}\nsite_dir: {tmp / 'site'}\n"
        "theme:\n  name: material\n  language: ko\n  font: false\n  features: [navigation.prune]\n"
        "plugins:\n  - search:\n      lang: [ko, en]\n  - tags\n"
        f"  - kbgen:\n      cache_dir: {tmp / 'cache'}\n", encoding="utf-8")
    from kbgen import cli

    instrument()
    mark("start (imports)")
    argv = ["build", "--config", str(config), "-q"] + (["-j", str(args.jobs)] if args.jobs else [])
    status = cli.main(argv)
    mark("end")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"exit {status}; {time.perf_counter() - STARTED:.1f} s; ru_maxrss {peak / 1024:.0f} MB (whole run)")
    print(f"{'stage':<50} {'t s':>7} {'RSS MB':>8} {'stage peak MB':>14}")
    for stage, seconds, rss, hwm in ROWS:
        print(f"{stage:<50} {seconds:7.1f} {rss / 1024:8.0f} {hwm / 1024:14.0f}")


if __name__ == "__main__":
    main()
