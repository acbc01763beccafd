"""Obsidian embeds: ``![[…]]`` transcludes notes, sections and blocks, and shows files.

Accepted forms::

    ![[note]]  ![[note#Heading]]  ![[note#^block-id]]  ![[#Heading]]
    ![[img.png]]  ![[img.png|300]]  ![[img.png|300x200]]  ![[img.png|alt text|300]]
    ![[doc.pdf]]  ![[song.mp3]]  ![[clip.mp4]]  ![[data.csv]]  (other files become links)

Files are found anywhere in the vault by name. A paragraph holding only
embeds becomes block-level embeds, so a transcluded note is never nested in a
``<p>``; a note embedded mid-sentence is shown as a link. Transclusion renders
the target's parsed tokens into the current page (so hrefs are relative to the
page), at most ``config.embed_depth`` levels deep; an embed that would repeat
itself is cut (the link pass reports cycles as ``embed-cycle``).
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

from ..diagnostics import Reporter
from ..messages import table
from ..vault import excalidraw
from . import embed_footnotes
from .link_targets import (LinkRef, attachment_href, attr, ensure_resolved, link_html, link_index, media_kind,
                           note_href, place, source_lines, split_wiki_target)
from .wikilinks import find_wiki, in_link_text

TOKEN = "kb_embed"
STACK_KEY = "kb_embed_stack"  # env: (src_path, fragment) of the embeds being rendered
IDS_KEY = "kb_embed_ids"  # env: the element id of each embed in the stack ("" for the page)
COUNT_KEY = "kb_embed_count"  # env: transclusions rendered so far on this page (for unique ids)
SEEN_KEY = "_kb_has_embeds"  # env: set while parsing when the note has an embed
BUDGET_KEY = "_kb_embed_budget"  # env: [transclusions, tokens, the page's reporter] while rendering a page
BUDGET_REPORTED_KEY = "_kb_embed_budget_reported"
EMBED_TOKENS = 200_000  # tokens transcluded into one page: about twenty very long notes
_SIZE = re.compile(r"^\s*(\d+)\s*(?:x\s*(\d+)\s*)?$")


def _embed(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "!" or in_link_text(state):
        return False
    end = find_wiki(state.src, state.pos + 1)
    if end < 0 or end > state.posMax:
        return False
    if not silent:
        raw = state.src[state.pos: end]
        target, fragment, text = split_wiki_target(raw[3:-2])
        token = state.push(TOKEN, "", 0)
        token.meta = {"kb_link": LinkRef("embed", target, fragment, text, raw=raw), "kb_pos": state.pos}
        state.env[SEEN_KEY] = True
    state.pos = end
    return True


def is_transclusion(ref: LinkRef) -> bool:
    """Whether the embed shows a note (or a PDF/video) rather than sitting inline in text."""
    return media_kind(ref.target) in ("", "pdf", "video")


def _hoist(state: StateCore) -> None:
    """Locate embeds, and lift paragraphs made only of note embeds out of their ``<p>``."""
    if not state.env.pop(SEEN_KEY, False):
        return
    tokens = state.tokens
    holders = [i for i, t in enumerate(tokens)
               if t.type == "inline" and t.children and any(c.type == TOKEN for c in t.children)]
    if not holders:
        return
    lines = source_lines(state)
    for i in holders:
        for child in tokens[i].children or []:
            if child.type == TOKEN and "kb_pos" in child.meta:
                place(child.meta["kb_link"], tokens[i], child.meta.pop("kb_pos"), lines)
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (token.type == "paragraph_open" and i + 2 < len(tokens) and tokens[i + 2].type == "paragraph_close"
                and _only_block_embeds(tokens[i + 1])):
            for child in tokens[i + 1].children or []:
                if child.type == TOKEN:
                    child.block = True
                    child.map = token.map
                    child.level = token.level
                    out.append(child)
            i += 3
            continue
        out.append(token)
        i += 1
    state.tokens[:] = out


def _only_block_embeds(inline: Token) -> bool:
    children = inline.children or []
    embeds = [c for c in children if c.type == TOKEN]
    rest = [c for c in children if c.type != TOKEN]
    return (bool(embeds) and any(is_transclusion(c.meta["kb_link"]) for c in embeds)
            and all(c.type in ("softbreak", "hardbreak") or (c.type == "text" and not c.content.strip())
                    for c in rest))


# -- rendering ---------------------------------------------------------------------------

def _render(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    ref: LinkRef = token.meta["kb_link"]
    resolution = ensure_resolved(ref, env)
    drawing = _drawing_image(resolution.note, env)
    if resolution.attachment is not None:
        body = media_html(ref, resolution.attachment, env)
    elif drawing is not None:  # ![[X.excalidraw]]: the drawing's exported image, as Obsidian shows it
        body = media_html(ref, drawing, env)
    elif resolution.note is not None and resolution.note.published and token.block:
        body = _transclude(self, ref, options, env)
    else:  # unresolved, unpublished (plain text), or a note embedded mid-sentence
        body = link_html(ref, env, html.escape(ref.display()), "kb-embed-link")
        if token.block:
            body = f"<p>{body}</p>"
    return f"{body}\n" if token.block else body


def _drawing_image(note: Any, env: dict) -> str | None:
    if note is None or not note.published or not excalidraw.is_drawing(note) or env.get("vault") is None:
        return None
    return excalidraw.exported_image(note, env["vault"].attachments)


def media_html(ref: LinkRef, path: str, env: dict) -> str:
    kind = media_kind(path)
    src = attr(attachment_href(path, ref.fragment, env))
    name = path.rsplit("/", 1)[-1]
    if kind == "image":
        alt, width, height = _image_options(ref.text, name)
        size = (f' width="{width}"' if width else "") + (f' height="{height}"' if height else "")
        return f'<img class="kb-embed-image" src="{src}" alt="{attr(alt)}"{size} loading="lazy">'
    if kind == "audio":
        return f'<audio class="kb-embed-audio" controls preload="metadata" src="{src}"></audio>'
    if kind == "video":
        return f'<video class="kb-embed-video" controls preload="metadata" src="{src}"></video>'
    if kind == "pdf":
        title = attr(ref.text.strip() if ref.text and ref.text.strip() else name)
        return (f'<div class="kb-embed kb-embed-pdf"><iframe src="{src}" title="{title}" loading="lazy">'
                f'</iframe><a class="kb-link kb-attachment" href="{src}">{html.escape(name)}</a></div>')
    return link_html(ref, env, html.escape(ref.text.strip() if ref.text and ref.text.strip() else name))


def _image_options(text: str | None, name: str) -> tuple[str, str | None, str | None]:
    """``|300``, ``|300x200`` and ``|alt|300`` → (alt, width, height)."""
    alt, width, height = name, None, None
    parts = (text or "").split("|")
    if parts != [""]:
        size = _SIZE.match(parts[-1])
        if size:
            width, height = size.group(1), size.group(2)
            parts = parts[:-1]
        if parts and "|".join(parts).strip():
            alt = "|".join(parts).strip()
    return alt, width, height


def _transclude(renderer: RendererHTML, ref: LinkRef, options: OptionsDict, env: dict) -> str:
    """The target's tokens rendered into this page.

    They render with the *page's* env, so hrefs are relative to the page and
    render-time state other plugins gather (formulas to typeset in one call…)
    reaches the page's post-processors; only the reporter is swapped, since
    the link pass already reported the target's own problems.

    The chain of embeds being rendered is followed until a note repeats in it
    (A → B → A stops at the second A, with a link up to where A is shown), or
    until ``embed_depth``. Each transclusion gets a page-unique id, and the ids
    inside it (headings, footnotes, blocks) are prefixed with it, so they never
    collide with the page's own or another embed's; its footnotes are also
    numbered after the page's (see embed_footnotes).
    """
    note = ref.resolution.note  # type: ignore[union-attr]
    index = link_index(env["vault"])
    parsed = index.parsed.get(note.src_path)
    page = env["note"]
    stack = env.get(STACK_KEY) or ((page.src_path, ""),)
    ids = env.get(IDS_KEY) or ("",)
    key = (note.src_path, ref.anchor or "")
    href = attr(note_href(note, ref.anchor, env))
    section = _section_title(index, note.src_path, ref)
    title = html.escape(note.title) + (f" › {html.escape(section)}" if section else "")
    heading = f'<p class="kb-embed-title"><a class="kb-link" href="{href}">{title}</a></p>'
    config = env.get("config")
    depth = config.embed_depth if config is not None else 4
    words = table(config.language if config is not None else "")
    if parsed is None or (ref.fragment and ref.anchor is None):
        return f'<div class="kb-embed kb-embed-note">{heading}</div>'
    if not _within_budget(env, embeds=1):
        return f'<div class="kb-embed kb-embed-note kb-embed-limit">{heading}</div>'
    shown = _shown_in_chain(stack, key)
    if shown is not None:
        up = f"#{ids[shown]}" if ids[shown] else "#"
        return (f'<div class="kb-embed kb-embed-note kb-embed-cycle">{heading}'
                f'<p class="kb-embed-repeat"><a href="{attr(up)}">{html.escape(words["embed.shown_above"])}</a>'
                f'</p></div>')
    if len(stack) > depth:
        return (f'<div class="kb-embed kb-embed-note kb-embed-depth">{heading}'
                f'<p class="kb-embed-depth-note"><a href="{href}">{html.escape(words["embed.depth"])}</a></p></div>')
    start, end = slice_bounds(parsed.tokens, ref, index, note.src_path)
    part = embed_footnotes.embedded_part(parsed.tokens, start, end)
    if not _within_budget(env, tokens=len(part)):
        return f'<div class="kb-embed kb-embed-note kb-embed-limit">{heading}</div>'
    env[COUNT_KEY] = env.get(COUNT_KEY, 0) + 1
    embed_id = f"kb-embed-{env[COUNT_KEY]}"
    saved = {k: env.get(k) for k in ("report", STACK_KEY, IDS_KEY, embed_footnotes.NUMBERS_KEY)}
    env["report"] = Reporter(note.src_path)
    env[embed_footnotes.NUMBERS_KEY] = embed_footnotes.number_footnotes(part, env)
    env[STACK_KEY] = stack + (key,)
    env[IDS_KEY] = ids + (embed_id,)
    try:
        inner = prefix_ids(renderer.render(part, options, env), embed_id)
    finally:
        env.update(saved)
    return (f'<div class="kb-embed kb-embed-note" id="{embed_id}">{heading}\n'
            f'<div class="kb-embed-content">\n{inner}</div></div>')


def _shown_in_chain(stack: tuple[tuple[str, str], ...], key: tuple[str, str]) -> int | None:
    """Where in the chain the embed's note is already being shown, or None.

    A note repeats when it is embedded again whole, or the same part of it
    again, or any part of it inside an embed of the whole note. The page
    itself (position 0) repeats only when embedded whole or in the same part,
    so a note may show one of its own sections (``![[#Heading]]``).
    """
    src, anchor = key
    for position, (shown_src, shown_anchor) in enumerate(stack):
        if shown_src != src:
            continue
        if shown_anchor == anchor or not anchor or (position > 0 and not shown_anchor):
            return position
    return None


_ID_ATTR = re.compile(r'( (?:id|for)=")(?!kb-embed-)([^"]*)"')
_HASH_HREF = re.compile(r'( href="#)([^"]*)"')


def prefix_ids(inner: str, prefix: str) -> str:
    """``inner`` with its ids (and the ``#`` links and labels that point at them) prefixed.

    Only links to ids inside ``inner`` change: a link to the page's own heading
    keeps working. Ids of nested embeds (``kb-embed-N…``) are unique already.
    """
    own = {match.group(2) for match in _ID_ATTR.finditer(inner) if match.group(1) == ' id="'}
    if not own:
        return inner
    inner = _ID_ATTR.sub(lambda m: f'{m.group(1)}{prefix}-{m.group(2)}"' if m.group(2) in own else m.group(0), inner)
    return _HASH_HREF.sub(lambda m: f'{m.group(1)}{prefix}-{m.group(2)}"' if m.group(2) in own else m.group(0),
                          inner)


def _within_budget(env: dict, *, embeds: int = 0, tokens: int = 0) -> bool:
    """Whether the page's budget (``max_embeds`` embed boxes, ``EMBED_TOKENS`` tokens) holds one more.

    Without it, notes that embed each other many times multiply: 400 embeds of a
    note holding 400 embeds render 160,000 boxes, and each level of depth multiplies again.
    """
    # env is the page's: the first transclusion is the page's own, so its reporter is the page's
    budget = env.setdefault(BUDGET_KEY, [0, 0, env.get("report")])
    limit = getattr(env.get("config"), "max_embeds", 0) or 0
    budget[0] += embeds
    budget[1] += tokens
    if limit <= 0 or (budget[0] <= limit and budget[1] <= EMBED_TOKENS):
        return True
    if budget[2] is not None and not env.get(BUDGET_REPORTED_KEY):
        env[BUDGET_REPORTED_KEY] = True
        budget[2].warning("too-many-embeds", f"more than {limit} embedded notes (max_embeds) or {EMBED_TOKENS:,} "
                          "embedded tokens on this page; the rest are shown as titles")
    return False


def _section_title(index: Any, src_path: str, ref: LinkRef) -> str:
    if not ref.anchor or ref.fragment.startswith("^"):
        return ""
    heading = index.find_heading(src_path, [s for s in ref.fragment.split("#") if s.strip()])
    return heading.text if heading is not None else ""


def slice_bounds(tokens: list[Token], ref: LinkRef, index: Any, src_path: str) -> tuple[int, int]:
    """[start, end) of what an embed shows: the whole note, the section under a heading, or one block."""
    if not ref.anchor:
        return 0, len(tokens)
    if ref.fragment.startswith("^"):
        block = index.find_block(src_path, ref.fragment[1:])
        start = next((i for i, t in enumerate(tokens) if block is not None and t is block.token), None)
        return (0, 0) if start is None else (start, _matching_close(tokens, start) + 1)
    start = next((i for i, t in enumerate(tokens) if t.type == "heading_open" and t.attrGet("id") == ref.anchor),
                 None)
    if start is None:
        return 0, 0
    level, depth = int(tokens[start].tag[1]), tokens[start].level
    end = start + 1
    while end < len(tokens):
        t = tokens[end]
        if t.level < depth or t.type == "footnote_block_open" or (
                t.type == "heading_open" and t.level == depth and int(t.tag[1]) <= level):
            break
        end += 1
    return start, end


def _matching_close(tokens: list[Token], start: int) -> int:
    opening = tokens[start]
    if opening.nesting != 1:
        return start
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


def plugin(md: MarkdownIt, config: Any = None, **_options: Any) -> None:
    if config is not None and not getattr(config, "links", True):
        return
    md.inline.ruler.before("image", "kb_embed", _embed)
    md.core.ruler.push("kb_embed_blocks", _hoist)
    md.add_render_rule(TOKEN, _render)
    embed_footnotes.plugin(md)
