"""An Atom feed of the most recently changed notes: ``feed.xml``, linked from every page's head.

Links are absolute when the site has a ``site_url``; otherwise they are
relative to the feed, which sits at the site's root.
"""
from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING
from ..collation import sort_key
from . import SiteFile

if TYPE_CHECKING:
    from ..vault.note import Note
    from ..vault_build import VaultBuild

FEED_PATH = "feed.xml"
ENTRIES = 30
SUMMARY_CHARS = 300


def emit(build: "VaultBuild") -> None:
    feed = feed_xml(build)
    if feed is not None:
        build.files.append(SiteFile(FEED_PATH, content=feed))


def feed_xml(build: "VaultBuild") -> str | None:
    """The feed of the build's notes; None when it has none."""
    from ..tags.pages import opening_sentence

    notes = [build.vault.notes[p] for p in build.rendered]
    if not notes:
        return None
    recent = sorted(notes, key=lambda n: (-_day(n).toordinal(), sort_key(n.title), n.src_path))[:ENTRIES]
    base = build.config.site_url.rstrip("/") + "/" if build.config.site_url else ""
    title = build.config.site_name or "kbgen"
    entries = []
    for note in recent:
        link = base + note.url
        summary = note.description or opening_sentence(build.rendered[note.src_path].html)
        entries.append(
            "<entry>"
            f"<title>{escape(note.title)}</title>"
            f"<link href={quoteattr(link)}/>"
            f"<id>{escape(link or './')}</id>"
            f"<updated>{_stamp(note.modified or _day(note))}</updated>"
            + (f"<published>{_stamp(note.created)}</published>" if note.created else "")
            + (f"<summary>{escape(summary[:SUMMARY_CHARS])}</summary>" if summary else "")
            + "</entry>")
    updated = _stamp(max(_day(n) for n in recent))
    feed = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(title)}</title><id>{escape(base or './')}</id><updated>{updated}</updated>"
            f"<link rel=\"self\" href={quoteattr(base + FEED_PATH)}/><link href={quoteattr(base or './')}/>"
            + "\n".join(entries) + "</feed>\n")
    return feed


# xml.sax.saxutils's escape and quoteattr, written out: importing it imports urllib.request (http.client,
# ssl, email…), a hundredth of a second of every build for two string functions.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def escape(text: str) -> str:
    """Text as XML character data (``xml.sax.saxutils.escape``)."""
    return text.translate(_ESCAPES)


def quoteattr(text: str) -> str:
    """Text as a quoted XML attribute value, quotes included (``xml.sax.saxutils.quoteattr``)."""
    text = text.translate(_ATTRIBUTE_ESCAPES)
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


def _day(note: "Note") -> _dt.date:
    return note.modified or note.date or note.created or _dt.date(1970, 1, 1)


def _stamp(day: _dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"
