"""The study scripts and styles (``study/assets``), served by the site (no CDN)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..emit.assets import emit_package_files

if TYPE_CHECKING:
    from ..vault_build import VaultBuild


def emit(build: "VaultBuild") -> None:
    emit_package_files(build, "kbgen.study.assets")
