"""Per-note limits that keep any note's cost bounded: nesting depth and links per note.

(The size limit cuts a note while it is loaded, in :mod:`kbgen.vault.load`.)
Over a limit a note is still published: blocks nested deeper than
``max_nesting`` are shown as their source text, links past ``max_links`` stay
text, and each limit hit is one warning that names the limit and its setting.

markdown-it itself stops at its nesting limit by *dropping* the rest of the
container (``parser_block.tokenize``: "skip tail to the end"); the guard
below turns that into visible text instead.
"""
from __future__ import annotations

import html
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..messages import message

TOO_DEEP = "kb_too_deep"
LINK_TYPES = ("kb_wikilink", "kb_embed")


def plugin(md: MarkdownIt, config: Any = None, **_options: Any) -> None:
    max_nesting = int(getattr(config, "max_nesting", 0) or md.options["maxNesting"])
    md.options["maxNesting"] = max_nesting
    tokenize = md.block.tokenize

    def guarded(state: StateBlock, start: int, end: int) -> None:
        if state.level >= max_nesting and start < end:
            _keep_as_text(state, start, end, max_nesting)
            return
        tokenize(state, start, end)

    md.block.tokenize = guarded  # type: ignore[method-assign]
    max_links = int(getattr(config, "max_links", 0) or 0)
    if max_links > 0:
        md.core.ruler.after("inline", "kb_link_limit", lambda state: _limit_links(state, max_links))
    md.add_render_rule(TOO_DEEP, _render_too_deep)


def cut_notice(config: Any) -> Token:
    """The notice at the end of a note that was cut at ``max_note_size`` (see kbgen.vault.load)."""
    token = Token("html_block", "", 0)
    text = message("limits.cut", getattr(config, "language", "en"))
    token.content = f'<p class="kb-limit">{html.escape(text)}</p>\n'
    token.block = True
    return token


def plain_text(text: str) -> Token:
    """A note's text shown as it is (``<pre><code>``), for notes that are not Markdown (binary data)."""
    token = Token("code_block", "code", 0)
    token.content = text.replace("\x00", "\ufffd")  # as markdown-it does: NUL is never valid in HTML
    token.block = True
    return token


def _keep_as_text(state: StateBlock, start: int, end: int, limit: int) -> None:
    text = state.getLines(start, end, state.blkIndent, False)
    if text.strip():
        token = state.push(TOO_DEEP, "pre", 0)
        token.content = text
        token.map = [start, end]
        token.block = True
        report = state.env.get("report")
        if report is not None and not state.env.get("_kb_too_deep_reported"):
            state.env["_kb_too_deep_reported"] = True
            report.warning("too-deep", f"blocks nested more than {limit} deep (max_nesting) are shown as text",
                           body_line=start)
    state.line = end


def _render_too_deep(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    config = env.get("config")
    notice = message("limits.too_deep", getattr(config, "language", "en"))
    return (f'<p class="kb-limit">{html.escape(notice)}</p>\n'
            f'<pre class="kb-source">{html.escape(tokens[idx].content)}</pre>\n')


def _limit_links(state: StateCore, limit: int) -> None:
    """Links past ``limit`` in a note stay text: each costs resolution, a backlink and rendering."""
    seen = 0
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept: list[Token] = []
        dropping = changed = False  # inside a Markdown link whose link_open was dropped
        for child in block.children:
            if child.type in LINK_TYPES or (child.type == "link_open" and "kb_pos" in child.meta):
                seen += 1
                if seen > limit:
                    if seen == limit + 1:
                        _report_links(state, block, limit)
                    changed = True
                    if child.type == "link_open":
                        dropping = True
                        continue
                    child.type, child.content, child.meta = "text", child.meta["kb_link"].raw, {}
            elif child.type == "link_close" and dropping:
                dropping = False
                continue
            kept.append(child)
        if changed:
            block.children = kept


def _report_links(state: StateCore, block: Token, limit: int) -> None:
    report = state.env.get("report")
    if report is not None:
        report.warning("too-many-links", f"more than {limit} links in this note (max_links); "
                       "the rest are shown as text", body_line=block.map[0] if block.map else 0)
