#!/usr/bin/env python3
"""Build-time benchmark on the shared synthetic vault.

Usage: bench/build_bench.py [N ...] [--keep DIR] [--repeat R]

For each N it writes ``../shared/bench/make_vault.py OUT N`` (once, into a
temporary folder or --keep), then runs ``kbgen build`` in a subprocess (full
MkDocs + Material build, cold kbgen cache first, then warm) and the kbgen
pipeline alone (load → render → emit, no MkDocs), and prints the figures.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_VAULT = ROOT.parent / "shared" / "bench" / "make_vault.py"


def make_vault(out: Path, n: int) -> Path:
    vault = out / f"vault-{n}"
    if not vault.exists():
        subprocess.run([sys.executable, str(MAKE_VAULT), str(vault), str(n)], check=True)
    return vault


def full_build(vault: Path, site: Path, cache: Path) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    config = cache.parent / "mkdocs.yml"
    config.write_text(
        f"site_name: bench\ndocs_dir: {vault}\nsite_dir: {site}\n"
        "theme:\n  name: material\n  language: ko\n  font: false\n  features: [navigation.prune]\n"
        "plugins:\n  - search:\n      lang: [ko, en]\n  - tags\n"
        f"  - kbgen:\n      cache_dir: {cache}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kbgen", "build", "--config", str(config), "-q"],
                            env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    summary = next((line for line in result.stderr.splitlines() if line.startswith("kbgen: ")), result.stderr[-300:])
    return seconds, summary


def pipeline_only(vault: Path, cache: Path) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from kbgen.build import build_vault
    from kbgen.config import KbgenConfig

    build = build_vault(KbgenConfig(notes_dir=vault, cache_dir=cache))
    return build.timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 5000])
    parser.add_argument("--keep", type=Path, help="keep generated vaults here")
    args = parser.parse_args()
    if not MAKE_VAULT.exists():
        sys.exit(f"missing {MAKE_VAULT}")
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
        for n in args.sizes:
            vault = make_vault(out, n)
            work = Path(tempfile.mkdtemp(dir=tmp))
            cache = work / "cache"
            cold, summary = full_build(vault, work / "site", cache)
            warm, _ = full_build(vault, work / "site", cache)
            timings = pipeline_only(vault, cache)
            stages = ", ".join(f"{k} {v:.2f}" for k, v in timings.items())
            pages = sum(1 for _ in (work / "site").rglob("index.html"))
            size_mb = sum(p.stat().st_size for p in (work / "site").rglob("*") if p.is_file()) / 1e6
            print(f"N={n}: kbgen build cold {cold:.1f} s, warm {warm:.1f} s "
                  f"({pages} pages, {size_mb:.0f} MB site); pipeline alone (warm cache): {sum(timings.values()):.2f} s [{stages}]")
            print(f"    {summary}")


if __name__ == "__main__":
    main()
