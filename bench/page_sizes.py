#!/usr/bin/env python3
"""Page sizes of a built site, told apart: note pages, generated pages, alias redirect stubs.

Usage: bench/page_sizes.py SITE VAULT [--breakdown [PAGE]]

A "median page" over every ``index.html`` is misleading: about half of them
are alias redirect stubs of a few hundred bytes. This prints the median, 90th
percentile and largest of the note pages (the pages of the vault's ``.md``
files) and of the generated pages (tag, folder, quizzes, review, home, graph…)
apart, stubs counted but left out of both. ``--breakdown`` splits the median
note page (or PAGE) into its parts — Material's header, sidebar navigation,
table of contents, the article (formulas, backlinks …), footer, scripts — to
show where the bytes are. perf_bench.py takes its page columns from here.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from kbgen.vault.urls import clean_path, is_index_name  # noqa: E402

STUB_MARK = b'http-equiv="refresh"'


@dataclass
class Sizes:
    """Sizes in bytes, with the paths, largest last."""

    files: list[tuple[int, Path]]

    def stat(self, q: float) -> int:
        ordered = [size for size, _ in self.files]
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0

    @property
    def median(self) -> int:
        return self.stat(0.5)

    @property
    def p90(self) -> int:
        return self.stat(0.9)

    @property
    def largest(self) -> tuple[int, Path | None]:
        return self.files[-1] if self.files else (0, None)

    def cell(self) -> str:
        """``median / p90 / max`` in KB."""
        return f"{self.median / 1e3:.1f} / {self.p90 / 1e3:.1f} / {self.largest[0] / 1e3:.0f}"


def note_page_paths(site: Path, vault: Path) -> set[Path]:
    """The files the vault's notes are written to (directory URLs)."""
    out = set()
    for md in vault.rglob("*.md"):
        rel = md.relative_to(vault).as_posix()
        cleaned = clean_path(rel)
        if is_index_name(rel):
            cleaned = cleaned.rpartition("/")[0]
        out.add(site / cleaned / "index.html" if cleaned else site / "index.html")
    return out


def classify(site: Path, vault: Path) -> tuple[Sizes, Sizes, int]:
    """(note pages, generated pages, number of redirect stubs)."""
    notes = note_page_paths(site, vault)
    note_sizes, generated, stubs = [], [], 0
    for page in site.rglob("*.html"):
        if page.name == "404.html" or page.name != "index.html" and page.parent == site:
            continue
        data = page.read_bytes()
        if STUB_MARK in data[:600]:
            stubs += 1
        elif page in notes:
            note_sizes.append((len(data), page))
        else:
            generated.append((len(data), page))
    return Sizes(sorted(note_sizes)), Sizes(sorted(generated)), stubs


# Parts of a Material page, in the order they appear; what none of them holds is "rest".
_PARTS = [
    ("head", r"<head>.*?</head>"),
    ("header (logo, search box)", r"<header\b.*?</header>"),
    ("sidebar navigation", r'<div class="md-sidebar md-sidebar--primary".*?(?=<div class="md-sidebar md-sidebar--secondary")'),
    ("table of contents", r'<div class="md-sidebar md-sidebar--secondary".*?(?=<div class="md-content")'),
    ("breadcrumbs", r'<nav class="md-path".*?</nav>'),
    ("backlinks", r'<aside class="kb-backlinks".*?</aside>'),
    ("footer", r"<footer\b.*?</footer>"),
    ("scripts after the page", r'<div class="md-dialog".*?</html>'),
]
_FORMULA = re.compile(r'<span class="katex">.*?</math></span><span class="katex-html" aria-hidden="true">', re.S)


def breakdown(page: Path) -> list[tuple[str, int]]:
    """Bytes per part of one page; formulas are counted inside the parts that hold them too."""
    text = page.read_text(encoding="utf-8")
    out, rest = [], len(text.encode())
    for name, pattern in _PARTS:
        found = sum(len(m.encode()) for m in re.findall(pattern, text, re.S))
        out.append((name, found))
        rest -= found
    article = re.search(r"<article\b.*?</article>", text, re.S)
    body = article.group(0) if article else ""
    aside = re.search(r'<aside class="kb-backlinks".*?</aside>', body, re.S)
    out.append(("article without backlinks", len(body.encode()) - (len(aside.group(0).encode()) if aside else 0)))
    rest -= out[-1][1]
    out.append(("rest (skip link, wrappers, whitespace)", rest))
    katex = re.findall(r'<span class="katex">.*?(?=<span class="katex">|</p>|</div>|</li>)', text, re.S)
    mathml = re.findall(r"<math\b.*?</math>", text, re.S)
    out.append(("  of which formulas (KaTeX HTML+MathML)", sum(len(k.encode()) for k in katex)))
    out.append(("  of which MathML", sum(len(m.encode()) for m in mathml)))
    out.append(("  of which inline SVG icons", sum(len(m.encode()) for m in re.findall(r"<svg\b.*?</svg>", text, re.S))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("vault", type=Path)
    parser.add_argument("--breakdown", nargs="?", const="", default=None, help="a page (default: the median note page)")
    args = parser.parse_args()
    notes, generated, stubs = classify(args.site, args.vault)
    print(f"note pages: {len(notes.files)}, KB median / p90 / max: {notes.cell()} ({notes.largest[1]})")
    print(f"generated pages: {len(generated.files)}, KB median / p90 / max: {generated.cell()}")
    for size, path in generated.files[-5:][::-1]:
        print(f"  {size / 1e3:9.1f} KB  {path.relative_to(args.site)}")
    print(f"alias redirect stubs (left out of both): {stubs}")
    if args.breakdown is not None:
        page = Path(args.breakdown) if args.breakdown else notes.files[len(notes.files) // 2][1]
        print(f"\n{page} ({page.stat().st_size} bytes):")
        for name, size in breakdown(page):
            print(f"  {name:42s} {size:7d}")


if __name__ == "__main__":
    main()
