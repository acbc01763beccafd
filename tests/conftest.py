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
