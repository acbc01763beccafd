"""A build with one of kbgen's per-build memos and the same build without it, for byte-identity tests."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from test_parallel_build import built_site
from test_site_build import assert_same_site


def memoized_and_plain(tmp_path: Path, notes: Path, monkeypatch: Any, owner: Any, name: str,
                       off: Any) -> tuple[Any, Any]:
    """kbgen's plugin after building ``notes`` into ``site/`` as it is, and after building them into
    ``site-plain/`` with ``owner.name`` replaced by ``off`` (the memo turned off); the two sites are the same."""
    _, memoized, _ = built_site(tmp_path, notes, "site", 1)
    with monkeypatch.context() as m:
        m.setattr(owner, name, off)
        _, plain, _ = built_site(tmp_path, notes, "site-plain", 1)
    assert_same_site(tmp_path / "site", tmp_path / "site-plain")
    return memoized, plain
