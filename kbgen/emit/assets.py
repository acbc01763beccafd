"""kbgen's own stylesheet and scripts, served by the site (no CDN)."""
from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from . import SiteFile

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

ASSET_DIR = "assets/kbgen"


def emit(build: "VaultBuild") -> None:
    emit_package_files(build, "kbgen.assets")


def emit_package_files(build: "VaultBuild", package_name: str) -> None:
    """Serve every .css/.js of a Python package folder under ``assets/kbgen/`` and load it on every page."""
    package = resources.files(package_name)
    for entry in sorted(package.iterdir(), key=lambda e: e.name):
        if entry.name.startswith(("_", ".")) or not entry.is_file():
            continue
        dest = f"{ASSET_DIR}/{entry.name}"
        build.files.append(SiteFile(dest, content=entry.read_bytes()))
        if entry.name.endswith(".css"):
            build.extra_css.append(dest)
        elif entry.name.endswith(".js"):
            build.extra_javascript.append(dest)
