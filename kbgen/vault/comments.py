"""Obsidian comments: ``%%…%%`` is removed from a note before anything reads it.

Comments are private remarks; anything that sees them later (renderer, title,
search index, descriptions, quiz page) could publish them, so the loader strips
them from the body first. Rules, as Obsidian reads them:

- ``%%`` opens a comment anywhere in text — inline, across lines, around whole
  blocks — and the next ``%%`` closes it;
- where a construct that keeps its text literal starts first, ``%%`` inside it
  is text: fenced code blocks (also in list items, quotes and callouts, up to
  where those end) and indented code blocks, inline code spans (MATLAB cell
  markers, LaTeX examples), and formulas — ``$…$``, ``$$…$$`` in a line and
  ``$$`` display blocks — as the renderer finds them (see
  kbgen/markdown/math_syntax.py). A comment that opens first hides them
  instead: the leftmost construct wins, as in Obsidian's parser;
- an unclosed ``%%`` hides the rest of the note, and is reported at its line.

Where a line's block is unclear (an indented line inside a list or a quote)
it is read as text, so a doubt hides a comment rather than publishing it.

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
_FENCE = re.compile(r"^(`{3,}|~{3,})")  # matched after the line's indentation and quote markers
_QUOTE = re.compile(r"^(?:[ \t]{0,3}>[ ]?)+")
_BACKTICKS = re.compile(r"`+")
_LIST_ITEM = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+|$)")
# A display-math line: `$$` after quote markers and an optional list marker (as math_syntax opens it).
_DISPLAY_OPEN = re.compile(r"^(?:[ \t]*>)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?\$\$")
_DOLLAR = re.compile(r"\$+")
_DIGITS = "0123456789"


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
    lines = text.split("\n")
    blocks = _Blocks()
    number = 0
    while number < len(lines):
        line = lines[number]
        if blocks.in_fence(line) or blocks.indented_code(line, not out or not out[-1].strip()) \
                or blocks.opens_fence(line):
            out.append(line)
            number += 1
            continue
        start = 0
        closed = blocks.display_math_end(lines, number)
        if closed is not None:  # a $$ block: its lines are the formula's, up to the closing $$
            out.extend(lines[number:closed[0]])
            number, start = closed
        number = _strip_line(lines, number, out, result, start)
    result.text = "\n".join(out)
    return result


class _Blocks:
    """The block structure ``strip_comments`` needs, read line by line outside comments."""

    def __init__(self) -> None:
        self.lists: list[int] = []  # content column of each open list item, innermost last
        self.in_code = False
        self.no_closer_from = -1  # no unescaped `$$` at or after this line: unclosed blocks stay text
        # The open fenced code block: (marker run, inside a quote, its list item's content column)
        self.fence: tuple[str, bool, int] | None = None

    def opens_fence(self, line: str) -> bool:
        """Whether ``line`` opens fenced code: at the top level, in a list item (indented
        under its text) or in a quote or callout (after its ``>`` markers)."""
        quote = _QUOTE.match(line)
        rest = line[quote.end():] if quote else line
        indent = _width(rest)
        base = 0 if quote else max((col for col in self.lists if col <= indent), default=0)
        opened = _FENCE.match(rest.lstrip(" \t"))
        if not opened or indent >= base + 4:
            return False
        after = rest.lstrip(" \t")[opened.end():]
        if opened.group(1)[0] == "`" and "`" in after:
            return False  # ```x``` is a code span, not a fence
        self.fence = (opened.group(1), quote is not None, base)
        return True

    def in_fence(self, line: str) -> bool:
        """Whether ``line`` belongs to the open fenced code block (closing it if it is the closing
        fence). The block also ends, unclosed, where its quote or list item ends: the line
        after it is read again as text, so a comment after an unclosed fence is still removed."""
        if self.fence is None:
            return False
        marker, quoted, base = self.fence
        quote = _QUOTE.match(line)
        if (quoted and quote is None) or (not quoted and base and line.strip() and _width(line) < base):
            self.fence = None
            return False
        rest = (line[quote.end():] if quoted and quote else line).lstrip(" \t")
        closing = _FENCE.match(rest)
        if (closing and closing.group(1)[0] == marker[0] and len(closing.group(1)) >= len(marker)
                and not rest[closing.end():].strip()):
            self.fence = None
        return True

    def indented_code(self, line: str, after_blank: bool) -> bool:
        """Whether ``line`` is in an indented code block (and track list items as lines pass)."""
        if not line.strip():
            return self.in_code
        indent = _width(line)
        base = self.lists[-1] if self.lists else 0
        if indent >= base + 4 and (after_blank or self.in_code):  # code never interrupts a paragraph
            self.in_code = True
            return True
        self.in_code = False
        item = _LIST_ITEM.match(line)
        if item:
            marker_col = _width(item.group(1))
            while self.lists and self.lists[-1] > marker_col:
                self.lists.pop()
            spaces = _width(line[:item.end()]) - marker_col - len(item.group(2))
            self.lists.append(marker_col + len(item.group(2)) + (spaces if 1 <= spaces <= 4 else 1))
        elif after_blank:  # a line after a blank ends the items it is not indented into
            while self.lists and self.lists[-1] > indent:
                self.lists.pop()
        return False

    def display_math_end(self, lines: list[str], number: int) -> tuple[int, int] | None:
        """(line, column after it) of the ``$$`` closing a display block that opens line ``number``,
        when it closes on a later line; None when the line opens no such block."""
        opened = _DISPLAY_OPEN.match(lines[number])
        if not opened or self.no_closer_from >= 0:
            return None
        if _find_unescaped(lines[number], "$$", opened.end()) >= 0:
            return None  # `$$x$$` in one line: the line's own spans keep it
        for later in range(number + 1, len(lines)):
            col = _find_unescaped(lines[later], "$$", 0)
            if col >= 0:
                return later, col + 2
        self.no_closer_from = number  # one failed search covers every later opener: linear
        return None


def _width(text: str) -> int:
    """Columns of ``text``'s leading whitespace, tabs stopping at multiples of 4 (CommonMark)."""
    col = 0
    for char in text:
        if char == " ":
            col += 1
        elif char == "\t":
            col += 4 - col % 4
        else:
            break
    return col


def _find_unescaped(line: str, what: str, start: int) -> int:
    at = line.find(what, start)
    while at >= 0 and _escaped(line, at):
        at = line.find(what, at + 1)
    return at


def _escaped(text: str, at: int) -> bool:
    """True when ``text[at]`` follows an odd run of backslashes (``\\$`` is a dollar sign)."""
    slashes = 0
    while at - slashes - 1 >= 0 and text[at - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


def _strip_line(lines: list[str], number: int, out: list[str], result: StrippedText, start: int = 0) -> int:
    """Copy line ``number`` (its text from ``start`` on is read for comments) minus its
    comments to ``out``; a comment that runs on swallows the following lines (leaving
    them empty). Returns the next line to read."""
    line = lines[number]
    spans = _literal_spans(line, start)
    kept: list[str] = [line[:start]]
    pos = start
    while pos < len(line):
        percent = line.find(MARKER, pos)
        if percent == -1:
            kept.append(line[pos:])
            break
        span = _span_around(spans, pos, percent)
        if span is not None:  # the %% is inside `code` or a formula: keep through the span's end
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
            spans = _literal_spans(line, 0)
        pos = close_col + len(MARKER)
    out.append("".join(kept))
    return number + 1


def _literal_spans(line: str, start: int) -> list[tuple[int, int]]:
    """(start, end) of the spans of ``line`` from ``start`` on whose ``%%`` is text: code spans,
    ``$…$`` and ``$$…$$``, read left to right so the construct that starts first wins.

    Formulas follow math_syntax's rules: ``$`` opens before a non-space and closes
    at the next unescaped ``$`` if that follows a non-space and precedes no digit;
    ``$$`` closes at the next ``$$``. Closers are found by bisection in lists made
    once per line, so a line of many unmatched dollars stays linear.
    """
    if "`" not in line and "$" not in line:
        return []
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(line, start)]
    by_width: dict[int, list[int]] = {}
    for index, (run_start, run_end) in enumerate(runs):
        by_width.setdefault(run_end - run_start, []).append(index)
    dollars = [m.start() + i for m in _DOLLAR.finditer(line, start) for i in range(m.end() - m.start())
               if not _escaped(line, m.start() + i)]
    doubles = [d for d in dollars if d + 1 < len(line) and line[d + 1] == "$"]
    events = sorted([(run_start, "`", index) for index, (run_start, _) in enumerate(runs)]
                    + [(d, "$", 0) for d in dollars])
    spans: list[tuple[int, int]] = []
    pos = start
    for at, kind, index in events:
        if at < pos:
            continue
        if kind == "`":
            same = by_width[runs[index][1] - runs[index][0]]
            later = bisect.bisect_right(same, index)
            if later < len(same):
                spans.append((at, runs[same[later]][1]))
                pos = runs[same[later]][1]
            else:
                pos = runs[index][1]
            continue
        end = _formula_end(line, at, dollars, doubles)
        if end > at:
            spans.append((at, end))
        pos = max(end, at + 1)
    return spans


def _formula_end(line: str, at: int, dollars: list[int], doubles: list[int]) -> int:
    """End of the formula opening at ``line[at]`` (a ``$``); ``at`` when none opens there,
    or past an unmatched ``$$`` (which is text and opens nothing)."""
    if line.startswith("$$", at):
        close = bisect.bisect_left(doubles, at + 2)
        if close < len(doubles) and line[at + 2: doubles[close]].strip():
            return doubles[close] + 2
        return at + 2
    close = bisect.bisect_right(dollars, at)
    if at + 1 >= len(line) or line[at + 1].isspace() or close >= len(dollars):
        return at
    end = dollars[close]
    if line[end - 1].isspace() or (end + 1 < len(line) and line[end + 1] in _DIGITS):
        return at
    return end + 1


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
