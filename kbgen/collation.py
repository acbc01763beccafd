"""The one sort order for everything kbgen lists: notes, tags, folders, sections.

:func:`sort_key` orders names the way a Korean reader expects a listing:

- numbers by value, wherever they appear (``노트 2`` before ``노트 10``);
- letters case-insensitively (``adam`` beside ``Adam``), Latin before Hangul;
- Hangul in 가나다 order (Unicode orders precomposed syllables that way; names
  are NFC-normalized first, so macOS's decomposed file names sort the same);
- equal keys fall back to the exact text, so the order is total and stable.
"""
from __future__ import annotations

import re
import unicodedata

_CHUNKS = re.compile(r"(\d+)")


def sort_key(text: str) -> tuple:
    """A key for ``sorted``: numbers by value, letters case-insensitive, Hangul 가나다."""
    normal = unicodedata.normalize("NFC", text)
    parts: list[tuple[int, int | str]] = []
    for i, chunk in enumerate(_CHUNKS.split(normal.casefold())):
        if not chunk:
            continue
        # A number sorts before letters at the same place (as in a file manager).
        parts.append((0, int(chunk)) if i % 2 else (1, chunk))
    return (tuple(parts), normal)
