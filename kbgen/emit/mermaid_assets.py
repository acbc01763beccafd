"""Mermaid, served by the site (no CDN) when some page has a diagram.

The page marks its diagrams (:mod:`kbgen.markdown.mermaid`); the loader in
``kbgen-web.js`` fetches ``mermaid.min.js`` only on a page that has one, so
other pages pay nothing for it.
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

# `npm view mermaid@12.3.0 dist.integrity`. mermaid.min.js is self-contained (5.5 MB, 1.6 MB gzipped).
MERMAID = register(NpmPackage(
    "mermaid", "12.3.0",
    "sha512-4113TdXeLAsMruJ79OpFL5O8+LTFXhQqZ260rF3tgUmiNAtRm4Uume04I+65PRN6yZ69J4f8rVYWW8zRk65UYw==",
    keep={"dist/mermaid.min.js": ""},
    required=("mermaid.min.js", "LICENSE"),
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
    build.files.append(SiteFile(f"{ASSET_DIR}/mermaid.min.js", source=folder / "mermaid.min.js"))
    build.files.append(SiteFile(f"{ASSET_DIR}/LICENSE", source=folder / "LICENSE"))
