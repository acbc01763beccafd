#!/usr/bin/env python3
"""Fidelity figures: leaked Markdown syntax and math errors in a built vault.

Usage: bench/fidelity_report.py VAULT [VAULT ...] [--code DIR] [--config mkdocs.yml] [--cache DIR]

For each vault it runs the kbgen pipeline (load → render → emit, as ``kbgen
build`` does before MkDocs) and prints, over the notes' page bodies (backlinks
included):

- leaked syntax: visible text (code, pre, math markup and scripts left out)
  containing ``[[``, ``$$``, ``==``, ``%%``, ``**`` or ``[!`` — notes and occurrences;
- math errors: ``math`` diagnostics (formulas neither typesetter accepts);
- formulas by path: KaTeX as written, KaTeX after a rewrite, MathJax in the
  browser, failed (fields a kbgen version does not record print as ``-``).

``--code DIR`` imports kbgen from another checkout (e.g. ``git archive`` of an
older commit), so before/after figures come from the same script.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEAKS = ("[[", "$$", "==", "%%", "**", "[!")
# Elements whose text is not prose a reader sees as written Markdown.
_SKIP_TAGS = {"pre", "code", "script", "style", "annotation", "math", "template"}
_SKIP_CLASSES = {"katex", "katex-display", "kb-mathjax"}
_VOID = {"br", "img", "hr", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}


class _VisibleText(HTMLParser):
    """Text outside code, math and scripts (skipped elements tracked by depth)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: does it start a skipped region

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        self.stack.append(tag in _SKIP_TAGS or bool(classes & _SKIP_CLASSES))

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.stack):
            self.parts.append(data)


def visible_text(page_html: str) -> str:
    parser = _VisibleText()
    parser.feed(page_html)
    parser.close()
    return "".join(parser.parts)


def kbgen_options(config_path: Path | None) -> dict:
    if config_path is None:
        return {}
    import yaml

    data = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    for plugin in data.get("plugins") or []:
        if isinstance(plugin, dict) and "kbgen" in plugin:
            return dict(plugin["kbgen"] or {})
    return {}


def report(vault: Path, options: dict, cache: Path) -> None:
    from kbgen.build import build_vault
    from kbgen.config import KbgenConfig

    config = KbgenConfig.from_mapping({**options, "notes_dir": vault, "cache_dir": cache})
    started = time.perf_counter()
    build = build_vault(config)
    seconds = time.perf_counter() - started
    notes_with: Counter = Counter()
    occurrences: Counter = Counter()
    examples: dict[str, str] = {}
    paths: Counter = Counter()
    recorded: set[str] = set()  # path fields this kbgen version reports
    for src_path, rendered in sorted(build.rendered.items()):
        text = visible_text(rendered.html)
        for leak in LEAKS:
            count = text.count(leak)
            if count:
                notes_with[leak] += 1
                occurrences[leak] += count
                if leak not in examples:
                    at = text.find(leak)
                    examples[leak] = f"{src_path}: …{' '.join(text[max(0, at - 30): at + 30].split())}…"
        math = rendered.data.get("math") or {}
        for key in ("formulas", "errors", "katex", "rewritten", "mathjax", "failed"):
            if key in math:
                paths[key] += int(math[key])
                recorded.add(key)
    math_diagnostics = sum(1 for d in build.diagnostics if d.code == "math")
    print(f"{vault} ({len(build.rendered)} notes, {seconds:.1f} s)")
    for leak in LEAKS:
        print(f"  leaked {leak!r:6}: {notes_with[leak]:5} notes, {occurrences[leak]:6} occurrences"
              + (f"   e.g. {examples[leak][:110]}" if leak in examples else ""))
    print(f"  leaked (any)  : {sum(1 for r in build.rendered.values() if any(x in visible_text(r.html) for x in LEAKS)):5} notes")
    print(f"  math errors   : {math_diagnostics} diagnostics")
    shown = ", ".join(f"{k} {paths[k] if k in recorded or not paths['formulas'] else '-'}" for k in
                      ("formulas", "katex", "rewritten", "mathjax", "failed", "errors"))
    print(f"  formulas      : {shown}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("vaults", nargs="+", type=Path)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to import kbgen from")
    parser.add_argument("--config", type=Path, help="mkdocs.yml whose kbgen options to use")
    parser.add_argument("--cache", type=Path, help="kbgen cache dir (default: a fresh temporary one)")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    import kbgen

    print(f"kbgen from {Path(kbgen.__file__).parent}; load {os.getloadavg()[0]:.2f}")
    options = kbgen_options(args.config)
    with tempfile.TemporaryDirectory(prefix="kbgen-fidelity-") as tmp:
        for vault in args.vaults:
            report(vault.resolve(), options, (args.cache or Path(tmp) / "cache").resolve())


if __name__ == "__main__":
    main()
