from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTES = ROOT / "notes"


@pytest.fixture
def sample_vault(tmp_path: Path) -> Path:
    """A copy of the sample vault, so a test can never touch notes/."""
    dest = tmp_path / "notes"
    shutil.copytree(NOTES, dest)
    return dest


# Browser test modules define a module-scoped ``site`` (the built folder); these
# serve it and open one Chromium for the module. A module may override either.
@pytest.fixture(scope="module")
def base_url(site):
    from browser_support import serve_directory

    with serve_directory(site) as base:
        yield base


@pytest.fixture(scope="module")
def browser(site):
    from browser_support import chromium

    with chromium() as browser:
        yield browser
