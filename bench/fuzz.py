"""Fuzz loading and rendering with the test suite's strategies, many more times than CI does.

    .venv/bin/python bench/fuzz.py [--examples 10000] [--no-math]

Each example is one note (random Markdown from kbgen's syntax, random YAML front
matter, or random bytes in several encodings) loaded and rendered. Prints how
many ran, every distinct exception (type, message, the smallest input that
raised it), and the slowest examples with their size.
"""
from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fuzz_strategies import Renderer, note_bytes, note_text  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--no-math", action="store_true")
    args = parser.parse_args()
    renderer = Renderer(math=not args.no_math)
    failures: dict[str, bytes] = {}
    times: list[tuple[float, int, bytes]] = []
    count = 0

    @settings(max_examples=args.examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(note_text.map(lambda t: t.encode("utf-8")), note_bytes))
    def run(data: bytes) -> None:
        nonlocal count
        count += 1
        started = time.perf_counter()
        try:
            renderer.render_bytes(data)
        except Exception as exc:  # noqa: BLE001 - every failure is a finding
            key = f"{type(exc).__name__}: {exc}"[:200]
            if key not in failures or len(data) < len(failures[key]):
                failures[key] = data
            if len(failures) == 1 and key in failures:
                traceback.print_exc()
        times.append((time.perf_counter() - started, len(data), data))

    started = time.perf_counter()
    run()
    total = time.perf_counter() - started
    times.sort(reverse=True)
    print(f"examples: {count} in {total:.1f} s (math {'off' if args.no_math else 'on'})")
    print(f"distinct exceptions: {len(failures)}")
    for key, data in failures.items():
        print(f"  {key}\n    smallest input: {data[:300]!r}")
    print("slowest examples:")
    for t, n, data in times[:5]:
        print(f"  {t * 1000:7.0f} ms  {n:5} bytes  {data[:120]!r}")
    print(f"median: {times[len(times) // 2][0] * 1000:.1f} ms")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
