"""The pathological vault: every kind of hostile input issue 9 lists, at a chosen scale.

``scale=1.0`` is the full size (bench/pathological.py); the test suite writes
it at a small scale so CI stays fast. Each input is one entry of INPUTS so a
benchmark can build it alone or all together.
"""
from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Callable

Writer = Callable[[Path, float], list[str]]  # writes into the vault; returns the note paths it made


def _n(count: int, scale: float) -> int:
    return max(1, int(count * scale))


def _write(root: Path, rel: str, data: str | bytes) -> list[str]:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return [rel] if rel.endswith(".md") else []


def binary(root: Path, scale: float) -> list[str]:
    return _write(root, "binary.md", random.Random(9).randbytes(_n(200_000, scale)))


def nul(root: Path, scale: float) -> list[str]:
    return _write(root, "nul.md", "# NUL\n\n" + "text\x00with\x00nul\n" * _n(10_000, scale))


def invalid_utf8(root: Path, scale: float) -> list[str]:
    return _write(root, "invalid-utf8.md", "# 깨진 바이트\n\n".encode() + b"\xff\xfe\xc3\x28 \xed\xa0\x80 abc\n" * _n(10_000, scale))


def brackets(root: Path, scale: float) -> list[str]:
    n = _n(20_000, scale)
    return _write(root, "brackets.md", "# brackets\n\n" + "[" * n + "]" * n + "\n\n" + "*" * _n(50_000, scale) + "\n")


def deep_list(root: Path, scale: float) -> list[str]:
    return _write(root, "deep-list.md", "".join("  " * i + "- item\n" for i in range(_n(3_000, scale))))


def deep_quote(root: Path, scale: float) -> list[str]:
    return _write(root, "deep-quote.md", ">" * _n(10_000, scale) + " deep\n")


def unclosed(root: Path, scale: float) -> list[str]:
    lines = "line of text [[x]] $y$\n" * _n(5_000, scale)
    made: list[str] = []
    for name, opener in (("fence", "```python\n"), ("dollars", "$$\n"), ("comment", "%%\n"), ("front-matter", "---\n")):
        made += _write(root, f"unclosed-{name}.md", opener + lines)
    return made


def odd_names(root: Path, scale: float) -> list[str]:
    made: list[str] = []
    for name in ("odd #?%[] name.md", "emoji 🙂 note.md", " leading space.md", "Case.md", "sub/case.md",
                 "sub/CASE.md", "x.txt.md", "name with\ttab.md"):
        made += _write(root, name, f"# {name.strip()}\n\nlinks [[Case]] [[x.txt]]\n")
    _write(root, "x.txt", "an attachment beside x.txt.md\n")
    made += _write(root, ".hidden-note.md", "# hidden\n")
    return made


def symlinks(root: Path, scale: float) -> list[str]:
    (root / "loop").mkdir(exist_ok=True)
    os.symlink("..", root / "loop" / "back")  # a folder that contains itself
    os.symlink("nowhere.md", root / "dangling.md")  # a note whose file is gone
    os.symlink("/etc/hostname", root / "outside.md")  # leaves the vault: never published
    return ["dangling.md", "outside.md"]


def many_links(root: Path, scale: float) -> list[str]:
    _write(root, "target.md", "# target\n")
    return ["target.md"] + _write(root, "many-links.md",
                                  "# many\n\n" + " ".join(f"[[target|l{i}]]" for i in range(_n(100_000, scale))) + "\n")


def huge(root: Path, scale: float) -> list[str]:
    block = "기울기 소실 **굵게** [[target]] $x^2$ ==표시== `code` #tag\n\n"
    return _write(root, "huge.md", "# huge\n\n" + block * _n(22_000_000 // len(block.encode()), scale))


def formulas(root: Path, scale: float) -> list[str]:
    """A 500,000-character note made only of distinct formulas (~30,000): KaTeX's cost with a cold cache."""
    size, lines, i = _n(500_000, scale), [], 0  # just under max_note_size's default: not cut
    while True:
        line = " ".join(f"$x_{{{i + k}}}^{{2}}+y$" for k in range(10)) + "\n"
        size -= len(line)
        if size < 0:
            break
        lines.append(line)
        i += 10
    return _write(root, "formulas.md", "".join(lines))


INPUTS: dict[str, Writer] = {
    "binary": binary, "nul": nul, "invalid-utf8": invalid_utf8, "brackets": brackets, "deep-list": deep_list,
    "deep-quote": deep_quote, "unclosed": unclosed, "odd-names": odd_names, "symlinks": symlinks,
    "many-links": many_links, "huge": huge, "formulas": formulas,
}


def write_pathological_vault(root: Path, scale: float = 1.0, only: list[str] | None = None) -> list[str]:
    """Write the inputs (all, or ``only``) into ``root``; the note paths written, relative to ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    made: list[str] = []
    for name, writer in INPUTS.items():
        if only is None or name in only:
            made += writer(root, scale)
    return made
