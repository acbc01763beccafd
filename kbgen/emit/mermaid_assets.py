"""Mermaid, served by the site (no CDN) when some page has a diagram.

The page marks its diagrams (:mod:`kbgen.markdown.mermaid`); the loader in
``kbgen-web.js`` imports Mermaid's ESM build only on a page that has one, so
other pages pay nothing for it. The ESM build, unlike the self-contained
``mermaid.min.js`` (5.4 MB), fetches the chunks of the diagram types a page
actually draws; its imports are all relative (``./chunks/mermaid.esm.min/…``),
so the served copy keeps the package's layout.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic
from ..markdown.mermaid import DATA_KEY
from ..npm_assets import NpmPackage, ensure_package, last_error, register
from . import SiteFile

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

ASSET_DIR = "assets/mermaid"

ENTRY = "mermaid.esm.min.mjs"
CHUNKS = "chunks/mermaid.esm.min"

# `npm view mermaid@12.3.0 dist.integrity`. Kept: the minified ESM entry (31 KB) and its
# chunk folder (105 files, 5.4 MB in all, of which a page loads only what its diagrams need).
MERMAID = register(NpmPackage(
    "mermaid", "12.3.0",
    "sha512-4113TdXeLAsMruJ79OpFL5O8+LTFXhQqZ260rF3tgUmiNAtRm4Uume04I+65PRN6yZ69J4f8rVYWW8zRk65UYw==",
    keep={f"dist/{ENTRY}": "", f"dist/{CHUNKS}/*.mjs": CHUNKS},
    required=(ENTRY, "LICENSE"),
))


def emit(build: "VaultBuild") -> None:
    pages = [path for path, rendered in sorted(build.rendered.items()) if rendered.data.get(DATA_KEY)]
    if not pages:
        return
    folder = ensure_package(build.config.cache_dir, MERMAID)
    if folder is None:
        build.emit_diagnostics.append(Diagnostic(
            pages[0], 1, 1, "warning", "mermaid",
            f"mermaid could not be fetched ({last_error(MERMAID)}); diagrams are shown as their source"))
        return
    build.files.append(SiteFile(f"{ASSET_DIR}/{ENTRY}", source=folder / ENTRY))
    build.files.extend(SiteFile(f"{ASSET_DIR}/{CHUNKS}/{chunk.name}", source=chunk)
                       for chunk in sorted((folder / CHUNKS).glob("*.mjs")))
    build.files.append(SiteFile(f"{ASSET_DIR}/LICENSE", source=folder / "LICENSE"))
