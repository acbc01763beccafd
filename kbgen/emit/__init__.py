"""The emit stage: what a build writes besides the notes' own pages.

Each emitter is a function ``emit(build) -> None`` that appends
:class:`SitePage` s (pages that appear in navigation, rendered by kbgen) and
:class:`SiteFile` s (static files copied verbatim) to the build.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class SiteFile:
    dest: str  # path inside the site folder, forward slashes
    content: bytes | str | None = None
    source: Path | None = None  # copied from disk when content is None

    def read_bytes(self) -> bytes:
        if self.content is None:
            assert self.source is not None
            return self.source.read_bytes()
        return self.content.encode("utf-8") if isinstance(self.content, str) else self.content


@dataclass
class SitePage:
    src_path: str  # a virtual Markdown path, e.g. "quizzes.md"; decides the URL
    title: str
    html: str
    toc: list[dict] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    # Pages that only gather what the notes already say (home, quizzes) stay
    # out of the search index, so a search finds the note, not a listing of it.
    searchable: bool = False
    # Its URL, from VaultBuild.page_url (the one URL function); empty: derived from src_path.
    url: str = ""
    # False: reachable by links only, not listed in the sidebar (tag pages: hundreds of them).
    in_nav: bool = True
