"""Obsidian block ids: ``^block-id`` ending a paragraph or list item becomes its ``id``.

Accepted forms::

    A paragraph that can be linked to. ^key-idea

    - a list item ^step-2

    | a table |
    |---------|

    ^table-id            (alone after a table, quote or list: names that block)

The ``^id`` text is not shown. The element gets ``id="^key-idea"`` so
``[[note#^key-idea]]`` lands on it, and the block is recorded in
``env["kb_blocks"]`` (folded id → :class:`BlockAnchor`) for links and embeds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

ENV_KEY = "kb_blocks"
_BLOCK_ID = re.compile(r"(?:^|[ \t])\^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*$")


@dataclass
class BlockAnchor:
    id: str  # the element id in the page
    token: Token  # the block's opening token (paragraph, list item, table, quote…)
    line: int  # 0-based body line


def _block_ids(state: StateCore) -> None:
    tokens = state.tokens
    anchors: dict[str, BlockAnchor] = state.env.setdefault(ENV_KEY, {})
    drop: set[int] = set()
    anchor_before: dict[int, Token] = {}  # id(leaf block) -> anchor token placed before it
    for i, token in enumerate(tokens):
        if token.type != "inline" or "^" not in token.content or i == 0 or tokens[i - 1].type != "paragraph_open":
            continue
        if not token.children:
            continue
        last = token.children[-1]
        if last.type != "text":
            continue
        match = _BLOCK_ID.search(last.content)
        if match is None:
            continue
        ident = match.group(1)
        head = last.content[: match.start()]
        alone = not head.strip() and all(c.type in ("text", "softbreak", "hardbreak") and not c.content.strip()
                                         for c in token.children[:-1])
        owner = _previous_block(tokens, i - 1) if alone else None  # "^id" alone names the block above
        if alone and owner is None:
            continue
        last.content = head.rstrip()
        _drop_trailing_breaks(token.children)
        if owner is not None:
            drop.update((i - 1, i, i + 1))
            if owner.nesting == 0:  # a fence or code block renders no attributes: anchor it from outside
                anchor = Token("html_block", "", 0)
                anchor.content = f'<a class="kb-block-anchor" id="^{ident}"></a>\n'
                anchor.map, anchor.level = owner.map, owner.level
                anchor_before[id(owner)] = anchor
        else:
            owner = tokens[i - 2] if i >= 2 and tokens[i - 2].type == "list_item_open" else tokens[i - 1]
        if ident.casefold() in anchors:
            continue
        if owner.nesting == 1 and not owner.attrGet("id"):
            owner.attrSet("id", f"^{ident}")
        element_id = str(owner.attrGet("id")) if owner.nesting == 1 else f"^{ident}"
        line = owner.map[0] if owner.map else (token.map[0] if token.map else 0)
        anchors[ident.casefold()] = BlockAnchor(element_id, owner, line)
    if drop or anchor_before:
        kept: list[Token] = []
        for n, t in enumerate(tokens):
            if id(t) in anchor_before:
                kept.append(anchor_before[id(t)])
            if n not in drop:
                kept.append(t)
        state.tokens[:] = kept


def _drop_trailing_breaks(children: list[Token]) -> None:
    while children and (children[-1].type in ("softbreak", "hardbreak")
                        or (children[-1].type == "text" and not children[-1].content)):
        children.pop()


def _previous_block(tokens: list[Token], start: int) -> Token | None:
    """The opening token of the block that ends right before ``tokens[start]``."""
    if start == 0:
        return None
    level = tokens[start].level
    before = tokens[start - 1]
    if before.level != level:
        return None
    if before.nesting == 0:
        return before  # fence, code block, hr, html block
    if before.nesting == 1:
        return None
    depth = 0
    for i in range(start - 1, -1, -1):
        depth += tokens[i].nesting
        if depth == 0:
            return tokens[i]
    return None


def plugin(md: MarkdownIt, config: Any = None, **_options: Any) -> None:
    if config is not None and not getattr(config, "links", True):
        return
    md.core.ruler.push("kb_block_ids", _block_ids)
