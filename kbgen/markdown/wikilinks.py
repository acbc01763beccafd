"""Obsidian wiki links and Hugo ``ref`` shortcodes standing alone in text.

Accepted forms::

    [[name]]  [[name|text]]  [[folder/name]]  [[name.md]]  [[name#Heading]]
    [[name#Heading#Sub]]  [[name#^block-id]]  [[#Heading]]  [[name#Heading|text]]
    | [[name\\|text]] |        (a pipe escaped inside a table cell)
    {{< ref "post.md" >}}  {{< relref "post" >}}  {{% ref "post" %}}

The inline rule runs before markdown-it's ``link`` rule, so in
``[[a|b]](편미분)`` the wiki link wins and ``(편미분)`` stays text. Code spans,
code blocks and math never reach it (their rules consume the text first).
Targets are resolved later, by the link pass; see :mod:`.link_targets`.
"""
from __future__ import annotations

import html
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .link_targets import LinkRef, ensure_resolved, link_html, place, source_lines, split_wiki_target

TOKEN = "kb_wikilink"
SEEN_KEY = "_kb_has_wikilinks"  # env: set while parsing when the note has a wiki link
_HUGO_REF = re.compile(r"""\{\{[<%]\s*(?:rel)?ref\s+(?:"([^"\n]+)"|`([^`\n]+)`|([^\s"`<>%{}]+))\s*[%>]\}\}""")


# The first ``]]``, ``[[`` or line end after an opening ``[[``: searching for ``]]``
# alone would rescan the rest of the text from every ``[[`` (quadratic on ``[[[[…``).
_WIKI_STOP = re.compile(r"\]\]|\[\[|\n")


def find_wiki(src: str, pos: int) -> int:
    """End of the ``[[…]]`` starting at ``pos`` (just past ``]]``), or -1."""
    if not src.startswith("[[", pos):
        return -1
    stop = _WIKI_STOP.search(src, pos + 2)
    if stop is None or stop.group() != "]]":
        return -1
    close = stop.start()
    if not src[pos + 2: close].strip():
        return -1
    return close + 2


# Characters that can start inline markup: display text without any is plain text, parsed no further.
_MARKUP = re.compile(r"[*_`$~=<>&\\\[!]")
LABEL_KEY = "_kb_in_link_label"  # env: > 0 while a link's display text is parsed (no links inside it)


def in_link_text(state: StateInline) -> bool:
    """Inside a Markdown link's text or a wiki link's display text, where links may not nest."""
    return state.linkLevel > 0 or state.env.get(LABEL_KEY, 0) > 0


def _wikilink(state: StateInline, silent: bool) -> bool:
    if in_link_text(state):
        return False
    end = find_wiki(state.src, state.pos)
    if end < 0 or end > state.posMax:
        return False
    if not silent:
        raw = state.src[state.pos: end]
        target, fragment, text = split_wiki_target(raw[2:-2])
        token = _push_ref(state, LinkRef("wiki", target, fragment, text, raw=raw))
        if text is not None:
            token.children = label_children(state, text)
    state.pos = end
    return True


def label_children(state: StateInline, text: str) -> list[Token] | None:
    """Display text as inline Markdown (emphasis, code, math), as Obsidian shows it; None if plain.

    Links never nest: wiki links and embeds are not recognized inside, and a
    Markdown link or autolink keeps only its text.
    """
    text = text.strip()
    if not text or not _MARKUP.search(text):
        return None
    children: list[Token] = []
    env = state.env
    env[LABEL_KEY] = env.get(LABEL_KEY, 0) + 1
    try:
        state.md.inline.parse(text, state.md, env, children)
    finally:
        env[LABEL_KEY] -= 1
    kept = [child for child in children if child.type not in ("link_open", "link_close")]
    for child in kept:
        if child.type == "html_inline":  # display text is text: its tags show as written
            child.type = "text"
    return kept


def _push_ref(state: StateInline, ref: LinkRef) -> Token:
    token = state.push(TOKEN, "", 0)
    token.content = ref.display()
    token.meta = {"kb_link": ref, "kb_pos": state.pos}
    state.env[SEEN_KEY] = True
    return token


def parse_hugo_ref(src: str, pos: int) -> tuple[str, int] | None:
    """(target, end) for a ``{{< ref "…" >}}`` shortcode at ``pos``."""
    if not src.startswith("{{", pos):
        return None
    match = _HUGO_REF.match(src, pos)
    if match is None:
        return None
    return next(g for g in match.groups() if g is not None), match.end()


def _hugo_shortcode(state: StateInline, silent: bool) -> bool:
    if in_link_text(state):
        return False
    found = parse_hugo_ref(state.src, state.pos)
    if found is None or found[1] > state.posMax:
        return False
    path, end = found
    if not silent:
        target, _, fragment = path.partition("#")
        _push_ref(state, LinkRef("hugo", target, fragment, None, raw=state.src[state.pos: end]))
    state.pos = end
    return True


def _locate(state: StateCore) -> None:
    """Give each reference its source line and column (inline rules cannot see the block)."""
    if not state.env.pop(SEEN_KEY, False):
        return
    lines = None
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for child in block.children:
            if child.type == TOKEN and "kb_pos" in child.meta:
                lines = lines if lines is not None else source_lines(state)
                place(child.meta["kb_link"], block, child.meta.pop("kb_pos"), lines)


def _render(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    ref: LinkRef = token.meta["kb_link"]
    if token.children:
        return link_html(ref, env, self.renderInline(token.children, options, env))
    label = token.content
    if ref.kind == "hugo" and ref.text is None:
        # Hugo would print the URL; a published note's title reads better.
        resolution = ensure_resolved(ref, env)
        if resolution.note is not None and resolution.note.published:
            label = resolution.note.title
    return link_html(ref, env, html.escape(label))


def plugin(md: MarkdownIt, config: Any = None, **_options: Any) -> None:
    if config is not None and not getattr(config, "links", True):
        return
    md.inline.ruler.before("link", "kb_wikilink", _wikilink)
    md.inline.ruler.before("link", "kb_hugo_shortcode", _hugo_shortcode)
    md.core.ruler.push("kb_wikilink_locate", _locate)
    md.add_render_rule(TOKEN, _render)
