"""What math costs a vault build: math off, math with a cold formula cache, and warm.

Usage: python bench/math_bench.py [--notes 5000] [--vault DIR] [--unique] [--repeat 3]

Builds the shared synthetic vault (/work/shared/bench/make_vault.py, reused
between runs) with ``kbgen.build.build_vault`` in a fresh process per
measurement, and prints total build seconds, the seconds spent typesetting
(cache look-ups + KaTeX, engine start-up included) and math's share. The
synthetic vault repeats a handful of formulas; ``--unique`` makes every one of
them distinct, so a cold build really typesets each formula.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_VAULT = Path("/work/shared/bench/make_vault.py")


def _vault(notes: int, unique: bool, where: Path | None) -> Path:
    base = where or Path(tempfile.gettempdir()) / f"kbgen-math-bench-{notes}"
    vault = base.with_name(base.name + "-unique") if unique else base
    if (vault / ".complete").is_file():
        return vault
    shutil.rmtree(vault, ignore_errors=True)
    subprocess.run([sys.executable, str(MAKE_VAULT), str(vault), str(notes)], check=True)
    if unique:
        _make_formulas_unique(vault)
    (vault / ".complete").write_text("", encoding="utf-8")
    return vault


def _make_formulas_unique(vault: Path) -> None:
    counter = 0

    def tag(match: re.Match) -> str:
        nonlocal counter
        counter += 1
        return f"{match.group(1)}{match.group(2)} + {counter}{match.group(3)}"

    pattern = re.compile(r"(\$\$\n|(?<!\$)\$(?=\S))(.+?)(\n\$\$|\$)")
    for path in sorted(vault.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        path.write_text(pattern.sub(tag, text), encoding="utf-8")


def _measure(vault: Path, cache: Path, math: bool) -> dict:
    """One build in a fresh interpreter, so engine start-up and imports count as in real use."""
    code = f"""
import json, time
from pathlib import Path
from kbgen.config import KbgenConfig
from kbgen.build import build_vault
config = KbgenConfig(notes_dir=Path({str(vault)!r}), cache_dir=Path({str(cache)!r}), math={math!r})
started, cpu = time.perf_counter(), time.process_time()
build = build_vault(config)
total, cpu = time.perf_counter() - started, time.process_time() - cpu
stats = [r.data["math"] for r in build.rendered.values() if r.data.get("math")]
print(json.dumps({{"total": total, "cpu": cpu, "math": sum(s["seconds"] for s in stats),
    "formulas": sum(s["formulas"] for s in stats), "errors": sum(s["errors"] for s in stats),
    "browser": sum(s["browser"] for s in stats), "notes": len(build.rendered), "timings": build.timings}}))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=5000)
    parser.add_argument("--vault", type=Path, help="where to keep the generated vault (reused)")
    parser.add_argument("--unique", action="store_true", help="make every formula distinct")
    parser.add_argument("--repeat", type=int, default=3, help="builds per configuration (the fastest counts)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from kbgen.katex.fetch import ensure_katex, katex_dir

    shared = Path(tempfile.gettempdir()) / "kbgen-math-bench-katex"
    katex = ensure_katex(shared)
    if katex is None:
        sys.exit("KaTeX could not be fetched; run `python -m kbgen.katex.fetch` first")
    vault = _vault(args.notes, args.unique, args.vault)

    runs: dict[str, list[dict]] = {"off": [], "cold": [], "warm": []}
    started = time.perf_counter()
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="kbgen-math-cache-") as tmp:
            cache = Path(tmp)
            shutil.copytree(katex, katex_dir(cache))  # KaTeX present, formula cache empty
            runs["off"].append(_measure(vault, cache, math=False))
            runs["cold"].append(_measure(vault, cache, math=True))
            runs["warm"].append(_measure(vault, cache, math=True))
            cache_mb = sum(p.stat().st_size for p in cache.glob("math-cache.sqlite3*")) / 1e6
    wall = time.perf_counter() - started
    # The fastest of the repeats: the least disturbed by the machine's other work.
    off, cold, warm = (min(runs[name], key=lambda r: r["total"]) for name in ("off", "cold", "warm"))

    print(f"vault: {vault} ({off['notes']} notes, {cold['formulas']} formulas"
          f"{', all distinct' if args.unique else ''}); formula cache {cache_mb:.2f} MB")
    print(f"{'run':<12}{'build s':>10}{'cpu s':>8}{'math s':>9}{'math share':>12}{'vs. off':>10}{'cpu vs. off':>13}")
    print(f"{'math off':<12}{off['total']:>10.2f}{off['cpu']:>8.2f}{'-':>9}{'-':>12}")
    for name, run in (("cold cache", cold), ("warm cache", warm)):
        share = run["math"] / run["total"] if run["total"] else 0.0
        extra = (run["total"] - off["total"]) / run["total"] if run["total"] else 0.0
        extra_cpu = (run["cpu"] - off["cpu"]) / run["cpu"] if run["cpu"] else 0.0
        print(f"{name:<12}{run['total']:>10.2f}{run['cpu']:>8.2f}{run['math']:>9.2f}{share:>11.1%}{extra:>10.1%}{extra_cpu:>13.1%}")
    print(f"(math s = time pages waited for typesetting: cache look-ups + KaTeX + engine start-up, less what a "
          f"worker thread did during parsing; 'vs. off' = (build - build without math) / build, in wall and "
          f"in CPU seconds (all threads); errors {cold['errors']}, "
          f"left to the browser {cold['browser']}; fastest of {args.repeat} runs each; bench wall time {wall:.0f} s)")


if __name__ == "__main__":
    main()
