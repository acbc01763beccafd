"""Heading ids that keep Korean letters, Material's permalink anchors, and the TOC.

A core rule gives every heading a stable, unique id (``## 기울기 소실`` →
``기울기-소실``) and records it in ``env["headings"]``, so wiki links can target
headings before any HTML exists; the render rule adds the ``headerlink``
anchor Material's TOC and search expect.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

_DROP = re.compile(r"[^\w\- ]", re.UNICODE)
_DASHES = re.compile(r"[\s\-]+")


@dataclass
class Heading:
    level: int
    id: str
    text: str  # plain text, as the author wrote it
    line: int  # 0-based body line
    source: str = ""  # the heading's Markdown (``**PropTypes.string**``): links may quote it with its markup


def slugify(text: str) -> str:
    """A URL fragment for a heading: lower-case, Unicode letters kept, spaces to ``-``."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = _DROP.sub("", text)
    return _DASHES.sub("-", text).strip("-") or "section"


def inline_text(token: Token) -> str:
    """The visible text of an inline token (no markup)."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "math_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.children:
            parts.append(inline_text(child))
        elif child.type == "html_inline":
            continue
        elif child.content and child.type not in ("html_inline",):
            parts.append(child.content)
    return "".join(parts).strip()


def _assign_ids(state: StateCore) -> None:
    used: dict[str, int] = state.env.setdefault("_heading_ids", {})
    headings: list[Heading] = state.env.setdefault("headings", [])
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        text = inline_text(tokens[i + 1])
        preset = token.attrGet("id")  # an author's {#id}: reserved by the kramdown rule already
        if preset:
            ident = str(preset)
        else:
            base = slugify(text)
            n = used.get(base, 0)
            used[base] = n + 1
            ident = base if n == 0 else f"{base}_{n}"
            token.attrSet("id", ident)
        line = token.map[0] if token.map else 0
        headings.append(Heading(int(token.tag[1]), ident, text, line, tokens[i + 1].content))


def _heading_close(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    opening = tokens[idx - 2] if idx >= 2 else None
    ident = opening.attrGet("id") if opening is not None and opening.type == "heading_open" else None
    link = ""
    if ident:
        link = f'<a class="headerlink" href="#{html.escape(str(ident))}" title="Permanent link">&para;</a>'
    return f"{link}</{tokens[idx].tag}>\n"


def toc_tokens(headings: list[Heading]) -> list[dict]:
    """MkDocs-style nested TOC tokens (``level``, ``id``, ``name``, ``children``)."""
    root: list[dict] = []
    stack: list[dict] = []
    for h in headings:
        item = {"level": h.level, "id": h.id, "name": html.escape(h.text), "children": []}
        while stack and stack[-1]["level"] >= h.level:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(item)
        stack.append(item)
    return root


def plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("kb_heading_ids", _assign_ids)
    md.add_render_rule("heading_close", _heading_close)
