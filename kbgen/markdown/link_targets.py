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

import bisect
import html
import re
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
    ``\\|`` in tables). Where a content line is a plain suffix of its source
    line (nearly always) the column is an offset from where it starts there;
    otherwise the reference's own text is searched for in the source line.
    Everything per line is computed once per inline token and reused, so a
    line with many links costs linear time, not a rescan per link.
    """
    content = inline.content
    placer = inline.meta.get(_PLACER_KEY)
    if placer is None:
        placer = inline.meta[_PLACER_KEY] = _LinePlacer(content, inline.map[0] if inline.map else 0, lines)
    ref.line, ref.col = placer.locate(pos, ref.raw)


_PLACER_KEY = "_kb_placer"
_NEWLINE = re.compile("\n")
# After this many searched-for references on one line, columns are estimated:
# the search fallback costs a scan of the line per reference.
_SEARCHES_PER_LINE = 200


class _LinePlacer:
    """Maps offsets in one inline token's content to (body line, 1-based source column)."""

    def __init__(self, content: str, first_line: int, lines: list[str]):
        self.content, self.first_line, self.lines = content, first_line, lines
        self.breaks = [m.start() for m in _NEWLINE.finditer(content)]
        self.bases: dict[int, int] = {}  # content line index → start of its text in the source line
        # content line → (searches done, offset in line and column of the last one found); the
        # syntax modules place their references in order, each module in its own pass.
        self.searched: dict[int, tuple[int, int, int]] = {}

    def locate(self, pos: int, raw: str) -> tuple[int, int]:
        k = bisect.bisect_left(self.breaks, pos)  # content line holding pos
        line_start = self.breaks[k - 1] + 1 if k else 0
        in_line = pos - line_start
        body_line = self.first_line + k
        source = self.lines[body_line] if 0 <= body_line < len(self.lines) else ""
        base = self.bases.get(k)
        if base is None:
            line_end = self.breaks[k] if k < len(self.breaks) else len(self.content)
            content_line = self.content[line_start:line_end]
            base = self.bases[k] = source.find(content_line) if content_line else -1
        if base >= 0 and (not raw or source.startswith(raw, base + in_line)):
            return body_line, base + in_line + 1
        done, last_in_line, last = self.searched.get(k, (0, -1, -1))
        if in_line <= last_in_line:  # a later pass over the same line starts again
            last = -1
        col = -1
        if raw and done < _SEARCHES_PER_LINE:
            found = [at for at in (source.find(w, last + 1) for w in (raw, raw.replace("|", "\\|"))) if at >= 0]
            col = min(found) if found else -1
            self.searched[k] = (done + 1, in_line, col if col >= 0 else last)
        if col < 0:
            col = max(base, 0) + in_line
        return body_line, col + 1


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
    vault = env.get("vault")
    published = vault.attachment_site_path(path) if vault is not None else path
    href = relative_url(page_note(env).url, quote(published, safe="/"))
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
