"""Folders a vault keeps out of its site: the configuration's ``exclude`` and Obsidian's template folders.

Templates (``{{title}}`` placeholders, half-written skeletons) are not notes;
Obsidian names their folder in ``.obsidian/templates.json`` (core Templates
plugin) or the Templater plugin's settings, so kbgen reads it from there.
"""
from __future__ import annotations

import fnmatch
import json
import unicodedata
from pathlib import Path
from typing import Callable, Sequence

# (settings file under the vault, key holding the templates folder)
TEMPLATE_SETTINGS = ((".obsidian/templates.json", "folder"),
                     (".obsidian/plugins/templater-obsidian/data.json", "templates_folder"))


def template_folders(root: Path) -> list[str]:
    """The template folders Obsidian's settings in ``root`` name (vault-relative)."""
    folders: list[str] = []
    for rel, key in TEMPLATE_SETTINGS:
        try:
            value = json.loads((root / rel).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(value, str) and value.strip("/ "):
            folders.append(value.strip("/ "))
    return folders


def excluded_paths(root: Path, patterns: Sequence[str]) -> Callable[[str], bool] | None:
    """A test for vault-relative paths to leave out: a folder (``Templates``, ``private/drafts``)
    and all below it, or a glob (``*.excalidraw.md``, ``*/secret/*``). None when nothing is excluded."""
    wanted = [_key(p.strip("/ ")) for p in [*patterns, *template_folders(root)] if p.strip("/ ")]
    if not wanted:
        return None

    def excluded(rel: str) -> bool:
        path = _key(rel)
        return any(path == p or path.startswith(p + "/") or fnmatch.fnmatchcase(path, p) for p in wanted)

    return excluded


def _key(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()
