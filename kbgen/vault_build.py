"""VaultBuild: what one run of the pipeline produced — the shared type of build and emit.

Its own module so that ``build`` (which runs the stages) and ``emit/`` (which
add to the result) both import it without importing each other.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .config import KbgenConfig
from .diagnostics import Diagnostic, sort_diagnostics
from .emit import SiteFile, SitePage
from .markdown.renderer import RenderedNote
from .vault.urls import note_url
from .vault.vault import Vault


@dataclass
class VaultBuild:
    config: KbgenConfig
    vault: Vault
    rendered: dict[str, RenderedNote] = field(default_factory=dict)
    pages: list[SitePage] = field(default_factory=list)
    files: list[SiteFile] = field(default_factory=list)
    extra_css: list[str] = field(default_factory=list)
    extra_javascript: list[str] = field(default_factory=list)
    emit_diagnostics: list[Diagnostic] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    body_lengths: dict[str, int] = field(default_factory=dict)  # a page's HTML length before emitters
    workers: int = 1  # processes that parsed and rendered the notes (kbgen.note_stages)
    cache_signature: str = ""  # the vault signature of this build's cache entries (kbgen.quick_cache)

    def page_url(self, src_path: str, *, as_folder: bool | None = None) -> str:
        """Claim the URL of a generated page: notes keep theirs, a clash gets ``-2``, ``-3``…"""
        wanted = note_url(src_path, self.config.use_directory_urls, as_folder=as_folder)
        url, _ = self.vault.urls.claim(f"the page {src_path}", wanted)
        return url

    @property
    def diagnostics(self) -> list[Diagnostic]:
        items: list[Diagnostic] = list(self.vault.diagnostics) + list(self.emit_diagnostics)
        for note in self.vault.notes.values():
            items.extend(note.diagnostics)
        for rendered in self.rendered.values():
            items.extend(rendered.diagnostics)
        return sort_diagnostics(items)
