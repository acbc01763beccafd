"""Dates on the note: "작성 2024-01-02 · 수정 2024-03-04" under its title (see kbgen.vault.dates)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..messages import table

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

_LEADING_H1 = re.compile(r"^\s*<h1\b[^>]*>.*?</h1>\s*", re.S)


def emit(build: "VaultBuild") -> None:
    words = table(build.config.language)
    for src_path, rendered in build.rendered.items():
        note = build.vault.notes[src_path]
        parts = []
        if note.created:
            parts.append(f'{words["dates.created"]} <time datetime="{note.created.isoformat()}">'
                         f"{note.created.isoformat()}</time>")
        if note.modified and note.modified != note.created:
            parts.append(f'{words["dates.modified"]} <time datetime="{note.modified.isoformat()}">'
                         f"{note.modified.isoformat()}</time>")
        if not parts:
            continue
        line = f'<p class="kb-dates">{" · ".join(parts)}</p>\n'
        match = _LEADING_H1.match(rendered.html[:4096])  # the title opens the page, if anywhere
        at = match.end() if match else 0
        rendered.html = rendered.html[:at] + line + rendered.html[at:]
