"""Obsidian callouts, rendered as Material for MkDocs admonitions.

Syntax::

    > [!note] Optional title, *inline Markdown* allowed
    > Body: any Markdown, nested callouts included.

    > [!warning]- Folded (closed until clicked)
    > [!tip]+ Foldable, open

A plain callout becomes ``<div class="admonition TYPE"><p class="admonition-title">…``
and a foldable one ``<details class="TYPE"><summary>…``, the markup Material
styles. Obsidian's types and aliases map onto Material's types (``faq`` →
``question``); an unknown type renders as ``note``. The type as written is
kept in ``data-callout`` for custom styles. Without a title, the type name,
capitalized, is the title (as in Obsidian).
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# Obsidian callout type (and alias) -> Material admonition type.
MATERIAL_TYPES: dict[str, str] = {
    "note": "note",
    "abstract": "abstract", "summary": "abstract", "tldr": "abstract",
    "info": "info", "todo": "info",
    "tip": "tip", "hint": "tip", "important": "tip",
    "success": "success", "check": "success", "done": "success",
    "question": "question", "help": "question", "faq": "question",
    "warning": "warning", "caution": "warning", "attention": "warning",
    "failure": "failure", "fail": "failure", "missing": "failure",
    "danger": "danger", "error": "danger",
    "bug": "bug",
    "example": "example",
    "quote": "quote", "cite": "quote",
}

_CALLOUT = re.compile(r"^\[!(?P<type>[\w-]+)(?:\|(?P<meta>[^\]]*))?\](?P<fold>[+-]?)(?:[ \t]+(?P<title>.*))?$")


def _callouts(state: StateCore) -> None:
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        if tokens[i].type == "blockquote_open" and i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open":
            _convert(tokens, i)
        i += 1


def _convert(tokens: list[Token], i: int) -> None:
    """Turn the blockquote opened at ``i`` into a callout if its first line says ``[!type]``."""
    opening, paragraph, inline = tokens[i], tokens[i + 1], tokens[i + 2]
    first, _, rest = inline.content.partition("\n")
    m = _CALLOUT.match(first.strip())
    if not m:
        return
    kind = m["type"].lower()
    material = MATERIAL_TYPES.get(kind, "note")
    foldable = bool(m["fold"])
    tag = "details" if foldable else "div"
    closing = _matching_close(tokens, i)

    # An attribute list may already have put classes on the quote; ours come first.
    extra = opening.attrGet("class")
    opening.attrSet("class", (material if foldable else f"admonition {material}") + (f" {extra}" if extra else ""))
    opening.attrSet("data-callout", kind)
    if m["meta"]:
        opening.attrSet("data-callout-metadata", m["meta"].strip())
    if m["fold"] == "+":
        opening.attrSet("open", "open")
    opening.type, opening.tag = "callout_open", tag
    closing.type, closing.tag = "callout_close", tag

    line = inline.map[0] if inline.map else (opening.map[0] if opening.map else 0)
    title = _title_tokens(m["title"] or "", kind, foldable, opening.level + 1, line)
    if rest.strip():
        # The rest of the first paragraph is the body's first paragraph.
        inline.content = rest
        for token in (paragraph, inline):
            if token.map:
                token.map = [token.map[0] + 1, token.map[1]]
        tokens[i + 1 : i + 1] = title
    else:
        tokens[i + 1 : i + 4] = title


def _matching_close(tokens: list[Token], i: int) -> Token:
    level = tokens[i].level
    for token in tokens[i + 1 :]:
        if token.type == "blockquote_close" and token.level == level:
            return token
    raise ValueError("blockquote without its closing token")  # markdown-it always closes blocks


def _title_tokens(title: str, kind: str, foldable: bool, level: int, line: int) -> list[Token]:
    """The title as its own inline token, so wiki links, math and emphasis work in it."""
    text = title.strip() or kind[:1].upper() + kind[1:]
    tag = "summary" if foldable else "p"
    opening = Token("callout_title_open", tag, 1, level=level, block=True, map=[line, line + 1])
    if not foldable:
        opening.attrSet("class", "admonition-title")
    inline = Token("inline", "", 0, level=level + 1, content=text, children=[], map=[line, line + 1])
    closing = Token("callout_title_close", tag, -1, level=level, block=True)
    return [opening, inline, closing]


def plugin(md: MarkdownIt) -> None:
    """Render ``> [!type]`` blockquotes as Material admonitions (a core rule before inline parsing)."""
    md.core.ruler.after("block", "obsidian_callouts", _callouts)
