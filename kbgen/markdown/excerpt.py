"""Backlink excerpts: the sentence or two around a link, as inline HTML.

The link pass cuts the linking paragraph (or list item) to the sentence that
holds the link — and the next one when that is short — at word boundaries,
keeping the inline tokens, so code stays code and math stays math. The
backlinks emitter renders the excerpt on the *linked* page: links there are
plain text (their hrefs were written for another page, and a list item already
links to the source), and the link to that page is highlighted.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from markdown_it.token import Token

CONTEXT_CHARS = 240  # at most this much text around a link
_SHORT = 80  # a sentence shorter than this brings the next one along
_SENTENCE_END = re.compile(r"[.!?。！？](?=\s)|\n")
# Tokens with no text of their own that an excerpt keeps only in pairs.
_DROPPED = {"html_inline", "footnote_ref", "softbreak", "hardbreak"}
HERE_OPEN = '<mark class="kb-backlink-here">'
OTHER_OPEN = '<span class="kb-backlink-link">'


@dataclass
class Excerpt:
    text: str  # plain text, for comparison and search
    tokens: list[Token]  # inline tokens of the cut, links replaced by markers (see :func:`cut`)


def plain_text(children: list[Token]) -> tuple[str, dict[int, tuple[int, int]]]:
    """The visible text of inline tokens and each token's ``(start, end)`` in it."""
    parts: list[str] = []
    spans: dict[int, tuple[int, int]] = {}
    size = 0
    opened: int | None = None
    for n, child in enumerate(children):
        if child.type in ("softbreak", "hardbreak"):
            piece = " "
        elif child.type in ("text", "code_inline", "math_inline", "kb_wikilink"):
            piece = child.content
        else:
            piece = ""
        if child.type == "link_open":
            opened = n
            spans[n] = (size, size)
        elif child.type == "link_close" and opened is not None:
            spans[opened] = (spans[opened][0], size)
            opened = None
        spans.setdefault(n, (size, size + len(piece)))
        parts.append(piece)
        size += len(piece)
    return "".join(parts), spans


def bounds(text: str, ends: list[int], start: int, end: int) -> tuple[int, int, bool, bool]:
    """``[left, right)`` of the sentence holding ``text[start:end]`` (and the next if it is short),
    at most :data:`CONTEXT_CHARS` long and then cut at spaces; and whether each side was cut.

    ``ends`` are the paragraph's sentence ends (found once per paragraph: a
    paragraph with many links costs one scan, not one per link).
    """
    k = bisect.bisect_right(ends, start)
    left = ends[k - 1] if k else 0
    k = bisect.bisect_left(ends, end + 1)
    right = ends[k] if k < len(ends) else len(text)
    if right - left < _SHORT and k < len(ends) and text[right - 1] != "\n":
        right = ends[k + 1] if k + 1 < len(ends) else len(text)  # a short sentence brings the next
    cut_left = cut_right = False
    if right - left > CONTEXT_CHARS:
        # A window centred on the link, inside the sentence, never cutting the link itself.
        lo = max(left, min((start + end) // 2 - CONTEXT_CHARS // 2, start))
        hi = min(right, max(lo + CONTEXT_CHARS, end))
        lo = max(left, min(lo, hi - CONTEXT_CHARS, start))
        if lo > left:
            space = text.find(" ", lo, start)
            left, cut_left = (space + 1 if space >= 0 else lo), True
        if hi < right:
            space = text.rfind(" ", end, hi)
            right, cut_right = (space if space >= 0 else hi), True
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    return left, right, cut_left, cut_right


def cut(inline: Token, child_index: int) -> Excerpt:
    """The excerpt of ``inline`` around its child ``child_index`` (links still links: see :func:`render`)."""
    children = inline.children or []
    cache = inline.meta.setdefault("kb_plain", {})
    if "text" not in cache:
        cache["text"], cache["spans"] = plain_text(children)
        cache["ends"] = [m.end() for m in _SENTENCE_END.finditer(cache["text"])]
        cache["starts"] = [cache["spans"][n][0] for n in range(len(children))]  # non-decreasing
    text: str = cache["text"]
    spans: dict[int, tuple[int, int]] = cache["spans"]
    start, end = spans.get(child_index, (0, 0))
    left, right, clipped_left, clipped_right = bounds(text, cache["ends"], start, end)
    picked: list[Token] = []
    # Only the tokens around the cut are looked at, so each link costs its excerpt, not its paragraph.
    first = max(bisect.bisect_left(cache["starts"], left) - 1, 0)
    last = bisect.bisect_right(cache["starts"], right)
    for n in range(first, last):
        child = children[n]
        a, b = spans.get(n, (0, 0))
        if child.nesting != 0:
            if left <= a <= right:
                picked.append(child)
            continue
        inside = (a < right and b > left) if b > a else left <= a <= right
        if not inside:
            continue
        if child.type == "text" and (a < left or b > right):
            child = _sliced(child, max(left - a, 0), min(right, b) - a)
        picked.append(child)
    tokens = _balanced(picked)
    excerpt = " ".join(text[left:right].split())
    if clipped_left:
        tokens.insert(0, _text("… "))
        excerpt = "… " + excerpt
    if clipped_right:
        tokens.append(_text(" …"))
        excerpt += " …"
    return Excerpt(excerpt, tokens)


def _sliced(token: Token, a: int, b: int) -> Token:
    copy = token.copy()
    copy.content = token.content[a:b]
    return copy


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _html(markup: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = markup
    return token


# Rendering never changes a token: the markers are made once (thousands of excerpts per vault).
_MARKERS = {True: (_html(HERE_OPEN), _html("</mark>")), False: (_html(OTHER_OPEN), _html("</span>"))}
_SPACE = _text(" ")


def _neutralize_links(tokens: list[Token], is_target: Any) -> list[Token]:
    """Links become marked text; author HTML and footnote markers go."""
    out: list[Token] = []
    closing = _MARKERS[False][1]  # the closer of the Markdown link open now (links do not nest)
    for token in tokens:
        ref = (token.meta or {}).get("kb_link")
        if token.type == "link_open":
            opening, closing = _MARKERS[ref is not None and is_target(ref)]
            out.append(opening)
        elif token.type == "link_close":
            out.append(closing)
        elif token.type in ("kb_wikilink", "kb_embed"):
            opening, closer = _MARKERS[ref is not None and is_target(ref)]
            out.append(opening)
            out.extend(token.children or [_text(token.content or (ref.display() if ref else ""))])
            out.append(closer)
        elif token.type == "image":
            out.append(_text(token.content))
        elif token.type in _DROPPED:
            if token.type in ("softbreak", "hardbreak"):
                out.append(_SPACE)
        else:
            out.append(token)
    return out


def _balanced(tokens: list[Token]) -> list[Token]:
    """Drop closers whose opener was cut away; close what the cut left open."""
    out: list[Token] = []
    stack: list[Token] = []
    for token in tokens:
        if token.nesting == 1:
            stack.append(token)
        elif token.nesting == -1:
            if not stack or stack[-1].tag != token.tag:
                continue
            stack.pop()
        out.append(token)
    for opener in reversed(stack):
        closer = Token(opener.type.replace("_open", "_close"), opener.tag, -1)
        closer.markup = opener.markup
        out.append(closer)
    return out


def render(excerpt: Excerpt, renderer: Any, env: dict, target: str) -> str:
    """The excerpt as inline HTML on the page of ``env["note"]``, its formulas typeset.

    Links are resolved by now: the ones leading to ``target`` (a src_path) are
    highlighted, every other keeps only its text.
    """

    def is_target(ref: Any) -> bool:
        resolution = getattr(ref, "resolution", None)
        return resolution is not None and resolution.note is not None and resolution.note.src_path == target

    md = renderer.md
    body = md.renderer.renderInline(_neutralize_links(excerpt.tokens, is_target), md.options, env)
    for post in getattr(md, "kb_postprocessors", []):
        body = post(body, env)
    return body
