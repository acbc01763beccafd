"""Render one note's text through kbgen's real MarkdownIt set-up (all plugins, no MkDocs)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kbgen.config import KbgenConfig
from kbgen.markdown.renderer import NoteRenderer, RenderedNote
from kbgen.vault.load import note_from_text
from kbgen.vault.vault import Vault


@lru_cache(maxsize=1)
def _renderer() -> NoteRenderer:
    return NoteRenderer(KbgenConfig(notes_dir=Path("vault")))


def render(text: str, name: str = "note.md") -> RenderedNote:
    """The rendered note; its ``diagnostics`` carry file lines (front matter counted)."""
    note = note_from_text(name, Path("vault") / name, text)
    vault = Vault(root=Path("vault"), notes={name: note})
    return _renderer().render_note(note, vault)


def render_html(text: str) -> str:
    return render(text).html


def messages(rendered: RenderedNote, code: str | None = None) -> list[str]:
    """``line:col: message`` of each diagnostic (optionally of one code)."""
    return [f"{d.line}:{d.col}: {d.message}" for d in rendered.diagnostics if code is None or d.code == code]
