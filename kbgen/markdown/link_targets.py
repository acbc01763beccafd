"""What every link syntax shares: the :class:`LinkRef` a parse rule records, and
how a resolved reference becomes an href and HTML.

The syntax modules (wikilinks, embeds, notelinks) only *record* references
while parsing; the link pass (:mod:`kbgen.markdown.linkpass`) resolves each one
once, against the vault-wide :class:`~kbgen.vault.index.LinkIndex`, and reports
problems; render rules then only format. A reference is resolved relative to
the note it was written in, while hrefs are relative to the page being
rendered (``env["note"]``) — the two differ when a note is embedded in another.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from markdown_it.token import Token

from ..diagnostics import Reporter
from ..vault.index import LinkIndex, Resolution, file_extension
from ..vault.note import Note
from ..vault.urls import relative_url
from .headings import slugify

LinkKind = Literal["wiki", "embed", "markdown", "image", "hugo"]
INDEX_KEY = "links"  # vault.indexes[INDEX_KEY] holds the LinkIndex

IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif", "ico", "tif", "tiff"}
AUDIO_EXTENSIONS = {"mp3", "wav", "m4a", "ogg", "oga", "flac", "3gp", "aac", "opus"}
VIDEO_EXTENSIONS = {"mp4", "webm", "ogv", "mov", "mkv", "m4v"}
PDF_EXTENSIONS = {"pdf"}


@dataclass(eq=False)
class LinkRef:
    """One reference as the author wrote it, and, after the link pass, where it leads."""

    kind: LinkKind
    target: str  # note name or path, "" for the note itself (``[[#Heading]]``)
    fragment: str = ""  # "Heading", "Heading#Sub", "^block-id", or a Markdown fragment
    text: str | None = None  # display text the author gave (``[[a|text]]``)
    raw: str = ""  # the source text, e.g. ``[[a|text]]``, to find the column
    line: int = 0  # 0-based body line
    col: int = 1  # 1-based column in the source line
    resolution: Resolution | None = None
    anchor: str | None = None  # element id in the target page

    @property
    def strict(self) -> bool:
        """Whether an unresolved target is a broken link (not, say, a link to a site page)."""
        if self.kind in ("wiki", "embed", "image", "hugo"):
            return True
        return bool(file_extension(self.target))  # other.md, report.pdf — not ../tags/ or a bare name

    def display(self) -> str:
        """The text shown for the link when the author gave none (as Obsidian shows it)."""
        if self.text is not None and self.text.strip():
            return self.text.strip()
        parts = [self.target.strip()] if self.target.strip() else []
        parts += [p.strip() for p in self.fragment.split("#") if p.strip()]
        return " > ".join(parts) or self.raw


def media_kind(path: str) -> str:
    """"image", "audio", "video", "pdf", or "" for other files and notes."""
    ext = file_extension(path)
    for kind, exts in (("image", IMAGE_EXTENSIONS), ("audio", AUDIO_EXTENSIONS),
                       ("video", VIDEO_EXTENSIONS), ("pdf", PDF_EXTENSIONS)):
        if ext in exts:
            return kind
    return ""


def split_wiki_target(inner: str) -> tuple[str, str, str | None]:
    """``name#Heading|text`` → (``name``, ``Heading``, ``text``); ``\\|`` is a pipe, as in tables."""
    inner = inner.replace("\\|", "|")
    target, bar, text = inner.partition("|")
    name, _, fragment = target.partition("#")
    return name.strip(), fragment.strip(), (text if bar else None)


# -- where a reference sits in the source ------------------------------------------------

def source_lines(state: Any) -> list[str]:
    """The body's lines as markdown-it sees them (token maps index these), split once per note."""
    lines = state.env.get("_kb_lines")
    if lines is None:
        lines = state.env["_kb_lines"] = state.src.split("\n")
    return lines


def place(ref: LinkRef, inline: Token, pos: int, lines: list[str]) -> None:
    """Set ``ref.line``/``ref.col`` from its offset ``pos`` in an inline token's content.

    Inline content has lost block markup (``> ``, list markers, indentation,
    ``\\|`` in tables), so the column is found by locating the reference's own
    text in the source line.
    """
    content = inline.content
    first = inline.map[0] if inline.map else 0
    line_start = content.rfind("\n", 0, pos) + 1
    line_end = content.find("\n", pos)
    content_line = content[line_start: len(content) if line_end < 0 else line_end]
    in_line = pos - line_start
    body_line = first + content.count("\n", 0, pos)
    source = lines[body_line] if 0 <= body_line < len(lines) else ""
    col = -1
    if ref.raw:
        nth = content_line.count(ref.raw, 0, in_line)
        for written in (ref.raw, ref.raw.replace("|", "\\|")):
            col = _nth_index(source, written, nth)
            if col >= 0:
                break
    if col < 0:
        base = source.find(content_line) if content_line else -1
        col = (base if base >= 0 else 0) + in_line
    ref.line, ref.col = body_line, col + 1


def _nth_index(text: str, sub: str, nth: int) -> int:
    at = -1
    for _ in range(nth + 1):
        at = text.find(sub, at + 1)
        if at < 0:
            return -1
    return at


# -- resolution --------------------------------------------------------------------------

def link_index(vault: Any) -> LinkIndex:
    """The vault's link index; built on first use when no link pass ran (a single-note render)."""
    index = vault.indexes.get(INDEX_KEY)
    if index is None:
        index = vault.indexes[INDEX_KEY] = LinkIndex(vault.notes.values(), vault.attachments.keys())
    return index


def resolve_ref(ref: LinkRef, note: Note, index: LinkIndex, report: Reporter | None) -> None:
    """Resolve ``ref`` written in ``note``, once, and report what is wrong with it."""
    relative = ref.kind in ("markdown", "image", "hugo")
    resolution = index.resolve(ref.target, note, relative_first=relative)
    ref.resolution = resolution
    if report is None:
        report = Reporter(note.src_path)  # nobody reads it
    if resolution.ambiguous:
        chosen = resolution.note.src_path if resolution.note else resolution.attachment
        report.warning("ambiguous-link",
                       f"'{ref.target}' matches {len(resolution.candidates)} files "
                       f"({', '.join(resolution.candidates)}); linked to {chosen}",
                       body_line=ref.line, col=ref.col)
    if not resolution.found:
        if ref.strict or resolution.outside:
            where = "is outside the vault" if resolution.outside else "matches no note or file"
            report.warning("broken-link", f"link target '{ref.target or ref.raw}' {where}",
                           body_line=ref.line, col=ref.col)
        return
    target = resolution.note
    if target is None or not ref.fragment or not target.published:
        return
    if ref.kind == "markdown" or ref.kind == "hugo":
        ref.anchor = _markdown_anchor(index, target, ref.fragment)
        return
    if target.src_path not in index.headings:  # not parsed (a single-note render): trust the fragment
        ref.anchor = ref.fragment if ref.fragment.startswith("^") else slugify(ref.fragment.split("#")[-1])
        return
    if ref.fragment.startswith("^"):
        block = index.find_block(target.src_path, ref.fragment[1:])
        if block is None:
            report.warning("broken-link", f"no block '{ref.fragment}' in {target.src_path}",
                           body_line=ref.line, col=ref.col)
        else:
            ref.anchor = block.id
        return
    heading = index.find_heading(target.src_path, [s for s in ref.fragment.split("#") if s.strip()])
    if heading is None:
        report.warning("broken-link", f"no heading '{ref.fragment}' in {target.src_path}",
                       body_line=ref.line, col=ref.col)
    else:
        ref.anchor = heading.id


def _markdown_anchor(index: LinkIndex, target: Note, fragment: str) -> str:
    """A Markdown fragment is usually an id already; map heading text onto our ids when it is not."""
    heading = index.find_heading(target.src_path, [fragment])
    return heading.id if heading is not None else fragment


def ensure_resolved(ref: LinkRef, env: dict) -> Resolution:
    """The reference's resolution, resolving it now when the link pass did not run."""
    if ref.resolution is None:
        index = link_index(env["vault"])
        note = env["note"]
        if note.src_path not in index.headings:
            index.add_anchors(note.src_path, env.get("headings", []), env.get("kb_blocks", {}))
        resolve_ref(ref, note, index, env.get("report"))
    assert ref.resolution is not None
    return ref.resolution


# -- hrefs and HTML ----------------------------------------------------------------------

def page_note(env: dict) -> Note:
    """The note whose page is being rendered (embedded notes render inside it)."""
    return env["note"]


def note_href(target: Note, anchor: str | None, env: dict) -> str:
    page = page_note(env)
    fragment = f"#{anchor}" if anchor else ""
    if target.src_path == page.src_path:
        return fragment or "./"
    return relative_url(page.url, target.url) + fragment


def attachment_href(path: str, fragment: str, env: dict) -> str:
    href = relative_url(page_note(env).url, quote(path, safe="/"))
    return href + (f"#{fragment}" if fragment else "")


def attr(value: str) -> str:
    return html.escape(value, quote=True)


def link_html(ref: LinkRef, env: dict, label_html: str, extra_class: str = "") -> str:
    """``<a>`` to a published note or a file; plain text to an unpublished note; a marked span otherwise."""
    resolution = ensure_resolved(ref, env)
    css = f"kb-link {extra_class}".strip()
    if resolution.note is not None:
        if not resolution.note.published:
            return label_html
        href = note_href(resolution.note, ref.anchor, env)
        return f'<a class="{css}" href="{attr(href)}">{label_html}</a>'
    if resolution.attachment is not None:
        href = attachment_href(resolution.attachment, ref.fragment, env)
        return f'<a class="{css} kb-attachment" href="{attr(href)}">{label_html}</a>'
    return f'<span class="kb-unresolved">{label_html}</span>'
