"""kbgen's own options: what the ``kbgen`` section of mkdocs.yml may set.

Plain data so the vault pipeline never sees MkDocs; the MkDocs adapter and the
CLI both build a :class:`KbgenConfig` from a mapping.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

DEFAULT_CACHE_DIR = ".kbgen-cache"


@dataclass
class KbgenConfig:
    notes_dir: Path = Path("notes")
    use_directory_urls: bool = True
    # Interface language of the strings kbgen adds (theme.language under MkDocs); see kbgen.messages.
    language: str = "ko"
    # The site's address and name (MkDocs's site_url, site_name): the Atom feed's links and title.
    site_url: str = ""
    site_name: str = ""
    # Where caches live (rendered formulas, KaTeX, language models).
    cache_dir: Path = Path(DEFAULT_CACHE_DIR)
    # KaTeX macros, e.g. {"\\R": "\\mathbb{R}"}.
    math_macros: dict[str, str] = field(default_factory=dict)
    # Parse and typeset $…$ / $$…$$ math; off leaves dollars as text.
    math: bool = True
    # Also \(…\), \[…\] and bare \begin{align}… as math (notes from MkDocs/arithmatex);
    # off, as in Obsidian, where \[ and \( are Markdown escapes.
    math_latex_delimiters: bool = False
    # How deep ![[embeds]] may nest before they are cut.
    embed_depth: int = 4
    # Wiki links, embeds, block ids, note links, backlinks and alias pages (off: the link pass is skipped).
    links: bool = True
    # Repair notes that were double-encoded (UTF-8 read as a Windows code page).
    repair_mojibake: bool = True
    # Per-note limits that bound a build's time and memory on any input. Over a limit a note
    # is still published (cut with a notice, or the excess shown as text) and gets a warning.
    # Folders (vault-relative, or globs like "*.excalidraw.md") never read or published,
    # on top of hidden folders and the templates folder Obsidian's settings name.
    exclude: list[str] = field(default_factory=list)
    # characters; the rest of a larger note is cut off. Parsing is linear but markdown-it-py
    # manages roughly 300-400 KB of dense Markdown a second, so 500,000 keeps any note to seconds.
    max_note_size: int = 500_000
    max_nesting: int = 20  # nested quotes/lists/blocks (markdown-it's own limit); deeper is text
    max_links: int = 10_000  # links and embeds per note; the rest stay text
    max_embeds: int = 500  # notes embedded into one page (nested ones too); the rest show as titles
    # formulas typeset per note; the rest show as TeX source. KaTeX takes ~0.3 ms a formula
    # it has not seen (cold math cache), so this keeps a formula-only note to a few seconds.
    max_formulas: int = 5_000
    # Items per page of a long generated listing (a tag's notes, the Quizzes list); more go to further
    # pages (…/page/2/), so no generated page grows with the vault (kbgen.emit.paging). 0: one page.
    list_page_size: int = 200
    # Generate the vault-wide Quizzes page.
    quizzes_page: bool = True
    # Keep each note's parse and render in the cache folder and reuse it while
    # the note and what it links to are unchanged (kbgen.cache).
    build_cache: bool = True
    # Graph view: the global graph page and a local graph under each linked note.
    graph: bool = True
    # Colour graph nodes by top-level "folder" or by first "tag".
    graph_groups: str = "folder"

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any], *, base: Path | None = None) -> "KbgenConfig":
        """Build a config from a mapping, ignoring keys kbgen does not know."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in options.items() if k in known and v is not None}
        config = cls(**values)
        config.notes_dir = Path(config.notes_dir)
        config.cache_dir = Path(config.cache_dir)
        if base is not None:
            if not config.notes_dir.is_absolute():
                config.notes_dir = base / config.notes_dir
            if not config.cache_dir.is_absolute():
                config.cache_dir = base / config.cache_dir
        return config
