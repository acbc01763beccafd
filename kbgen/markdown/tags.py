"""Obsidian's inline ``#tags``: ``#태그``, ``#상위/하위`` in the text of a note.

A tag is ``#`` at the start of a line or after whitespace, followed by letters
of any script, digits, ``_``, ``-`` and ``/``, with at least one character that
is not a digit (``#2024`` is not a tag, nor is ``#1/2``); a trailing ``/`` is
dropped. Code, math, links' URLs, raw HTML and autolinks never reach this rule
(their rules consume the text first), nor do headings' ``#`` markers (the block
parser strips them); inside a link's text a ``#word`` stays text.

Parsing records each tag in ``env["kb_tags"]`` (in order of appearance); the
tag index (:mod:`kbgen.tags.model`) gathers them with the front matter's. The
render rule links the tag to its tag page when the vault's tag index knows it.
"""
from __future__ import annotations

import html
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..vault.urls import relative_url

TOKEN = "kb_tag"
ENV_KEY = "kb_tags"
INDEX_KEY = "tags"  # vault.indexes[INDEX_KEY]: the TagIndex
_BODY = re.compile(r"[\w\-/]+")


def tag_at(src: str, pos: int) -> str | None:
    """The tag written at ``src[pos]`` (which is ``#``), or None when it is not a tag."""
    if pos > 0 and not src[pos - 1].isspace():
        return None
    match = _BODY.match(src, pos + 1)
    if match is None:
        return None
    name = match.group().rstrip("/")
    return name if is_tag_name(name) else None


def is_tag_name(name: str) -> bool:
    """Obsidian's rule: some character is not a digit; no empty level (``a//b``, ``/a``)."""
    if not name or any(not part for part in name.split("/")):
        return False
    return any(not (ch.isdigit() or ch == "/") for ch in name)


def _tag_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "#" or state.linkLevel > 0:
        return False
    name = tag_at(state.src, state.pos)
    if name is None:
        return False
    if not silent:
        token = state.push(TOKEN, "", 0)
        token.content = name
        token.meta = {"tag": name}
        state.env.setdefault(ENV_KEY, []).append(name)
    # the "/" a trailing slash left behind stays text
    state.pos += 1 + len(name)
    return True


def render_tag(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    name = tokens[idx].meta["tag"]
    index = env.get("vault").indexes.get(INDEX_KEY) if env.get("vault") is not None else None
    tag = index.find(name) if index is not None else None
    label = html.escape("#" + name)
    if tag is None or env.get("note") is None:
        return f'<span class="kb-tag">{label}</span>'
    href = html.escape(relative_url(env["note"].url, tag.url), quote=True)
    return f'<a class="kb-tag" href="{href}">{label}</a>'


def plugin(md: MarkdownIt, **_: Any) -> None:
    md.inline.ruler.before("emphasis", TOKEN, _tag_rule)
    md.add_render_rule(TOKEN, render_tag)
