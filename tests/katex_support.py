"""KaTeX for tests: fetched once into the project cache (as `kbgen setup` does), copied per test.

Each test gets a cache directory of its own — an empty formula cache next to
a ready KaTeX — so cache behaviour is observable and tests never share state.
Where KaTeX cannot be fetched, tests skip locally and fail in CI.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kbgen.katex.fetch import ensure_katex, katex_dir, last_error
from kbgen.katex.mathjax import MATHJAX
from kbgen.npm_assets import ensure_package, package_dir

ROOT = Path(__file__).resolve().parent.parent
PROJECT_CACHE = ROOT / ".kbgen-cache"


def require_katex() -> Path:
    path = ensure_katex(PROJECT_CACHE)
    if path is None:
        message = f"KaTeX could not be fetched: {last_error()}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def fresh_cache(tmp_path: Path) -> Path:
    """A cache dir holding KaTeX (and MathJax, for what KaTeX rejects) and no typeset formula."""
    cache = tmp_path / "kbgen-cache"
    shutil.copytree(require_katex(), katex_dir(cache))
    mathjax = ensure_package(PROJECT_CACHE, MATHJAX)
    if mathjax is not None:
        shutil.copytree(mathjax, package_dir(cache, MATHJAX))
    return cache
