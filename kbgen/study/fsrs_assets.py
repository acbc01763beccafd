"""ts-fsrs, the FSRS scheduler the review page runs, from npm (pinned, integrity-checked).

Its UMD build (``dist/index.umd.js``) defines ``window.FSRS`` when loaded by a
plain ``<script>``: no bundler, no module loader. Only the review page loads it
(study/assets/review.js inserts the script there); notes only read the saved
due dates and need no scheduler.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic
from ..emit import SiteFile
from ..npm_assets import NpmPackage, ensure_package, last_error, register

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

TS_FSRS = register(NpmPackage(
    "ts-fsrs", "5.4.2",
    # `npm view ts-fsrs@5.4.2 dist.integrity`
    "sha512-z4qop4pzTcyTzuJ566d9EaX/4bZZzhYfeaPImfVr+xcYT65c5oBgFDijUhCE/D+C78eaolHIhKRZ04/RwF+v2g==",
    keep={"dist/index.umd.js": ""},
    required=("index.umd.js", "LICENSE"),
))
ASSET_DIR = "assets/ts-fsrs"
SCRIPT = f"{ASSET_DIR}/index.umd.js"


def emit_fsrs(build: "VaultBuild", page_src: str) -> str | None:
    """Serve ts-fsrs; the script's site path, or None (with a warning) when it cannot be had."""
    folder: Path | None = ensure_package(build.config.cache_dir, TS_FSRS)
    if folder is None:
        build.emit_diagnostics.append(Diagnostic(
            page_src, 1, 1, "warning", "study-assets",
            f"{TS_FSRS.spec} could not be fetched ({last_error(TS_FSRS)}); the review page cannot schedule cards"))
        return None
    build.files.append(SiteFile(SCRIPT, source=folder / "index.umd.js"))
    build.files.append(SiteFile(f"{ASSET_DIR}/LICENSE", source=folder / "LICENSE"))
    return SCRIPT
