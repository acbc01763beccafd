"""The Vault: every note and attachment of one notes folder, plus what indexes them."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..diagnostics import Diagnostic
from .note import Note
from .urls import UrlMap


@dataclass
class Vault:
    root: Path
    notes: dict[str, Note] = field(default_factory=dict)  # by src_path
    attachments: dict[str, Path] = field(default_factory=dict)  # src_path -> file on disk
    # Where an attachment is published when not at its own path (a name clash, see kbgen.vault.urls).
    moved_attachments: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # vault-level (not per note)
    # Filled by later stages: the link index, parsed headings, … keyed by name.
    indexes: dict[str, Any] = field(default_factory=dict)
    # Every URL handed out so far (notes at load, generated pages at emit): one owner each.
    urls: UrlMap = field(default_factory=UrlMap)

    def published(self) -> Iterator[Note]:
        return (n for n in self.notes.values() if n.published)

    def attachment_site_path(self, src_path: str) -> str:
        """The path (in the site, unencoded) the attachment ``src_path`` is published at."""
        return self.moved_attachments.get(src_path, src_path)

    def unpublished_paths(self) -> set[str]:
        return {p for p, n in self.notes.items() if not n.published}
