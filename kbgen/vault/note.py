"""The Note model: one Markdown file of the vault, decoded and with its front matter read."""
from __future__ import annotations

import datetime as _dt
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic
from .urls import note_url, relative_url  # noqa: F401 - the URL function lives in urls.py


@dataclass
class Note:
    src_path: str  # relative to the vault, forward slashes, e.g. "ml/relu.md"
    abs_path: Path
    source: str  # whole decoded (and repaired) text, newlines normalized
    body: str  # the Markdown after the front matter
    body_offset: int  # lines of source before the body
    meta: dict[str, Any] = field(default_factory=dict)  # every front-matter key, normalized
    title: str = ""
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    id: str | None = None
    created: _dt.date | None = None
    modified: _dt.date | None = None
    date: _dt.date | None = None
    author: str | None = None
    description: str | None = None
    draft: bool = False
    publish: bool = True
    encoding: str = "utf-8"
    diagnostics: list[Diagnostic] = field(default_factory=list)  # found while loading
    url: str = ""  # site-relative URL, set by the loader
    cut: bool = False  # longer than max_note_size: only the first part was loaded
    binary: bool = False  # binary data, not text: published as plain text, not parsed

    @property
    def published(self) -> bool:
        return self.publish and not self.draft

    @property
    def stem(self) -> str:
        """File name without folder and ``.md``."""
        return posixpath.splitext(posixpath.basename(self.src_path))[0]

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.src_path)

    def __getstate__(self) -> dict[str, Any]:
        # The body is the end of the source (the loader keeps source = front matter + body): pickled
        # as its length, it is not encoded and decoded a second time (a build after one edit unpickles
        # every note of the vault from the build cache, kbgen.cache.LoadedNotes).
        state = dict(self.__dict__)
        body, source = state.get("body"), state.get("source")
        if isinstance(body, str) and isinstance(source, str) and body and source.endswith(body):
            state["body"] = len(body)
        # kbgen.cache.source_sha's digest, kept with the text it was made of: pickled without the text
        # (a second copy of it in the pickle, and not the same string once unpickled).
        known = state.pop("_source_sha", None)
        if isinstance(known, tuple) and len(known) == 3 and known[0] is source:
            state["_source_sha"] = known[1:]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        body = state.get("body")
        if isinstance(body, int):
            source = state["source"]
            state["body"] = source[len(source) - body:]
        known = state.get("_source_sha")
        if isinstance(known, tuple) and len(known) == 2:
            state["_source_sha"] = (state["source"], *known)
        self.__dict__.update(state)
