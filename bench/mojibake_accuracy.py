"""How well does kbgen.vault.mojibake.repair restore Korean notes damaged like the vault's two?

Takes clean Korean seeds, damages them exactly as the real files were damaged (UTF-8 bytes read as
Windows-1254, whose undefined bytes 81 8D 8E 8F 90 9D 9E vanish, soft hyphens - byte AD - stripped,
saved again as UTF-8), repairs them, and counts the damaged characters restored exactly.

    .venv/bin/python bench/mojibake_accuracy.py [--seeds DIR] [--codec cp1254|cp1252]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbgen.vault import mojibake  # noqa: E402
from kbgen.vault.korean_model import load_model  # noqa: E402

SEED_PATTERNS = ("002_*.txt", "003_*.txt", "004_*.txt")


def lost_bytes(codec: str, strip_soft_hyphen: bool) -> set[int]:
    lost = {b for b in range(0x80, 0x100) if bytes([b]).decode(codec, errors="ignore") == ""}
    return lost | {0xAD} if strip_soft_hyphen else lost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--codec", default="cp1254", help="code page that misread the bytes (cp1254 as found)")
    parser.add_argument("--keep-soft-hyphen", action="store_true", help="do not strip U+00AD (byte AD)")
    parser.add_argument("--errors", action="store_true", help="list every wrongly restored character")
    args = parser.parse_args(argv)

    files = [p for pattern in SEED_PATTERNS for p in sorted(args.seeds.glob(pattern))]
    if not files:
        print(f"no seeds matching {', '.join(SEED_PATTERNS)} in {args.seeds}", file=sys.stderr)
        return 2
    strip = not args.keep_soft_hyphen
    lost = lost_bytes(args.codec, strip)

    t0 = time.perf_counter()
    load_model()
    load_time = time.perf_counter() - t0

    total_damaged = total_ok = 0
    total_time = 0.0
    print(f"codec {args.codec}, lost bytes {' '.join(f'{b:02X}' for b in sorted(lost))}")
    print(f"model load: {load_time:.3f} s")
    for path in files:
        clean = path.read_text(encoding="utf-8")
        damaged_text = mojibake.simulate_double_encoding(clean, args.codec, strip)
        t1 = time.perf_counter()
        result = mojibake.repair(damaged_text)
        elapsed = time.perf_counter() - t1
        total_time += elapsed
        positions = [i for i, ch in enumerate(clean) if lost & set(ch.encode("utf-8"))]
        out = result.text
        if len(out) != len(clean):
            print(f"{path.name}: length changed {len(clean)} -> {len(out)}; counting by position anyway")
        ok = sum(1 for i in positions if i < len(out) and out[i] == clean[i])
        other_diffs = sum(1 for i, (a, b) in enumerate(zip(clean, out)) if a != b) - (len(positions) - ok)
        lines_ok = clean.count("\n") == out.count("\n")
        total_damaged += len(positions)
        total_ok += ok
        pct = 100.0 * ok / len(positions) if positions else 100.0
        print(
            f"{path.name}: {len(clean.encode('utf-8'))} bytes, damaged {len(positions)}, restored {ok} "
            f"({pct:.1f}%), guessed {result.guessed}, other diffs {other_diffs}, "
            f"lines {'kept' if lines_ok else 'CHANGED'}, {elapsed * 1000:.0f} ms"
        )
        if args.errors:
            for i in positions:
                if i < len(out) and out[i] != clean[i]:
                    a, b = max(0, i - 6), i + 6
                    print(f"    {clean[i]} -> {out[i]}   {clean[a:b]!r}")
    pct = 100.0 * total_ok / total_damaged if total_damaged else 100.0
    print(f"TOTAL: damaged {total_damaged}, restored {total_ok}, {pct:.1f}%, repair time {total_time:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
