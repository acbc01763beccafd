"""Obsidian comments: ``%%…%%`` is removed from a note before anything reads it.

Comments are private remarks; anything that sees them later (renderer, title,
search index, descriptions, quiz page) could publish them, so the loader strips
them from the body first. Rules, as Obsidian reads them:

- ``%%`` opens a comment anywhere in text — inline, across lines, around whole
  blocks — and the next ``%%`` closes it;
- inside fenced code blocks and inline code spans ``%%`` is text (MATLAB cell
  markers, LaTeX examples);
- an unclosed ``%%`` hides the rest of the note, and is reported at its line.

The comment's characters are removed but its newlines kept, so every later line
keeps its number and later diagnostics point at the right line. Removing
instead of blanking with spaces avoids turning the text after a comment into
an indented code block. One pass over the text: linear in its size.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

MARKER = "%%"
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")


@dataclass
class StrippedText:
    text: str
    # (0-based line, 0-based column) of an opening %% that is never closed
    unclosed: tuple[int, int] | None = None
    comments: int = 0
    spans: list[tuple[int, int]] = field(default_factory=list)  # removed (start, end) offsets


def strip_comments(text: str) -> StrippedText:
    """``text`` without its ``%%`` comments; newlines inside comments are kept."""
    if MARKER not in text:
        return StrippedText(text)
    out: list[str] = []
    result = StrippedText("")
    fence: str | None = None  # the open fence's marker run while inside fenced code
    lines = text.split("\n")
    number = 0
    while number < len(lines):
        line = lines[number]
        if fence is not None:
            out.append(line)
            if _closes_fence(line, fence):
                fence = None
            number += 1
            continue
        opened = _FENCE.match(line)
        if opened and not (opened.group(1)[0] == "`" and "`" in line[opened.end():]):
            fence = opened.group(1)
            out.append(line)
            number += 1
            continue
        number = _strip_line(lines, number, out, result)
    result.text = "\n".join(out)
    return result


def _closes_fence(line: str, fence: str) -> bool:
    match = _FENCE.match(line)
    return bool(match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence)
                and not line[match.end():].strip())


def _strip_line(lines: list[str], number: int, out: list[str], result: StrippedText) -> int:
    """Copy line ``number`` minus its comments to ``out``; a comment that runs on
    swallows the following lines (leaving them empty). Returns the next line to read."""
    line = lines[number]
    spans = _code_spans(line)
    kept: list[str] = []
    pos = 0
    while pos < len(line):
        percent = line.find(MARKER, pos)
        if percent == -1:
            kept.append(line[pos:])
            break
        span = _span_around(spans, pos, percent)
        if span is not None:  # the %% is inside `code`: keep through the span's end
            kept.append(line[pos:span[1]])
            pos = span[1]
            continue
        kept.append(line[pos:percent])
        result.comments += 1
        end = _find_close(lines, number, percent + len(MARKER))
        if end is None:  # unclosed: the rest of the note is hidden
            result.unclosed = (number, percent)
            out.append("".join(kept))
            out.extend("" for _ in lines[number + 1:])
            return len(lines)
        close_line, close_col = end
        if close_line != number:
            while number < close_line:  # lines inside the comment become empty
                out.append("".join(kept))
                kept = []
                number += 1
            line = lines[number]
            spans = _code_spans(line)
        pos = close_col + len(MARKER)
    out.append("".join(kept))
    return number + 1


def _code_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of the line's code spans: a backtick run up to the next run of
    the same width. Runs are indexed by width once, so the scan stays linear."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(line)]
    if len(runs) < 2:
        return []
    by_width: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_width.setdefault(end - start, []).append(index)
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        same = by_width[end - start]
        later = bisect.bisect_right(same, index)
        if later < len(same):
            spans.append((start, runs[same[later]][1]))
            index = same[later] + 1
        else:
            index += 1
    return spans


def _span_around(spans: list[tuple[int, int]], pos: int, offset: int) -> tuple[int, int] | None:
    """The code span that starts at or after ``pos`` and contains ``offset``."""
    at = bisect.bisect_right(spans, (offset, float("inf"))) - 1
    if at >= 0 and spans[at][0] >= pos and spans[at][0] <= offset < spans[at][1]:
        return spans[at]
    return None


def _find_close(lines: list[str], number: int, start: int) -> tuple[int, int] | None:
    """(line, column) of the ``%%`` that closes a comment opened before ``start``."""
    col = lines[number].find(MARKER, start)
    while col == -1:
        number += 1
        if number >= len(lines):
            return None
        col = lines[number].find(MARKER, 0)
    return number, col
