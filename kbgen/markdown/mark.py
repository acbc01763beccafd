"""Obsidian highlights: ``==text==`` becomes ``<mark>text</mark>``.

A delimiter rule like strikethrough, so emphasis nests inside and outside a
highlight and code spans and math (parsed by earlier rules) never contain one.
Only a run of exactly two ``=`` is a marker: ``===`` and longer runs stay text
(they are setext underlines, separators or comparisons, never highlights in
Obsidian), and ``\\==`` is an escaped ``=`` followed by a lone one. Flanking
follows kbgen's CJK-friendly rule so that ``==핵심(core)==가`` is highlighted.
"""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline.state_inline import Delimiter, StateInline

from .cjk_emphasis import scan_delims

MARKER = "="


def _tokenize(state: StateInline, silent: bool) -> bool:
    if silent or state.src[state.pos] != MARKER:
        return False
    scanned = scan_delims(state, state.pos, True)
    token = state.push("text", "", 0)
    token.content = MARKER * scanned.length
    if scanned.length == 2:
        state.delimiters.append(
            # length 0 turns off CommonMark's "rule of 3", which is for * and _ only.
            Delimiter(ord(MARKER), 0, len(state.tokens) - 1, -1, scanned.can_open, scanned.can_close)
        )
    state.pos += scanned.length
    return True


def _pair_delimiters(state: StateInline, delimiters: list[Delimiter]) -> None:
    for start in delimiters:
        if start.marker != ord(MARKER) or start.end == -1:
            continue
        end = delimiters[start.end]
        for index, nesting, kind in ((start.token, 1, "mark_open"), (end.token, -1, "mark_close")):
            token = state.tokens[index]
            token.type, token.tag, token.nesting = kind, "mark", nesting
            token.markup, token.content = MARKER * 2, ""


def _post_process(state: StateInline) -> None:
    """Turn balanced delimiter pairs into mark tokens, at the top level and inside links."""
    _pair_delimiters(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            _pair_delimiters(state, meta["delimiters"])


def plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("emphasis", "mark", _tokenize)
    md.inline.ruler2.before("emphasis", "mark", _post_process)
