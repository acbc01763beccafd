"""KaTeX from its npm package, at a pinned version, checked and cached (see :mod:`kbgen.npm_assets`).

``kbgen setup`` (or ``python -m kbgen.katex.fetch``) fetches it once; the first
build that meets a formula calls :func:`ensure_katex` too, so a fresh checkout
works either way.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..npm_assets import NpmFetchError, NpmPackage, cached_package, ensure_package, fetch_package
from ..npm_assets import last_error as _package_error
from ..npm_assets import package_dir, register
from ..npm_assets import verify_integrity as _verify

KATEX_VERSION = "0.19.1"
# `npm view katex@0.19.1 dist.integrity`; a tarball that does not match is refused.
KATEX_INTEGRITY = "sha512-jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614uRrEfA=="

KATEX = register(NpmPackage(
    "katex", KATEX_VERSION, KATEX_INTEGRITY,
    keep={"dist/katex.min.js": "", "dist/katex.min.css": "", "dist/fonts/*.woff2": "fonts"},
    required=("katex.min.js", "katex.min.css", "LICENSE"),
))

KatexFetchError = NpmFetchError


def katex_dir(cache_dir: Path | str, version: str = KATEX_VERSION) -> Path:
    return package_dir(cache_dir, KATEX) if version == KATEX_VERSION else Path(cache_dir) / "katex" / version


def cached_katex(cache_dir: Path | str) -> Path | None:
    """The unpacked KaTeX under ``cache_dir``, if a complete one is there (no network)."""
    return cached_package(cache_dir, KATEX)


def ensure_katex(cache_dir: Path | str) -> Path | None:
    """The directory holding KaTeX's files, fetching them first if needed (None if it cannot be had)."""
    return ensure_package(cache_dir, KATEX)


def fetch_katex(cache_dir: Path | str) -> Path:
    return fetch_package(cache_dir, KATEX)


def last_error() -> str:
    """Why the last :func:`ensure_katex` returned None ('' if it never did)."""
    return _package_error(KATEX)


def verify_integrity(data: bytes, integrity: str) -> None:
    _verify(data, integrity, KATEX.spec)


def main(argv: list[str] | None = None) -> int:
    """``python -m kbgen.katex.fetch [CACHE_DIR]``: fetch KaTeX for offline builds."""
    from ..config import DEFAULT_CACHE_DIR

    args = sys.argv[1:] if argv is None else argv
    cache_dir = Path(args[0]) if args else Path(DEFAULT_CACHE_DIR)
    try:
        path = cached_katex(cache_dir) or fetch_katex(cache_dir)
    except KatexFetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"KaTeX {KATEX_VERSION} ready in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
