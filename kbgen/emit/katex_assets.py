"""KaTeX's stylesheet and fonts, served by the site itself (no CDN).

Pages hold KaTeX's finished HTML+MathML, so only the CSS and the woff2 fonts
are needed to read them. Formulas the build could not typeset (no JavaScript
engine) are typeset in the browser by KaTeX's script, which is then served
too — and the build says so once.
"""
from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic
from ..katex.engine import unavailable_reason
from ..katex.fetch import ensure_katex, last_error
from ..katex.typeset import normalize_macros
from . import SiteFile

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

ASSET_DIR = "assets/katex"
# Every browser that can show KaTeX reads woff2; the woff/ttf fallbacks are not shipped.
_OLD_FONT_FORMATS = re.compile(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)')


def emit(build: "VaultBuild") -> None:
    stats = {path: r.data["math"] for path, r in sorted(build.rendered.items()) if r.data.get("math")}
    if not stats:
        return
    katex_dir = ensure_katex(build.config.cache_dir)
    in_browser = [path for path, s in stats.items() if s.get("browser")]
    if katex_dir is None:
        _warn(build, next(iter(stats)), f"KaTeX could not be fetched ({last_error()}); formulas are shown as TeX source")
        return
    _emit_katex_files(build, katex_dir)
    if in_browser:
        _emit_fallback(build, katex_dir)
        reason = unavailable_reason(build.config.cache_dir) or "no JavaScript engine"
        count = sum(stats[path]["browser"] for path in in_browser)
        _warn(
            build,
            in_browser[0],
            f"{count} formula(s) will be typeset in the browser, and broken ones go unreported: {reason}",
        )


def _emit_katex_files(build: "VaultBuild", katex_dir: Path) -> None:
    css = (katex_dir / "katex.min.css").read_text(encoding="utf-8")
    build.files.append(SiteFile(f"{ASSET_DIR}/katex.min.css", content=_OLD_FONT_FORMATS.sub("", css)))
    for font in sorted((katex_dir / "fonts").glob("*.woff2")):
        build.files.append(SiteFile(f"{ASSET_DIR}/fonts/{font.name}", source=font))
    build.files.append(SiteFile(f"{ASSET_DIR}/LICENSE", source=katex_dir / "LICENSE"))
    build.extra_css.append(f"{ASSET_DIR}/katex.min.css")


def _emit_fallback(build: "VaultBuild", katex_dir: Path) -> None:
    build.files.append(SiteFile(f"{ASSET_DIR}/katex.min.js", source=katex_dir / "katex.min.js"))
    macros = json.dumps(normalize_macros(build.config.math_macros), ensure_ascii=True).replace("</", "<\\/")
    script = resources.files("kbgen.katex").joinpath("katex-fallback.js").read_text(encoding="utf-8")
    build.files.append(SiteFile(f"{ASSET_DIR}/katex-fallback.js", content=f"window.kbgenKatexMacros = {macros};\n{script}"))
    build.extra_javascript += [f"{ASSET_DIR}/katex.min.js", f"{ASSET_DIR}/katex-fallback.js"]


def _warn(build: "VaultBuild", path: str, message: str) -> None:
    build.emit_diagnostics.append(Diagnostic(path, 1, 1, "warning", "math-engine", f"math: {message}"))
