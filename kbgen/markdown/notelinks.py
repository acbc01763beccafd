"""Ordinary Markdown links and images that point into the vault, and Hugo ``ref`` links.

Accepted forms::

    [t](other.md)  [t](other%20note.md)  [t](<other note.md>)  [t](../folder/other.md#Heading)
    [t](files/report.pdf)  ![alt](img/figure.png)
    [t]({{< ref "other.md" >}})  [t]({{< relref "other" >}})

A path is tried relative to the note first, then from the vault root, then by
file name anywhere (Obsidian's "shortest path" links), and is rewritten to the
target's URL relative to the page. A missing ``.md`` (or file) target is shown
as ``kb-unresolved`` text; a link to an unpublished note as plain text.
External URLs, ``#fragments`` and links that are not to notes or files are
left alone.
"""
from __future__ import annotations

import re
from typing import Any, Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .link_targets import (LinkRef, attachment_href, ensure_resolved, note_href, place, source_lines)
from .wikilinks import parse_hugo_ref

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
InlineRule = Callable[[StateInline, bool], bool]
Render = Callable[..., str]


def is_local(href: str) -> bool:
    """A path inside the site (not ``https:``, ``mailto:``, ``//host`` or ``#fragment``)."""
    return bool(href) and not href.startswith(("#", "//", "?")) and not _SCHEME.match(href)


def _positioned(rule: InlineRule, token_type: str) -> InlineRule:
    """Wrap markdown-it's link/image rule so the token remembers where it started."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            # pending text is flushed into a token first, so look past it
            opened = next((t for t in state.tokens[count:] if t.type == token_type), None)
            if opened is not None:
                opened.meta["kb_pos"] = start
                opened.meta["kb_raw"] = state.src[start: state.pos]
        return True

    return wrapped


def _hugo_link(state: StateInline, silent: bool) -> bool:
    """``[text]({{< ref "x" >}})``: markdown-it cannot read a shortcode as a link destination."""
    if state.src[state.pos] != "[" or state.linkLevel > 0 or not _has_shortcode(state):
        return False
    label_end = state.md.helpers.parseLinkLabel(state, state.pos, True)
    if label_end < 0 or not state.src.startswith("(", label_end + 1):
        return False
    at = label_end + 2
    while at < state.posMax and state.src[at] in " \t":
        at += 1
    found = parse_hugo_ref(state.src, at)
    if found is None:
        return False
    path, end = found
    while end < state.posMax and state.src[end] in " \t":
        end += 1
    if end >= state.posMax or state.src[end] != ")":
        return False
    if not silent:
        target, _, fragment = path.partition("#")
        ref = LinkRef("hugo", target, fragment, None, raw=state.src[state.pos: end + 1])
        start, old_max = state.pos, state.posMax
        opening = state.push("link_open", "a", 1)
        opening.attrs = {"href": ""}
        opening.meta = {"kb_link": ref, "kb_pos": start}
        state.pos, state.posMax = start + 1, label_end
        state.linkLevel += 1
        state.md.inline.tokenize(state)
        state.linkLevel -= 1
        state.posMax = old_max
        closing = state.push("link_close", "a", -1)
        closing.meta = {"kb_link": ref}
    state.pos = end + 1
    return True


def _has_shortcode(state: StateInline) -> bool:
    """Whether the inline text holds ``{{`` at all, searched once per inline block, not per ``[``."""
    cached = getattr(state, "_kb_has_shortcode", None)
    if cached is None:
        cached = state._kb_has_shortcode = "{{" in state.src  # type: ignore[attr-defined]
    return cached


def _collect(state: StateCore) -> None:
    """Record a :class:`LinkRef` for each local link and image, placed in the source."""
    lines = None
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        opened: LinkRef | None = None
        for child in block.children:
            if child.type == "link_close":
                if opened is not None:
                    child.meta["kb_link"] = opened
                opened = None
                continue
            if child.type not in ("link_open", "image") or "kb_pos" not in child.meta:
                continue
            lines = lines if lines is not None else source_lines(state)
            pos, raw = child.meta.pop("kb_pos"), child.meta.pop("kb_raw", "")
            ref = child.meta.get("kb_link")
            if ref is None:
                href = str(child.attrGet("href" if child.type == "link_open" else "src") or "")
                if not is_local(href):
                    continue
                path, _, fragment = href.partition("#")
                path = path.split("?", 1)[0]
                ref = LinkRef("image" if child.type == "image" else "markdown", unquote(path), unquote(fragment),
                              raw=raw)
                child.meta["kb_link"] = ref
            place(ref, block, pos, lines)
            if child.type == "link_open":
                opened = ref


def _decision(ref: LinkRef, env: dict) -> tuple[str, str | None]:
    """("link", href), ("text", None) for an unpublished note, ("unresolved", None) or ("keep", None)."""
    resolution = ensure_resolved(ref, env)
    if resolution.note is not None:
        if not resolution.note.published:
            return "text", None
        return "link", note_href(resolution.note, ref.anchor, env)
    if resolution.attachment is not None:
        return "link", attachment_href(resolution.attachment, ref.fragment, env)
    return ("unresolved", None) if ref.strict or resolution.outside else ("keep", None)


def _with_attrs(token: Token, changes: dict[str, str], render: Callable[[], str]) -> str:
    """Render with some attributes changed, leaving the token as parsed (embeds render it again)."""
    saved = dict(token.attrs)
    token.attrs.update(changes)
    try:
        return render()
    finally:
        token.attrs = saved


def _rules(md: MarkdownIt) -> tuple[Render, Render, Render]:
    default = md.renderer.rules
    base_open, base_close, base_image = default.get("link_open"), default.get("link_close"), default.get("image")

    def fallback(base: Render | None, self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict,
                 env: EnvType) -> str:
        return base(tokens, idx, options, env) if base is not None else self.renderToken(tokens, idx, options, env)

    def link_open(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        ref = tokens[idx].meta.get("kb_link")
        if ref is None:
            return fallback(base_open, self, tokens, idx, options, env)
        what, href = _decision(ref, env)
        if what == "text":
            return ""
        if what == "unresolved":
            return '<span class="kb-unresolved">'
        if what == "keep":
            return fallback(base_open, self, tokens, idx, options, env)
        css = " ".join(filter(None, [str(tokens[idx].attrGet("class") or ""), "kb-link"]))
        return _with_attrs(tokens[idx], {"href": str(href), "class": css},
                           lambda: fallback(base_open, self, tokens, idx, options, env))

    def link_close(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        ref = tokens[idx].meta.get("kb_link")
        what = _decision(ref, env)[0] if ref is not None else "keep"
        if what == "text":
            return ""
        if what == "unresolved":
            return "</span>"
        return fallback(base_close, self, tokens, idx, options, env)

    def image(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        ref = tokens[idx].meta.get("kb_link")
        what, href = _decision(ref, env) if ref is not None else ("keep", None)
        if what != "link":
            return fallback(base_image, self, tokens, idx, options, env)
        return _with_attrs(tokens[idx], {"src": str(href)},
                           lambda: fallback(base_image, self, tokens, idx, options, env))

    return link_open, link_close, image


def _current_rule(md: MarkdownIt, name: str) -> InlineRule:
    """The inline rule now registered as ``name`` (another plugin may have replaced the default)."""
    ruler = md.inline.ruler
    return ruler.__rules__[ruler.__find__(name)].fn  # Ruler has no public getter by name


def plugin(md: MarkdownIt, config: Any = None, **_options: Any) -> None:
    if config is not None and not getattr(config, "links", True):
        return
    md.inline.ruler.at("link", _positioned(_current_rule(md, "link"), "link_open"))
    md.inline.ruler.at("image", _positioned(_current_rule(md, "image"), "image"))
    md.inline.ruler.before("link", "kb_hugo_link", _hugo_link)
    md.core.ruler.push("kb_note_links", _collect)
    link_open, link_close, image = _rules(md)
    md.add_render_rule("link_open", link_open)
    md.add_render_rule("link_close", link_close)
    md.add_render_rule("image", image)
