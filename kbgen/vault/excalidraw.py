"""Excalidraw drawings (``X.excalidraw.md``, written by Obsidian's Excalidraw plugin).

Such a note is a drawing, not prose: a "Switch to EXCALIDRAW VIEW" banner,
``Text Elements`` / ``Element Links`` / ``Embedded Files`` sections and the
drawing's (compressed) JSON. None of that is for readers. The note shows the
image the plugin's auto-export writes beside it (``X.excalidraw.svg`` or
``.png``; ``X.svg``/``X.png`` when the export drops ``.excalidraw``), or a
short notice that the drawing is not published. Markdown the author wrote
above the plugin's data (the "back of the drawing") is kept. An embed
``![[X.excalidraw]]`` shows the same image (see :mod:`kbgen.markdown.embeds`).
"""
from __future__ import annotations

import html
import re
from typing import Iterable, Mapping

from ..messages import message
from .note import Note

SUFFIX = ".excalidraw.md"
_IMAGE_SUFFIXES = (".excalidraw.svg", ".excalidraw.png", ".svg", ".png")
# Where the plugin's data starts: everything from here on is the drawing, never prose.
_DATA_START = re.compile(r"^(?:#{1,6}\s+(?:Excalidraw Data|Text Elements|Element Links|Embedded Files|Drawing)\s*$"
                         r"|%%\s*$|```(?:compressed-)?json\s*$)", re.M)
_BANNER = re.compile(r"^\s*(?:==\s*⚠.*?==|.*Switch to EXCALIDRAW VIEW.*"
                     r"|You can decompress Drawing data with the command palette.*)\s*$", re.M)


def is_drawing(note: Note) -> bool:
    return note.src_path.lower().endswith(SUFFIX) or "excalidraw-plugin" in note.meta


def exported_image(note: Note, attachments: Iterable[str] | Mapping[str, object]) -> str | None:
    """The vault path of the drawing's exported image, if the vault holds one."""
    files = attachments if isinstance(attachments, (Mapping, set, frozenset)) else set(attachments)
    path = note.src_path
    base = path[: -len(SUFFIX)] if path.lower().endswith(SUFFIX) else path.rsplit(".", 1)[0]
    for suffix in _IMAGE_SUFFIXES:
        if base + suffix in files:
            return base + suffix
    return None


def prose(body: str) -> str:
    """What the author wrote around the plugin's data: banner and data removed."""
    start = _DATA_START.search(body)
    kept = body[: start.start()] if start else body
    return _BANNER.sub("", kept).strip()


def publish_drawings(notes: Iterable[Note], attachments: Mapping[str, object], language: str) -> None:
    """Give every drawing note its image (or the notice) in place of the plugin's data."""
    for note in notes:
        if not is_drawing(note):
            continue
        image = exported_image(note, attachments)
        if image is not None:
            shown = f"![[{image}]]"
        else:
            notice = html.escape(message("excalidraw.unpublished", language))
            shown = f'<p class="kb-excalidraw-missing">{notice}</p>'
        rest = prose(note.body)
        note.body = shown + ("\n\n" + rest if rest else "") + "\n"
        stem = note.src_path.rsplit("/", 1)[-1][: -len(".md")]
        if note.title == stem and stem.lower().endswith(".excalidraw"):
            note.title = stem[: -len(".excalidraw")]  # as Obsidian names it
