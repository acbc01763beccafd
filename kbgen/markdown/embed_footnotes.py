"""Footnotes of an embedded note: numbered after the page's own, and shown with the part that cites them.

The footnote plugin numbers each note's footnotes from 1 when the note is
parsed, and an embed renders the target's parsed tokens into the page, so
without this a page showing its own [1] and an embedded note's [1] would show
two [1]s. While a transclusion renders, its footnotes take the next numbers
free on the page (densely, in the note's order), so visible numbers and ids
(``fn5``, ``fnref5``, ``fnref5:1``) are unique on the page.

An embedded section or block stops before the note's footnote list; the
definitions its text cites are appended to it, each with back-links only to
the references inside the part, so every [n] and every ↩ points at something
shown on the page.
"""
from __future__ import annotations

from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token

NUMBERS_KEY = "kb_footnote_numbers"  # env: {note's footnote id: number shown} while an embed renders
NEXT_KEY = "kb_footnote_next"  # env: the highest footnote number used on the page so far


def embedded_part(tokens: list[Token], start: int, end: int) -> list[Token]:
    """``tokens[start:end]``, plus the footnote definitions it cites when it stops before the note's list."""
    part = tokens[start:end]
    block = _footnote_block(tokens)
    if block is None or end > block[0]:
        return part  # no footnotes, or the part holds the whole list already
    definitions = _definitions(tokens[block[0] + 1: block[1]])
    refs = _refs(part)
    wanted = sorted({ident for ident, _ in refs})
    seen = set(wanted)
    for ident in wanted:  # a definition may cite another footnote: include that too
        for cited, _ in _refs(definitions.get(ident, [])):
            if cited not in seen:
                seen.add(cited)
                wanted.append(cited)
    chosen = [ident for ident in sorted(seen) if ident in definitions]
    if not chosen:
        return part
    refs |= {ref for ident in chosen for ref in _refs(definitions[ident])}
    appended = [tokens[block[0]]]
    for ident in chosen:
        appended.extend(t for t in definitions[ident]
                        if t.type != "footnote_anchor" or (t.meta["id"], t.meta["subId"]) in refs)
    appended.append(tokens[block[1]])
    return part + appended


def number_footnotes(part: list[Token], env: dict) -> dict[int, int]:
    """Page numbers for the footnotes ``part`` shows or cites, after those already on the page."""
    ids = {t.meta["id"] for t in part if t.type == "footnote_open"} | {ident for ident, _ in _refs(part)}
    if not ids:
        return {}
    page_count = len(env.get("footnotes", {}).get("list", {}))
    start = env.get(NEXT_KEY, page_count)
    numbers = {ident: start + rank for rank, ident in enumerate(sorted(ids), 1)}
    env[NEXT_KEY] = start + len(numbers)
    return numbers


def _footnote_block(tokens: list[Token]) -> tuple[int, int] | None:
    """(open, close) of the note's footnote list. It ends the note (a cut notice may follow it),
    so the backward scan crosses only the list."""
    close = next((i for i in range(len(tokens) - 1, max(len(tokens) - 3, -1), -1)
                  if tokens[i].type == "footnote_block_close"), None)
    if close is None:
        return None
    opening = next((i for i in range(close, -1, -1) if tokens[i].type == "footnote_block_open"), None)
    return None if opening is None else (opening, close)


def _definitions(block: list[Token]) -> dict[int, list[Token]]:
    """Each footnote's tokens, ``footnote_open`` to ``footnote_close``, by footnote id."""
    found: dict[int, list[Token]] = {}
    current: list[Token] | None = None
    for token in block:
        if token.type == "footnote_open":
            current = found.setdefault(token.meta["id"], [])
        if current is not None:
            current.append(token)
        if token.type == "footnote_close":
            current = None
    return found


def _refs(tokens: list[Token]) -> set[tuple[int, int]]:
    """(footnote id, reference number) of each ``[^x]`` in ``tokens``."""
    return {(child.meta["id"], child.meta.get("subId", 0))
            for token in tokens if token.type == "inline"
            for child in token.children or [] if child.type == "footnote_ref"}


def _numbered(original: Callable[..., str]) -> Callable[..., str]:
    """A footnote name/caption rule that shows the page number while an embed renders."""

    def rule(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        numbers = env.get(NUMBERS_KEY)
        token = tokens[idx]
        if not numbers or token.meta["id"] not in numbers:
            return original(tokens, idx, options, env)
        shown = Token(token.type, token.tag, token.nesting)
        shown.meta = {**token.meta, "id": numbers[token.meta["id"]] - 1}  # the rules print id + 1
        return original([shown], 0, options, env)

    return rule


def _valued(original: Callable[..., str]) -> Callable[..., str]:
    """``<li>`` of an embedded footnote carries its number: the embed's list is its own ``<ol>``
    and would otherwise count from 1, unlike the [n] pointing at it."""

    def rule(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        rendered = original(tokens, idx, options, env)
        number = (env.get(NUMBERS_KEY) or {}).get(tokens[idx].meta["id"])
        return rendered.replace("<li ", f'<li value="{number}" ', 1) if number else rendered

    return rule


def plugin(md: MarkdownIt) -> None:
    """Wrap the footnote plugin's render rules; use after ``footnote_plugin``."""
    rules = md.renderer.rules
    if "footnote_open" not in rules:
        return
    for name in ("footnote_anchor_name", "footnote_caption"):
        md.add_render_rule(name, _numbered(rules[name]))
    md.add_render_rule("footnote_open", _valued(rules["footnote_open"]))
