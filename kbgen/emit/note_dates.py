"""Dates on the note: "작성 2024-01-02 · 수정 2024-03-04" under its title (see kbgen.vault.dates)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..messages import table

if TYPE_CHECKING:
    from ..vault.note import Note

_LEADING_H1 = re.compile(r"^\s*<h1\b[^>]*>.*?</h1>\s*", re.S)


def with_dates(page_html: str, note: "Note", language: str) -> str:
    """The note's page HTML with its dates line after the leading ``<h1>`` (or at the top).

    Added to the page only, not to the rendered note: embeds, the search index
    and the Quizzes page take the note's own HTML.
    """
    return with_dates_line(page_html, dates_line(note, language))


def dates_line(note: "Note", language: str) -> str:
    """The dates line :func:`with_dates` puts on the note's page; "" when the note has no dates."""
    words = table(language)
    parts = []
    if note.created:
        parts.append(f'{words["dates.created"]} <time datetime="{note.created.isoformat()}">'
                     f"{note.created.isoformat()}</time>")
    if note.modified and note.modified != note.created:
        parts.append(f'{words["dates.modified"]} <time datetime="{note.modified.isoformat()}">'
                     f"{note.modified.isoformat()}</time>")
    if not parts:
        return ""
    return f'<div class="kb-dates">{" · ".join(parts)}</div>\n'


def with_dates_line(page_html: str, line: str) -> str:
    """``page_html`` with ``line`` (from :func:`dates_line`) after its leading ``<h1>``, or at the top."""
    if not line:
        return page_html
    match = _LEADING_H1.match(page_html[:4096])  # the title opens the page, if anywhere
    at = match.end() if match else 0
    return page_html[:at] + line + page_html[at:]
