"""Helpers for the link tests: write a small vault, build it, look at pages and diagnostics."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from kbgen.build import build_vault
from kbgen.vault_build import VaultBuild
from kbgen.config import KbgenConfig

PROJECT_CACHE = Path(__file__).resolve().parent.parent / ".kbgen-cache"


def write_vault(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def build(tmp_path: Path, files: dict[str, str | bytes], **options) -> VaultBuild:
    notes = write_vault(tmp_path / "notes", files)
    config = KbgenConfig(notes_dir=notes, cache_dir=seeded_cache(tmp_path / "cache"), **options)
    return build_vault(config)


def seeded_cache(cache: Path) -> Path:
    """A fresh cache holding the graph library (fetched once into the project cache, as
    `kbgen setup` does), so a test build does not run npm for it every time."""
    from kbgen.emit.graph import FORCE_GRAPH
    from kbgen.npm_assets import ensure_package, package_dir

    ready = ensure_package(PROJECT_CACHE, FORCE_GRAPH)
    if ready is not None and not package_dir(cache, FORCE_GRAPH).exists():
        shutil.copytree(ready, package_dir(cache, FORCE_GRAPH))
    return cache


def page(result: VaultBuild, src_path: str) -> str:
    return result.rendered[src_path].html


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def anchor(html: str, text: str) -> str | None:
    """The href of the ``<a>`` whose visible text is ``text``."""
    match = re.search(r'<a [^>]*href="([^"]*)"[^>]*>' + re.escape(text) + "</a>", html)
    return match.group(1) if match else None


def found(result: VaultBuild, code: str) -> list[str]:
    """Formatted diagnostics with this code."""
    return [d.format() for d in result.diagnostics if d.code == code]
