"""CJK-friendly emphasis: ``**문제(Dying ReLU)**가`` is bold.

CommonMark refuses to close ``**`` that follows punctuation and precedes a
letter, which leaves literal asterisks all over Korean notes, where particles
(가, 는, 를) follow the closing delimiter directly. This implements the flanking
amendment of the markdown-cjk-friendly proposal for ``*``, ``_`` and ``~``:
a delimiter run next to punctuation still flanks when the character on its
other side is CJK — Hangul included. Unlike ``mdit-py-cjk-friendly`` it keeps
soft line breaks (Korean separates words with spaces) and patches nothing
globally: only the instance it is applied to.
"""
from __future__ import annotations

import unicodedata

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Delimiter, Scanned, StateInline


def is_cjk(char: str) -> bool:
    """True for Hangul, kana, ideographs, and CJK symbols/fullwidth forms."""
    code = ord(char)
    if (
        0x1100 <= code <= 0x11FF  # Hangul Jamo
        or 0x3130 <= code <= 0x318F  # Hangul compatibility Jamo
        or 0xA960 <= code <= 0xA97F
        or 0xAC00 <= code <= 0xD7FF  # Hangul syllables and Jamo extended-B
        or 0x2E80 <= code <= 0x2FDF  # radicals
        or 0x3000 <= code <= 0x30FF  # CJK punctuation, kana
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # half/fullwidth forms
        or 0x20000 <= code <= 0x3FFFF
    ):
        return True
    return False


def _is_punct(char: str) -> bool:
    return isMdAsciiPunct(ord(char)) or isPunctChar(char) or unicodedata.category(char).startswith("S")


def scan_delims(state: StateInline, start: int, can_split_word: bool) -> Scanned:
    """``StateInline.scanDelims`` with the CJK-friendly flanking rules."""
    src, maximum = state.src, state.posMax
    marker = src[start]
    last_char = src[start - 1] if start > 0 else " "
    pos = start
    while pos < maximum and src[pos] == marker:
        pos += 1
    count = pos - start
    next_char = src[pos] if pos < maximum else " "

    last_punct, next_punct = _is_punct(last_char), _is_punct(next_char)
    last_space, next_space = isWhiteSpace(ord(last_char)), isWhiteSpace(ord(next_char))
    last_cjk, next_cjk = is_cjk(last_char), is_cjk(next_char)

    left_flanking = not next_space and (
        not next_punct or last_space or last_punct or last_cjk
    )
    right_flanking = not last_space and (
        not last_punct or next_space or next_punct or next_cjk
    )
    if can_split_word:
        can_open, can_close = left_flanking, right_flanking
    else:
        # "_" may not split a word, but CJK text has no word boundaries to protect.
        can_open = left_flanking and (not right_flanking or last_punct or last_cjk)
        can_close = right_flanking and (not left_flanking or next_punct or next_cjk)
    return Scanned(can_open, can_close, count)


def _emphasis(state: StateInline, silent: bool) -> bool:
    marker = state.src[state.pos]
    if silent or marker not in ("_", "*"):
        return False
    scanned = scan_delims(state, state.pos, marker == "*")
    _push_delimiters(state, marker, scanned)
    return True


def _strikethrough(state: StateInline, silent: bool) -> bool:
    marker = state.src[state.pos]
    if silent or marker != "~":
        return False
    scanned = scan_delims(state, state.pos, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        token = state.push("text", "", 0)
        token.content = marker
        length -= 1
    for _ in range(0, length, 2):
        token = state.push("text", "", 0)
        token.content = marker + marker
        state.delimiters.append(
            Delimiter(ord(marker), 0, len(state.tokens) - 1, -1, scanned.can_open, scanned.can_close)
        )
    state.pos += scanned.length
    return True


def _push_delimiters(state: StateInline, marker: str, scanned: Scanned) -> None:
    for _ in range(scanned.length):
        token = state.push("text", "", 0)
        token.content = marker
        state.delimiters.append(
            Delimiter(ord(marker), scanned.length, len(state.tokens) - 1, -1, scanned.can_open, scanned.can_close)
        )
    state.pos += scanned.length


def plugin(md: MarkdownIt) -> None:
    """Replace the emphasis and strikethrough tokenizers of this instance."""
    md.inline.ruler.at("emphasis", _emphasis)
    if "strikethrough" in [r.name for r in md.inline.ruler.__rules__]:
        md.inline.ruler.at("strikethrough", _strikethrough)
